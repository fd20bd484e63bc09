"""Token failures end to end: every AADSTS case the emulator produces, explained in the
console and JUnit, and token endpoints that misbehave (stdlib stub servers)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from token_e2e import (
    APP,
    ARM,
    EMULATOR_ENV,
    EXPIRED_SECRET,
    GRAPH_DEFAULT,
    LEGACY,
    MFA_USER,
    PASSWORD,
    PUBLIC,
    Run,
    Seen,
    Stub,
    cli,
    collection,
    emulator_env,
    json_reply,
    resource_groups,
    run_cli,
    stub_server,
    users,
    v1_auth,
    v2_auth,
    write_json,
)

from runner.emulator import Emulator

UNKNOWN_APP = "00000000-0000-0000-0000-000000000999"


def password_auth(scope: str = "https://graph.microsoft.com/User.Read") -> dict[str, Any]:
    """Returns an oauth2 password-grant block for the public client."""
    return {
        "type": "oauth2",
        "grantType": "password",
        "tokenUrl": "<<authorityHost>>/<<tenantId>>/oauth2/v2.0/token",
        "clientId": "<<publicClientId>>",
        "username": "<<username>>",
        "password": "<<userPassword>>",
        "scope": scope,
    }


ME = {"name": "Me", "url": "<<graphHost>>/v1.0/me", "assert": {"status": 200}}

# (id, auth block, request, --var overrides, AADSTS code, `error`, words the hint must hold)
AADSTS_CASES: list[tuple[str, dict[str, Any], dict[str, Any], list[str], int, str, list[str]]] = [
    (
        "wrong-secret",
        v1_auth(),
        resource_groups(),
        ["clientSecret=not-the-secret"],
        7000215,
        "invalid_client",
        ["Value", "not its Secret ID"],
    ),
    (
        "expired-secret",
        v1_auth(),
        resource_groups(),
        [f"clientId={LEGACY}", f"clientSecret={EXPIRED_SECRET}"],
        7000222,
        "invalid_client",
        ["expired", "new secret"],
    ),
    (
        "unknown-client",
        v2_auth(),
        users(),
        [f"clientId={UNKNOWN_APP}"],
        700016,
        "unauthorized_client",
        ["clientId", "another tenant"],
    ),
    (
        "unknown-tenant",
        v1_auth(),
        resource_groups(),
        ["tenantId=nowhere.onmicrosoft.com"],
        90002,
        "invalid_request",
        ["tenantId", "cloud"],
    ),
    (
        "two-resources",
        v2_auth(f"{GRAPH_DEFAULT} https://management.azure.com/.default"),
        users(),
        [],
        70011,
        "invalid_scope",
        ["/.default"],
    ),
    (
        "no-default-suffix",
        v2_auth("https://graph.microsoft.com/User.Read.All"),
        users(),
        [],
        1002012,
        "invalid_scope",
        ["/.default"],
    ),
    (
        "unknown-user",
        password_auth(),
        ME,
        ["username=nobody@contoso.onmicrosoft.com"],
        50034,
        "invalid_grant",
        ["user does not exist", "username"],
    ),
    (
        "wrong-password",
        password_auth(),
        ME,
        ["userPassword=wrong-password"],
        50126,
        "invalid_grant",
        ["wrong username or password"],
    ),
    (
        "empty-username",
        password_auth(),
        ME,
        ["username="],
        900144,
        "invalid_request",
        ["no 'username'", "auth block"],
    ),
    (
        "mfa-user",
        password_auth(),
        ME,
        [f"username={MFA_USER}"],
        50076,
        "invalid_grant",
        ["multi-factor", "device code"],
    ),
    (
        "no-consent",
        password_auth("https://graph.microsoft.com/Mail.Read"),
        ME,
        [],
        65001,
        "invalid_grant",
        ["admin consent"],
    ),
    (
        "unknown-resource",
        v1_auth("https://unknown.example.com/"),
        resource_groups(),
        [],
        500011,
        "invalid_resource",
        ["resource", "https://management.azure.com/"],
    ),
    (
        "used-refresh-token",
        {
            "type": "oauth2",
            "grantType": "refresh_token",
            "clientId": "<<publicClientId>>",
            "tokenUrl": "<<authorityHost>>/<<tenantId>>/oauth2/v2.0/token",
            "refreshToken": "0.not-a-refresh-token",
            "scope": "https://graph.microsoft.com/User.Read",
        },
        ME,
        [],
        70000,
        "invalid_grant",
        ["refresh token", "sign in again"],
    ),
]


def _token_label(run: Run) -> str:
    (token,) = run.tokens()
    return str(token["name"])


@pytest.mark.parametrize(
    ("auth", "item", "overrides", "code", "error", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in AADSTS_CASES],
)
def test_aadsts_error_is_explained_everywhere(
    emulator: Emulator,
    tmp_path: Path,
    auth: dict[str, Any],
    item: dict[str, Any],
    overrides: list[str],
    code: int,
    error: str,
    words: list[str],
) -> None:
    extra = [arg for pair in overrides for arg in ("--var", pair)]
    doc = collection(auth, item, dict(item, name="Second request"))
    run = run_cli(tmp_path, doc, *emulator_env(emulator), *extra)

    assert run.code == 1
    assert emulator.stats.token_errors == {code: 1}, "asked once, never again"
    assert emulator.stats.api_requests == 0
    label = _token_label(run)
    assert label.startswith("token: ")
    # Console: the token line, the endpoint's error with its AADSTS code, the explanation.
    assert f"✘ {label}" in run.out
    assert f"{error}: AADSTS{code}:" in run.out
    hints = [line.strip() for line in run.out.splitlines() if line.strip().startswith("hint:")]
    assert hints and all(word in hints[0] for word in words), hints
    # JUnit: the token testcase is the <error>, with the code in its message and the hint.
    token_case = run.case(label)
    assert token_case.classname == "auth" and token_case.outcome == "error"
    assert f"AADSTS{code}" in token_case.message and error in token_case.message
    assert "trace_id=" in token_case.message and "correlation_id=" in token_case.message
    assert all(word in token_case.text for word in words)
    # The requests that needed the token are errors pointing to it.
    for name in (item["name"], "Second request"):
        case = run.case(name)
        assert case.outcome == "error"
        gist = f"{run.tokens()[0]['status']} {error} AADSTS{code}"
        assert case.message == f"not sent: no token ({label}): {gist}"
        assert f"AADSTS{code}" in case.message and "trace_id=" not in case.message
    # JSON: the token entry and the requests say the same.
    assert run.tokens()[0]["outcome"] == "error" and run.tokens()[0]["status"] in (400, 401)
    assert all(f"AADSTS{code}" in r["error"] for r in run.requests())
    assert run.report["summary"]["exit_status"] == 1


def test_password_grant_of_a_public_client_sends_no_client_secret(
    emulator: Emulator, tmp_path: Path
) -> None:
    # Without clientSecret the client is public: no client_secret field is sent at all.
    doc = collection(password_auth(), ME)
    run = run_cli(tmp_path, doc, *emulator_env(emulator))
    assert run.code == 0, run.out
    body = run.tokens()[0]["exchange"]["request_body"]
    assert "grant_type=password" in body and f"client_id={PUBLIC}" in body
    assert "client_secret" not in body and "password=***" in body
    assert PASSWORD not in run.everything


# --- token endpoints that misbehave ---------------------------------------------------

TokenReply = Callable[[], Any]


def _stub_run(
    tmp_path: Path, token_reply: TokenReply, *args: str, items: int = 2
) -> tuple[Run, Stub]:
    """Runs a collection of `items` requests whose token comes from a stub server answering
    its token endpoint with `token_reply()` (and its API with 200); returns the run and stub."""

    def handle(seen: Seen) -> Any:
        if seen.path.endswith("/token"):
            return token_reply()
        return json_reply(200, {"ok": True})

    with stub_server(handle) as stub:
        auth = v2_auth(
            "api://demo/.default",
            tokenUrl=f"{stub.url}/tenant/oauth2/v2.0/token",
            clientId="client-1",
            clientSecret="stub-secret-NOT-REAL",
        )
        reqs = [
            {"name": f"Call {n}", "url": f"{stub.url}/api", "assert": {"status": 200}}
            for n in range(1, items + 1)
        ]
        return run_cli(tmp_path, collection(auth, *reqs), *args), stub


def _token_posts(stub: Stub) -> list[Seen]:
    return [s for s in stub.seen if s.path.endswith("/token")]


def _assert_token_error(run: Run, stub: Stub, *phrases: str) -> None:
    assert run.code == 1
    assert len(_token_posts(stub)) == 1, "the failed token is not requested again"
    assert [s.path for s in stub.seen if not s.path.endswith("/token")] == []
    label = "token: client-1 → api://demo/.default"
    case = run.case(label)
    assert case.outcome == "error"
    text = (case.message + "\n" + case.text).lower()
    assert all(p.lower() in text for p in phrases), (case.message, case.text)
    for name in ("Call 1", "Call 2"):
        assert run.case(name).outcome == "error"
        assert run.case(name).message.startswith(f"not sent: no token ({label}): ")
    assert "Traceback" not in run.err + run.out
    assert "stub-secret-NOT-REAL" not in run.everything


def test_token_response_that_is_not_json(tmp_path: Path) -> None:
    html = (200, {"Content-Type": "text/html"}, b"<html><body>Sign in</body></html>")
    run, stub = _stub_run(tmp_path, lambda: html)
    _assert_token_error(run, stub, "not JSON", "text/html", "tokenUrl")


def test_token_response_cut_off_mid_json(tmp_path: Path) -> None:
    cut = (200, {"Content-Type": "application/json"}, b'{"token_type": "Bearer", "acc')
    run, stub = _stub_run(tmp_path, lambda: cut)
    _assert_token_error(run, stub, "not JSON")


def test_token_response_truncated_in_transit(tmp_path: Path) -> None:
    # Content-Length promises more than is sent, then the connection closes.
    headers = {"Content-Type": "application/json", "Content-Length": "400", "Connection": "close"}
    short = (200, headers, b'{"token_type": "Bearer", "access_token": "eyJ')
    run, stub = _stub_run(tmp_path, lambda: short, "--timeout-request", "3000")
    _assert_token_error(run, stub, "token request failed", "was cut off", "of 400 bytes")


def test_token_response_without_access_token(tmp_path: Path) -> None:
    run, stub = _stub_run(
        tmp_path, lambda: json_reply(200, {"token_type": "Bearer", "expires_in": 9})
    )
    _assert_token_error(run, stub, "without an access_token", "expires_in, token_type")


def test_token_endpoint_that_times_out(tmp_path: Path) -> None:
    def late() -> Any:
        time.sleep(2.5)
        return json_reply(200, {"access_token": "late", "expires_in": 3599})

    started = time.monotonic()
    run, stub = _stub_run(tmp_path, late, "--timeout-request", "400")
    took = time.monotonic() - started
    _assert_token_error(run, stub, "timed out", "400 ms")
    assert took < 2.4, "the token request honours --timeout-request"


@pytest.mark.parametrize("status", [500, 502])
def test_token_endpoint_server_error(tmp_path: Path, status: int) -> None:
    page = (status, {"Content-Type": "text/html"}, b"<html>upstream error</html>")
    run, stub = _stub_run(tmp_path, lambda: page)
    _assert_token_error(run, stub, str(status), "server error", "try again")


def test_token_endpoint_throttled_without_retry(tmp_path: Path) -> None:
    body = {
        "error": "temporarily_unavailable",
        "error_description": "AADSTS90055: too many",
        "error_codes": [90055],
    }
    run, stub = _stub_run(tmp_path, lambda: json_reply(429, body, {"Retry-After": "1"}))
    _assert_token_error(run, stub, "429", "temporarily_unavailable", "--retry")


def test_token_endpoint_429_is_retried_after_retry_after(tmp_path: Path) -> None:
    calls: list[float] = []
    token = {"token_type": "Bearer", "expires_in": 3599, "access_token": "stub-token-NOT-REAL"}

    def throttled_once() -> Any:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return json_reply(429, {"error": "temporarily_unavailable"}, {"Retry-After": "1"})
        return json_reply(200, token)

    run, stub = _stub_run(tmp_path, throttled_once, "--retry", "2")
    assert run.code == 0, run.out
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.9, "Retry-After: 1 is honoured"
    (acquired,) = run.tokens()
    assert [(a["status"], a["waited_ms"]) for a in acquired["attempts"]] == [(429, 1000.0)]
    assert acquired["status"] == 200
    api_calls = [s for s in stub.seen if s.path == "/api"]
    assert [s.headers["Authorization"] for s in api_calls] == ["Bearer stub-token-NOT-REAL"] * 2
    assert "stub-token-NOT-REAL" not in run.everything


def test_token_endpoint_503_is_retried_then_gives_up(tmp_path: Path) -> None:
    busy = (503, {"Content-Type": "text/plain", "Retry-After": "0"}, b"Service Unavailable")
    run, stub = _stub_run(tmp_path, lambda: busy, "--retry", "2", items=1)
    assert run.code == 1
    # One acquisition = the first try + 2 retries; the request then asks no more.
    assert len(_token_posts(stub)) == 3
    (acquired,) = run.tokens()
    assert [a["status"] for a in acquired["attempts"]] == [503, 503]
    assert "503" in acquired["error"] and "server error" in acquired["hint"]
    assert run.case("Call 1").outcome == "error"


def _throttling_emulator() -> Emulator:
    """Returns an emulator whose token endpoint answers the first request with Entra ID's 429."""
    from runner.emulator import default_config_dict

    config = default_config_dict()
    config["throttle"] = [{"pathPrefix": "/contoso.onmicrosoft.com/oauth2", "count": 1}]
    return Emulator(config)


def test_emulator_token_429_fails_without_retry(tmp_path: Path) -> None:
    with _throttling_emulator() as emulator:
        run = run_cli(tmp_path, collection(v1_auth(), resource_groups()), *emulator_env(emulator))
        stats = emulator.stats
    assert run.code == 1
    assert stats.throttled == 1 and stats.api_requests == 0
    (token,) = run.tokens()
    assert token["status"] == 429 and "AADSTS90055" in token["error"]
    assert "--retry N" in token["hint"] and "Retry-After" in token["hint"]


def test_emulator_token_429_with_retry_waits_and_succeeds(tmp_path: Path) -> None:
    with _throttling_emulator() as emulator:
        run = run_cli(
            tmp_path,
            collection(v1_auth(), resource_groups()),
            *emulator_env(emulator),
            "--retry",
            "1",
        )
        stats = emulator.stats
    assert run.code == 0, run.out
    assert stats.throttled == 1 and stats.token_requests_total == 1
    (token,) = run.tokens()
    assert [(a["status"], a["waited_ms"]) for a in token["attempts"]] == [(429, 1000.0)]
    assert "(1 retry)" in run.out


def test_unreachable_token_endpoint(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    doc = collection(v1_auth(), resource_groups(), resource_groups("Second"))
    run = run_cli(
        tmp_path,
        doc,
        "-e",
        str(EMULATOR_ENV),
        "--var",
        f"emulatorUrl=http://127.0.0.1:{port}",
    )
    assert run.code == 1
    label = f"token: {APP} → {ARM}"
    assert (
        run.case(label).message == f"token request failed: connection refused by 127.0.0.1:{port}"
    )
    assert run.case("Second").message == f"not sent: no token ({label}): {run.case(label).message}"
    assert "Traceback" not in run.out + run.err


# --- oauth2 blocks that cannot work are invalid input: exit 2, nothing sent -------------

_NO_TOKEN_URL = {k: v for k, v in v1_auth().items() if k != "tokenUrl"}
_NO_USERNAME = {k: v for k, v in password_auth().items() if k != "username"}
_NO_REFRESH_TOKEN = dict(AADSTS_CASES[-1][1])
del _NO_REFRESH_TOKEN["refreshToken"]


@pytest.mark.parametrize(
    ("auth", "key"),
    [
        pytest.param(_NO_TOKEN_URL, "tokenUrl", id="tokenUrl"),
        pytest.param(
            {k: v for k, v in v2_auth().items() if k != "clientId"}, "clientId", id="clientId"
        ),
        pytest.param(_NO_USERNAME, "username", id="password-grant"),
        pytest.param(_NO_REFRESH_TOKEN, "refreshToken", id="refresh-grant"),
    ],
)
def test_incomplete_oauth2_block_is_invalid_input(
    emulator: Emulator, tmp_path: Path, auth: dict[str, Any], key: str
) -> None:
    doc = collection(None, dict(ME, auth=auth))
    run = run_cli(tmp_path, doc, *emulator_env(emulator))
    assert run.code == 2
    assert f"#/items/0/auth (Me): missing required key '{key}'" in run.err
    assert emulator.stats.token_requests_total == 0 and emulator.stats.api_requests == 0
    (case,) = run.cases
    assert case.outcome == "error" and key in case.message
    code, _, err = cli("validate", str(write_json(tmp_path, doc)), *emulator_env(emulator))
    assert code == 2 and f"missing required key '{key}'" in err
