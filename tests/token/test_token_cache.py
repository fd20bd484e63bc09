"""The token cache end to end: one token per credential, renewal before expiry, the
401-retry, and a failed acquisition that is not asked again. Counted by the emulator."""

from __future__ import annotations

import http.client
from pathlib import Path

from token_e2e import (
    APP,
    ARM,
    GRAPH,
    GRAPH_DEFAULT,
    Handle,
    Issued,
    Reply,
    Seen,
    bundled,
    collection,
    emulator_env,
    json_reply,
    resource_groups,
    run_cli,
    stub_server,
    users,
    v1_auth,
    v2_auth,
)

from runner.emulator import Emulator


def test_200_iterations_send_one_token_request(emulator: Emulator, tmp_path: Path) -> None:
    run = run_cli(
        tmp_path, collection(v1_auth(), resource_groups()), *emulator_env(emulator), "-n", "200"
    )
    assert run.code == 0, run.out
    stats = emulator.stats
    assert stats.token_requests_total == 1
    assert stats.tokens(APP, ARM, "client_credentials") == 1
    assert stats.api_requests == 200
    assert len(run.requests()) == 200 and len(run.tokens()) == 1
    assert all(r["status"] == 200 for r in run.requests())
    assert "200 requests, 1 token request," in run.out


def test_200_requests_in_one_collection_send_one_token_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    items = [resource_groups(f"Resource groups #{n}") for n in range(200)]
    run = run_cli(
        tmp_path,
        collection(v2_auth("https://management.azure.com/.default"), *items),
        *emulator_env(emulator),
    )
    assert run.code == 0, run.out[-2000:]
    assert emulator.stats.token_requests_total == 1
    assert emulator.stats.api_requests == 200
    token_cases = [c for c in run.cases if c.classname == "auth"]
    assert [c.name for c in token_cases] == [
        f"token: {APP} → https://management.azure.com/.default"
    ]
    assert len(run.cases) == 201


def test_parallel_iterations_share_one_token(emulator: Emulator, tmp_path: Path) -> None:
    doc = collection(v1_auth(), resource_groups(), resource_groups("Again"))
    run = run_cli(tmp_path, doc, *emulator_env(emulator), "-n", "40", "--parallel", "8")
    assert run.code == 0, run.out[-2000:]
    assert emulator.stats.token_requests_total == 1
    assert emulator.stats.api_requests == 80
    # The token step is a testcase of its own, timed like the requests.
    (token_case,) = [c for c in run.cases if c.classname == "auth"]
    assert token_case.outcome == "pass" and token_case.seconds > 0
    assert run.tokens()[0]["elapsed_ms"] > 0


def test_arm_and_graph_audiences_give_two_token_requests(
    emulator: Emulator, tmp_path: Path
) -> None:
    doc = collection(
        None,
        {"name": "ARM", "auth": v1_auth(), "items": [resource_groups()]},
        {"name": "Graph", "auth": v2_auth(), "items": [users()]},
    )
    run = run_cli(tmp_path, doc, *emulator_env(emulator), "-n", "100")
    assert run.code == 0, run.out[-2000:]
    stats = emulator.stats
    assert stats.token_requests_total == 2
    assert stats.tokens(APP, ARM) == 1 and stats.tokens(APP, "https://graph.microsoft.com") == 1
    assert stats.api_requests_by_service == {"arm": 100, "graph": 100}
    assert {c.name for c in run.cases if c.classname == "auth"} == {
        f"token: {APP} → {ARM}",
        f"token: {APP} → {GRAPH_DEFAULT}",
    }


def test_short_lived_tokens_are_renewed_before_they_expire(tmp_path: Path) -> None:
    # Tokens live 2 s; the run takes about 4.5 s (--delay-request pauses between the
    # requests of an iteration): both tokens must be renewed, before they expire.
    items = [
        x
        for n in range(8)
        for x in (
            resource_groups(f"RG {n}", auth=v1_auth()),
            users(f"Users {n}", auth=v2_auth()),
        )
    ]
    with Emulator(token_lifetime=2) as emulator:
        run = run_cli(
            tmp_path, collection(None, *items), *emulator_env(emulator), "--delay-request", "300"
        )
        stats = emulator.stats
    assert run.code == 0, run.out
    assert stats.expired_token_requests == 0
    assert stats.tokens(APP, ARM) >= 2, stats.token_requests
    assert stats.tokens(APP, GRAPH.rstrip("/")) >= 2, stats.token_requests
    assert stats.token_requests_total == len(run.tokens())
    # Renewed before expiry, not after a 401: no request needed a second attempt.
    assert all(r["attempts"] == [] and r["status"] == 200 for r in run.requests())
    assert stats.api_requests == 16


def _rejecting_api(emulator: Emulator, reject: str) -> tuple[Handle, list[str]]:
    """Returns (handler, tokens seen): ARM's 401 for the first token (or every token with
    reject="all"); any other request is forwarded to the emulator unchanged."""
    seen_tokens: list[str] = []
    port = emulator.port

    def handle(seen: Seen) -> Reply:
        token = seen.headers.get("Authorization", "")
        seen_tokens.append(token)
        if reject == "all" or token == seen_tokens[0]:
            return json_reply(
                401,
                {"error": {"code": "InvalidAuthenticationToken", "message": "revoked"}},
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            headers = {k: v for k, v in seen.headers.items() if k.lower() != "host"}
            connection.request(seen.method, seen.path, body=seen.body or None, headers=headers)
            response = connection.getresponse()
            body = response.read()
            ctype = response.getheader("Content-Type") or "application/json"
            return response.status, {"Content-Type": ctype}, body
        finally:
            connection.close()

    return handle, seen_tokens


def test_401_gets_one_new_token_and_retries_once(
    emulator: Emulator, issued: Issued, tmp_path: Path
) -> None:
    handle, seen_tokens = _rejecting_api(emulator, "first")
    with stub_server(handle) as api:
        run = run_cli(
            tmp_path,
            collection(v1_auth(), resource_groups(), resource_groups("Again")),
            *emulator_env(emulator),
            "--var",
            f"armHost={api.url}",
        )
    assert run.code == 0, run.out
    assert emulator.stats.token_requests_total == 2
    # The API saw the first token, then the new one (twice: retry, next request).
    assert seen_tokens == [f"Bearer {issued.access[0]}"] + [f"Bearer {issued.access[1]}"] * 2
    first, second = run.requests()
    assert [(a["status"], a["reason"]) for a in first["attempts"]] == [
        (401, "401 with a token: renewed the token")
    ]
    assert first["status"] == 200 and first["outcome"] == "passed"
    assert second["attempts"] == []
    # The retry is part of the request's testcase, not one of its own.
    assert [c.name for c in run.cases if c.classname != "auth"] == ["List resource groups", "Again"]
    assert len(run.tokens()) == 2


def test_401_with_a_fresh_token_is_not_retried_again(emulator: Emulator, tmp_path: Path) -> None:
    handle, seen_tokens = _rejecting_api(emulator, "all")
    with stub_server(handle) as api:
        run = run_cli(
            tmp_path,
            collection(v1_auth(), resource_groups()),
            *emulator_env(emulator),
            "--var",
            f"armHost={api.url}",
        )
    assert run.code == 1
    assert emulator.stats.token_requests_total == 2
    assert len(seen_tokens) == 2 and seen_tokens[0] != seen_tokens[1]
    (request,) = run.requests()
    assert request["status"] == 401 and len(request["attempts"]) == 1
    assert run.case("List resource groups").outcome == "failure"


def test_401_retry_with_the_refresh_token_grant_uses_the_rotated_refresh_token(
    emulator: Emulator, tmp_path: Path
) -> None:
    # The emulator's refresh tokens are single-use: the retry must send the newest one.
    doc = bundled("refresh-token.json")
    handle, seen_tokens = _rejecting_api(emulator, "first")
    with stub_server(handle) as api:
        run = run_cli(tmp_path, doc, *emulator_env(emulator), "--var", f"graphHost={api.url}")
    assert run.code == 0, run.out
    assert emulator.stats.tokens(grant_type="refresh_token") == 2
    assert emulator.stats.token_errors == {}
    assert len(set(seen_tokens)) == 2


def test_a_failed_token_is_not_requested_again(emulator: Emulator, tmp_path: Path) -> None:
    doc = collection(v1_auth(), resource_groups(), resource_groups("Second"))
    run = run_cli(tmp_path, doc, *emulator_env(emulator), "--var", "clientSecret=wrong", "-n", "3")
    assert run.code == 1
    assert emulator.stats.token_requests_total == 1
    assert emulator.stats.api_requests == 0
    label = f"token: {APP} → {ARM}"
    token_case = run.case(label)
    assert token_case.outcome == "error" and "AADSTS7000215" in token_case.message
    requests = [c for c in run.cases if c.classname != "auth"]
    assert len(requests) == 6
    for case in requests:
        assert case.outcome == "error"
        assert case.message.startswith(f"not sent: no token ({label}): ")
        assert "AADSTS7000215" in case.message
    assert {r["error"] for r in run.requests()} == {run.requests()[0]["error"]}


def test_retry_allows_one_more_token_request_after_a_failure(
    emulator: Emulator, tmp_path: Path
) -> None:
    doc = collection(v1_auth(), resource_groups(), resource_groups("Second"), resource_groups("3"))
    run = run_cli(
        tmp_path, doc, *emulator_env(emulator), "--var", "clientSecret=wrong", "--retry", "1"
    )
    assert run.code == 1
    assert emulator.stats.token_requests_total == 2
    assert all(r["outcome"] == "error" for r in run.requests())
