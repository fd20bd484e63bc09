"""No client secret, password, access token or refresh token in any output: stdout, stderr,
JUnit and JSON, with --verbose, on success and on failure. Searched for the literal values,
read from the emulator's side."""

from __future__ import annotations

import re
from pathlib import Path

from token_e2e import (
    ALL_LITERAL_SECRETS,
    COLLECTIONS,
    NOPERM,
    NOPERM_SECRET,
    PASSWORD,
    SECRET,
    Issued,
    Reply,
    Run,
    Seen,
    bundled,
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
)

from runner.emulator import Emulator

JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}")


def _assert_clean(text: str, issued: Issued) -> None:
    assert issued.access, "the emulator issued tokens in this test"
    for secret in ALL_LITERAL_SECRETS:
        assert secret not in text
    for token in issued.all:
        assert token not in text
        # Not even a recognisable piece of it.
        assert token[:40] not in text and token[-40:] not in text
    assert JWT.search(text) is None, JWT.search(text)
    assert "emulator-rt." not in text


def _everything(tmp_path: Path, emulator: Emulator, *extra: str) -> Run:
    refresh = bundled("refresh-token.json")
    doc = collection(
        None,
        {"name": "ARM v1", "auth": v1_auth(), "items": [resource_groups()]},
        {"name": "Graph v2", "auth": v2_auth(), "items": [users()]},
        {"name": "Delegated", "items": refresh["items"]},
        {
            "name": "Echo the bearer variables",
            "auth": v1_auth(),
            "items": [
                resource_groups(
                    "Token in a header and the query",
                    headers={"X-Token": "<<bearerToken>>", "X-Secret": "<<clientSecret>>"},
                    query={"api-version": "2020-09-01", "t": "<<bearerToken>>"},
                )
            ],
        },
    )
    return run_cli(tmp_path, doc, *emulator_env(emulator), "--verbose", *extra)


def test_no_secret_or_token_in_any_output_of_a_passing_run(
    emulator: Emulator, issued: Issued, tmp_path: Path
) -> None:
    run = _everything(tmp_path, emulator)
    assert run.code == 0, run.out
    assert emulator.stats.token_requests_total == 4  # ARM, Graph, password, refresh
    assert len(issued.access) == 4 and len(issued.refresh) == 2
    # --verbose really shows the exchanges, masked.
    assert "> Authorization: ***" in run.out
    assert "client_secret=***" in run.out and "password=***" in run.out
    assert '"access_token": "***"' in run.out or '"access_token":"***"' in run.out
    assert '"refresh_token":"***"' in run.out.replace(" ", "")
    _assert_clean(run.everything, issued)
    tokens = run.tokens()
    assert all("client_secret=***" in t["exchange"]["request_body"] for t in tokens[:2])


def test_no_secret_or_token_in_the_output_of_failing_runs(
    emulator: Emulator, issued: Issued, tmp_path: Path
) -> None:
    texts = []
    # A 403 (no role) with a valid token, then a wrong password and a wrong secret.
    run = _everything(
        tmp_path / "a",
        emulator,
        "--var",
        f"clientId={NOPERM}",
        "--var",
        f"clientSecret={NOPERM_SECRET}",
    )
    assert run.code == 1
    texts.append(run.everything)
    wrong = "wrong-secret-value-NOT-REAL"
    run = _everything(tmp_path / "b", emulator, "--var", f"clientSecret={wrong}")
    assert run.code == 1 and "AADSTS7000215" in run.out
    assert wrong not in run.everything
    texts.append(run.everything)
    run = _everything(tmp_path / "c", emulator, "--var", "userPassword=another-wrong-password")
    assert run.code == 1 and "AADSTS50126" in run.out
    assert "another-wrong-password" not in run.everything
    texts.append(run.everything)
    _assert_clean("\n".join(texts), issued)


def test_runner_token_masks_everything_but_the_asked_for_token(
    emulator: Emulator, issued: Issued
) -> None:
    source = str(COLLECTIONS / "graph-users.json")
    code, out, err = cli("token", source, *emulator_env(emulator))
    assert code == 0
    _assert_clean(out + err, issued)
    code, out, err = cli("token", source, *emulator_env(emulator), "--var", "clientSecret=bad-one")
    assert code == 1
    _assert_clean(out + err, issued)
    assert "bad-one" not in out + err
    assert SECRET not in out + err and PASSWORD not in out + err


def test_tokens_in_an_ordinary_response_are_masked_short_words_are_not(tmp_path: Path) -> None:
    # A hand-written token request (no oauth2 block): its answer's tokens are secrets too,
    # wherever they show up later; a short value under such a key is left alone.
    access = "opaque-access-token-value-NOT-REAL"

    def handle(seen: Seen) -> Reply:
        if seen.path == "/token":
            return json_reply(200, {"access_token": access, "assertion": "passed"})
        return json_reply(200, {"echo": seen.headers.get("X-Token", "")})

    with stub_server(handle) as stub:
        doc = collection(
            None,
            {
                "name": "Get a token",
                "method": "POST",
                "url": f"{stub.url}/token",
                "capture": {"accessToken": "$.access_token"},
                "assert": {"jsonpath": {"$.assertion": "passed"}},
            },
            {
                "name": "Use it",
                "url": f"{stub.url}/echo",
                "headers": {"X-Token": "<<accessToken>>"},
                "assert": {"jsonpath": {"$.echo": {"equals": "wrong on purpose"}}},
            },
        )
        run = run_cli(tmp_path, doc, "--verbose")
    assert run.code == 1  # the second assertion fails and prints the actual (masked) value
    assert access not in run.everything and access[:20] not in run.everything
    assert '"access_token": "***"' in run.out
    assert '"assertion": "passed"' in run.out
