"""`runner token`: the token response masked by default, the token itself only with
--show-token, the decoded claims, and clear failures (exit 1 / exit 2)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jwt
from token_e2e import (
    APP,
    COLLECTIONS,
    PASSWORD,
    SECRET,
    TENANT_ID,
    Issued,
    cli,
    emulator_env,
    write_json,
)

from runner.emulator import Emulator


def _response_and_claims(out: str) -> tuple[dict[str, object], dict[str, str]]:
    """Splits the output into the printed token response and the `name: value` claims."""
    body, _, rest = out.partition("\nclaims:\n")
    claims = dict(line.strip().split(": ", 1) for line in rest.splitlines() if line.strip())
    return json.loads(body), claims


def test_token_is_masked_and_claims_are_shown(emulator: Emulator, issued: Issued) -> None:
    code, out, err = cli("token", str(COLLECTIONS / "graph-users.json"), *emulator_env(emulator))
    assert code == 0, err
    response, claims = _response_and_claims(out)
    assert response["access_token"] == "***" and response["token_type"] == "Bearer"
    assert response["expires_in"] == 3599
    (token,) = issued.access
    assert token not in out and SECRET not in out + err
    decoded = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == decoded["aud"] == "https://graph.microsoft.com"
    assert claims["tid"] == TENANT_ID
    assert claims["appid"] == APP
    assert json.loads(claims["roles"]) == ["User.Read.All", "Application.Read.All"]
    # exp as a date, the token's own exp.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", claims["exp"])
    assert claims["exp"] == datetime.fromtimestamp(decoded["exp"], UTC).isoformat()
    assert emulator.stats.token_requests_total == 1


def test_v1_token_shows_appid_and_string_expiry(emulator: Emulator, issued: Issued) -> None:
    source = COLLECTIONS / "arm-resource-groups.json"
    code, out, _ = cli("token", str(source), *emulator_env(emulator))
    assert code == 0
    response, claims = _response_and_claims(out)
    assert response["resource"] == "https://management.azure.com/"
    assert isinstance(response["expires_on"], str) and response["access_token"] == "***"
    assert claims["appid"] == APP and "azp" not in claims
    assert claims["aud"] == "https://management.azure.com/"
    assert "roles" not in claims  # ARM tokens carry no app roles
    expected = datetime.fromtimestamp(int(str(response["expires_on"])), UTC).isoformat()
    assert claims["exp"] == expected
    assert issued.access[0] not in out


def test_show_token_prints_the_token(emulator: Emulator, issued: Issued) -> None:
    code, out, _ = cli(
        "token", str(COLLECTIONS / "graph-users.json"), *emulator_env(emulator), "--show-token"
    )
    assert code == 0
    response, _claims = _response_and_claims(out)
    (token,) = issued.access
    assert response["access_token"] == token
    assert SECRET not in out


def test_auth_file_with_its_own_values(emulator: Emulator, tmp_path: Path, issued: Issued) -> None:
    auth = {
        "type": "oauth2",
        "grantType": "client_credentials",
        "tokenUrl": f"{emulator.url}/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "clientId": APP,
        "clientSecret": "<<clientSecret>>",
        "scope": "https://management.azure.com/.default",
    }
    code, out, err = cli(
        "token", str(write_json(tmp_path, auth, "auth")), "--var", f"clientSecret={SECRET}"
    )
    assert code == 0, err
    _, claims = _response_and_claims(out)
    assert claims["aud"] == "https://management.azure.com"
    assert emulator.stats.tokens(APP, "https://management.azure.com/", "client_credentials") == 1


def test_bad_secret_fails_with_the_aadsts_explanation(emulator: Emulator) -> None:
    code, out, err = cli(
        "token",
        str(COLLECTIONS / "graph-users.json"),
        *emulator_env(emulator),
        "--var",
        "clientSecret=not-the-secret",
    )
    assert code == 1
    assert out == ""
    assert err.startswith("failed: ") and "AADSTS7000215" in err and "invalid_client" in err
    assert "hint: the client secret is wrong" in err and "not its Secret ID" in err
    assert "not-the-secret" not in err and "Traceback" not in err


def test_collection_without_a_token_auth_is_invalid_input(tmp_path: Path) -> None:
    doc = {
        "name": "no oauth2",
        "auth": {"type": "bearer", "token": "static-NOT-REAL"},
        "items": [{"name": "x", "url": "http://127.0.0.1:9/x"}],
    }
    code, out, err = cli("token", str(write_json(tmp_path, doc)))
    assert code == 2
    assert out == ""
    assert "no oauth2 or azure auth block found" in err and "static-NOT-REAL" not in err


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    code, _, err = cli("token", str(tmp_path / "nothing.json"))
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err


def test_delegated_token_shows_scp_and_masks_the_refresh_token(
    emulator: Emulator, tmp_path: Path, issued: Issued
) -> None:
    auth = {
        "type": "oauth2",
        "grantType": "password",
        "tokenUrl": "<<authorityHost>>/<<tenantId>>/oauth2/v2.0/token",
        "clientId": "<<publicClientId>>",
        "username": "<<username>>",
        "password": "<<userPassword>>",
        "scope": "https://graph.microsoft.com/User.Read offline_access",
    }
    source = write_json(tmp_path, auth, "auth")
    code, out, err = cli("token", str(source), *emulator_env(emulator), "--show-token")
    assert code == 0, err
    response, claims = _response_and_claims(out)
    assert claims["scp"] == "User.Read" and "roles" not in claims
    assert response["access_token"] == issued.access[0]  # asked for with --show-token
    assert response["refresh_token"] == "***"  # never shown
    assert issued.refresh[0] not in out and PASSWORD not in out + err
