"""Issue 10 point 10: every token failure carries the endpoint's `error`, its AADSTS code
and the plain-words hint, reported once on the token step; the requests that needed the
token say they were not sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from token_e2e import TENANT, collection, emulator_env, resource_groups, run_cli, v1_auth

from runner.emulator import Emulator

DECLINING_CLIENT = "00000000-0000-0000-0000-0000000000d1"  # the emulator's "user declines"


def test_declined_device_code_keeps_the_endpoints_words(emulator: Emulator, tmp_path: Path) -> None:
    auth = {
        "type": "azure",
        "credential": "device_code",
        "tenantId": TENANT,
        "clientId": DECLINING_CLIENT,
        "scope": "https://management.azure.com/.default",
        "authorityHost": "<<authorityHost>>",
    }
    doc = collection(auth, resource_groups("First"), resource_groups("Second"))
    run = run_cli(tmp_path, doc, *emulator_env(emulator))
    assert run.code == 1
    assert emulator.stats.api_requests == 0
    (token,) = run.tokens()
    # The plain words, the endpoint's error and its AADSTS number, and what to do.
    assert token["error"].startswith("device code sign-in was declined by the user: ")
    assert "400 authorization_declined: AADSTS70000" in token["error"]
    assert token["hint"] == "sign in again and accept the request"
    label = token["name"]
    case = run.case(label)
    assert "authorization_declined" in case.message and "AADSTS70000" in case.message
    assert "sign in again" in case.text
    # Reported once: the requests that needed the token only say they were not sent.
    for name in ("First", "Second"):
        expected = f"not sent: no token ({label}): 400 authorization_declined AADSTS70000"
        assert run.case(name).message == expected
    assert run.out.count("declined by the user") == 1
    assert run.out.count("hint: sign in again") == 1


def test_wrong_secret_reported_once_with_error_code_and_hint(
    emulator: Emulator, tmp_path: Path
) -> None:
    doc = collection(v1_auth(), resource_groups("First"), resource_groups("Second"))
    run = run_cli(tmp_path, doc, *emulator_env(emulator), "--var", "clientSecret=wrong-NOT-REAL")
    assert run.code == 1
    (token,) = run.tokens()
    assert "401 invalid_client: AADSTS7000215" in token["error"]
    assert token["hint"] and "secret" in token["hint"]
    assert [r["error"] for r in run.requests()] == [
        f"not sent: no token ({token['name']}): 401 invalid_client AADSTS7000215"
    ] * 2
    assert run.out.count("AADSTS7000215:") == 1  # the description, once, on the token step
    assert run.out.count("hint:") == 1


@pytest.mark.parametrize(
    ("message", "gist"),
    [
        (
            "token request failed: 401 invalid_client: AADSTS7000215: Invalid client secret "
            "provided. (trace_id=a, correlation_id=b)",
            "401 invalid_client AADSTS7000215",
        ),
        (
            "token request failed: 400 invalid_grant: The refresh token has expired (trace_id=x)",
            "400 invalid_grant: The refresh token has expired",
        ),
        ("token request failed: 400 invalid_grant", "400 invalid_grant"),
        (
            "token endpoint answered 500 Internal Server Error with a body that is not JSON",
            "token endpoint answered 500 Internal Server Error with a body that is not JSON",
        ),
        (
            "token request failed: connection refused by 127.0.0.1:9\nmore",
            "token request failed: connection refused by 127.0.0.1:9",
        ),
    ],
)
def test_gist_keeps_error_and_code_or_description(message: str, gist: str) -> None:
    from runner.auth.aad import token_error_gist

    assert token_error_gist(message) == gist
