"""v1 and v2 token responses: the expiry read from either, `bearerToken` and
`bearerTokenExpiresOn` set after each acquisition, and refresh tokens kept and used."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from token_e2e import (
    Issued,
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


def _echo(seen: Seen) -> Any:
    return json_reply(200, {"headers": {k.lower(): v for k, v in seen.headers.items()}})


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


@pytest.mark.parametrize("dialect", ["v1", "v2"])
def test_bearer_variables_after_acquisition(
    emulator: Emulator, issued: Issued, tmp_path: Path, dialect: str
) -> None:
    auth, first = (v1_auth(), resource_groups()) if dialect == "v1" else (v2_auth(), users())
    with stub_server(_echo) as echo:
        later = {
            "name": "Echo the variables",
            "url": f"{echo.url}/echo",
            "auth": {"type": "none"},
            "headers": {"X-Token": "<<bearerToken>>", "X-Expires": "<<bearerTokenExpiresOn>>"},
            "assert": {
                "status": 200,
                "jsonpath": {
                    "$.headers['x-expires']": {"matches": "^[0-9]{10}$"},
                    "$.headers['x-token']": {"matches": r"^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$"},
                },
            },
        }
        run = run_cli(tmp_path, collection(auth, first, later), *emulator_env(emulator))
        sent = echo.seen[-1].headers
    assert run.code == 0, run.out
    (token,) = issued.access
    assert sent["X-Token"] == token
    exp = _claims(token)["exp"]
    response = json.loads(run.tokens()[0]["exchange"]["response_body"])
    if dialect == "v1":
        # v1: strings of digits, expires_on is the expiry itself.
        assert isinstance(response["expires_in"], str) and isinstance(response["expires_on"], str)
        assert sent["X-Expires"] == response["expires_on"] == str(exp)
    else:
        # v2: expires_in is a number and there is no expires_on: computed from expires_in.
        assert isinstance(response["expires_in"], int) and "expires_on" not in response
        assert abs(int(sent["X-Expires"]) - exp) <= 2
    assert int(sent["X-Expires"]) > time.time() + 3000
    # bearerToken is a secret: the report shows it masked.
    echo_result = run.requests()[-1]
    headers = dict(echo_result["exchange"]["request_headers"])
    assert headers["X-Token"] == "***"
    assert response["access_token"] == "***"


def test_bearer_variables_follow_a_renewed_token(tmp_path: Path) -> None:
    with Emulator(token_lifetime=2) as emulator, stub_server(_echo) as echo:
        issued = Issued(emulator)
        later = {
            "name": "Echo",
            "url": f"{echo.url}/echo",
            "auth": {"type": "none"},
            "headers": {"X-Token": "<<bearerToken>>", "X-Expires": "<<bearerTokenExpiresOn>>"},
        }
        # --delay-request pauses between the requests of an iteration: one iteration, 10
        # requests, about 3.6 s with tokens that live 2 s.
        items = [
            x for n in range(5) for x in (resource_groups(f"RG {n}"), dict(later, name=f"Echo {n}"))
        ]
        run = run_cli(
            tmp_path,
            collection(v1_auth(), *items),
            *emulator_env(emulator),
            "--delay-request",
            "400",
        )
        seen = [(s.headers["X-Token"], s.headers["X-Expires"]) for s in echo.seen]
    assert run.code == 0, run.out
    assert len(issued.access) >= 2
    # Each echo carries the token current at that point and its expiry.
    for token, expires in seen:
        assert token in issued.access
        assert expires == str(_claims(token)["exp"])
    assert len({token for token, _ in seen}) >= 2


def test_refresh_token_grant_keeps_using_the_newest_refresh_token(tmp_path: Path) -> None:
    # Emulator refresh tokens are single-use: a renewal works only with the rotated one.
    doc = bundled("refresh-token.json")
    me = doc["items"][1]
    doc["items"].extend(dict(me, name=f"Me again {n}") for n in range(1, 5))
    with Emulator(token_lifetime=2) as emulator:
        issued = Issued(emulator)
        run = run_cli(tmp_path, doc, *emulator_env(emulator), "--delay-request", "600")
        stats = emulator.stats
    assert run.code == 0, run.out
    assert stats.tokens(grant_type="password") == 1
    assert stats.tokens(grant_type="refresh_token") >= 2
    assert stats.token_errors == {} and stats.expired_token_requests == 0
    # Each refresh sent the refresh token issued by the previous answer.
    sent = [t["exchange"]["request_body"] for t in run.tokens()]
    assert all("grant_type=refresh_token" in body and "refresh_token=***" in body for body in sent)
    assert len(issued.refresh) == 1 + len(run.tokens())
    assert not any(token in run.everything for token in issued.refresh)
