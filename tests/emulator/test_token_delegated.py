"""Delegated grants: password (ROPC), rotating refresh tokens, device code."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from runner.emulator import Emulator

from .helpers import (
    ARM,
    MFA_USER,
    PASSWORD,
    PUBLIC_APP,
    TENANT,
    TENANT_ID,
    USER,
    aadsts,
    claims_of,
    token_json,
)

ROPC = {"grant_type": "password", "client_id": PUBLIC_APP, "username": USER, "password": PASSWORD}
USER_ID = "00000000-0000-0000-0000-0000000001a1"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def test_password_v1_gives_refresh_token_and_scp(
    emulator: Emulator, http: requests.Session
) -> None:
    body = token_json(http, emulator.url, **ROPC, resource=ARM).json()
    claims = claims_of(body["access_token"])
    assert body["refresh_token"] and body["expires_in"].isdigit()
    assert claims["scp"] == "user_impersonation" and claims["upn"] == USER
    assert claims["oid"] == "00000000-0000-0000-0000-0000000001a1" and "roles" not in claims


def test_password_v2_refresh_token_only_with_offline_access(
    emulator: Emulator, http: requests.Session
) -> None:
    without = token_json(http, emulator.url, "v2", **ROPC, scope="User.Read").json()
    with_offline = token_json(
        http, emulator.url, "v2", **ROPC, scope="User.Read offline_access"
    ).json()
    assert "refresh_token" not in without and without["scope"] == "User.Read"
    assert with_offline["refresh_token"]
    assert with_offline["scope"] == "User.Read offline_access"
    assert claims_of(with_offline["access_token"])["aud"] == "00000003-0000-0000-c000-000000000000"


def test_sign_in_fields_come_only_when_asked(emulator: Emulator, http: requests.Session) -> None:
    # MSAL asks with openid in the scope and client_info=1, and builds its account from both.
    asked = token_json(
        http, emulator.url, "v2", **ROPC, scope="User.Read openid profile", client_info="1"
    ).json()
    id_claims = claims_of(asked["id_token"])
    assert id_claims["aud"] == PUBLIC_APP and id_claims["preferred_username"] == USER
    assert id_claims["iss"] == f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"
    assert id_claims["oid"] == USER_ID and id_claims["tid"] == TENANT_ID
    assert id_claims["name"] == "Adele Vance" and id_claims["sub"] != USER_ID
    info = asked["client_info"]
    decoded = json.loads(base64.urlsafe_b64decode(info + "=" * (-len(info) % 4)))
    assert decoded == {"uid": USER_ID, "utid": TENANT_ID}
    # The access token beside it is v1 (Graph), whatever the endpoint.
    assert claims_of(asked["access_token"])["ver"] == "1.0"
    plain = token_json(http, emulator.url, "v2", **ROPC, scope="User.Read").json()
    assert "id_token" not in plain and "client_info" not in plain


def test_password_on_common_resolves_tenant_from_username(
    emulator: Emulator, http: requests.Session
) -> None:
    response = token_json(http, emulator.url, tenant="organizations", **ROPC, resource=ARM)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"username": "nobody@contoso.onmicrosoft.com"}, 50034),
        ({"password": "wrong"}, 50126),
        ({"username": MFA_USER}, 50076),
        ({"username": "megan.bowen@contoso.onmicrosoft.com"}, 50126),
    ],
)
def test_password_errors(
    emulator: Emulator, http: requests.Session, changes: dict[str, str], code: int
) -> None:
    response = token_json(http, emulator.url, **{**ROPC, **changes}, resource=ARM)
    assert response.status_code == 400
    assert (aadsts(response), response.json()["error"]) == (code, "invalid_grant")


def test_unconsented_scope_is_65001(emulator: Emulator, http: requests.Session) -> None:
    scope = "https://graph.microsoft.com/Mail.Read"
    response = token_json(http, emulator.url, "v2", **ROPC, scope=scope)
    assert aadsts(response) == 65001 and response.json()["error"] == "invalid_grant"


def test_public_client_rejects_a_secret(emulator: Emulator, http: requests.Session) -> None:
    response = token_json(http, emulator.url, **ROPC, client_secret="x", resource=ARM)
    assert response.status_code == 401 and aadsts(response) == 700025


def test_refresh_token_rotates_and_old_one_is_refused(
    emulator: Emulator, http: requests.Session
) -> None:
    first = token_json(http, emulator.url, **ROPC, resource=ARM).json()
    form = {"grant_type": "refresh_token", "client_id": PUBLIC_APP}
    second = token_json(http, emulator.url, **form, refresh_token=first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert claims_of(second.json()["access_token"])["aud"] == ARM
    reused = token_json(http, emulator.url, **form, refresh_token=first["refresh_token"])
    assert reused.status_code == 400 and aadsts(reused) == 70000
    third = token_json(http, emulator.url, **form, refresh_token=second.json()["refresh_token"])
    assert third.status_code == 200


def test_refresh_token_for_another_resource(emulator: Emulator, http: requests.Session) -> None:
    first = token_json(http, emulator.url, **ROPC, resource=ARM).json()
    form = {"grant_type": "refresh_token", "client_id": PUBLIC_APP}
    graph = token_json(
        http, emulator.url, "v2", **form, refresh_token=first["refresh_token"], scope="User.Read"
    ).json()
    assert graph["scope"] == "User.Read offline_access" and graph["refresh_token"]


def test_unknown_refresh_token_is_70000(emulator: Emulator, http: requests.Session) -> None:
    form = {"grant_type": "refresh_token", "client_id": PUBLIC_APP, "refresh_token": "bogus"}
    response = token_json(http, emulator.url, **form)
    assert aadsts(response) == 70000


def _device_code(
    emulator: Emulator, http: requests.Session, client_id: str, version: str = "v2.0/"
) -> requests.Response:
    audience = {"scope": "User.Read offline_access"} if version else {"resource": ARM}
    url = f"{emulator.url}/{TENANT}/oauth2/{version}devicecode"
    return http.post(url, data={"client_id": client_id, **audience}, timeout=10)


def _poll(
    emulator: Emulator, http: requests.Session, client_id: str, code: str
) -> requests.Response:
    form = {"grant_type": DEVICE_GRANT, "client_id": client_id, "device_code": code}
    return token_json(http, emulator.url, "v2", **form)


def test_device_code_flow_pending_then_tokens(emulator: Emulator, http: requests.Session) -> None:
    start = _device_code(emulator, http, PUBLIC_APP).json()
    assert start["verification_uri"] and start["interval"] == 1 and start["expires_in"] == 900
    assert start["user_code"] in start["message"]
    pending = _poll(emulator, http, PUBLIC_APP, start["device_code"])
    assert pending.json()["error"] == "authorization_pending" and aadsts(pending) == 70016
    done = _poll(emulator, http, PUBLIC_APP, start["device_code"])
    assert done.status_code == 200 and done.json()["refresh_token"]
    assert claims_of(done.json()["access_token"])["upn"] == USER
    again = _poll(emulator, http, PUBLIC_APP, start["device_code"])
    assert again.status_code == 400 and aadsts(again) == 70000


def test_v1_device_code_uses_verification_url_and_strings(
    emulator: Emulator, http: requests.Session
) -> None:
    start = _device_code(emulator, http, PUBLIC_APP, version="").json()
    assert "verification_url" in start and "verification_uri" not in start
    assert start["expires_in"] == "900" and start["interval"] == "1"


@pytest.mark.parametrize(
    ("client_id", "error", "code"),
    [
        ("00000000-0000-0000-0000-0000000000d1", "authorization_declined", 70000),
        ("00000000-0000-0000-0000-0000000000d2", "expired_token", 70019),
        ("00000000-0000-0000-0000-0000000000d3", "slow_down", 70016),
    ],
)
def test_device_code_special_clients(
    emulator: Emulator, http: requests.Session, client_id: str, error: str, code: int
) -> None:
    start = _device_code(emulator, http, client_id).json()
    response = _poll(emulator, http, client_id, start["device_code"])
    assert (response.json()["error"], aadsts(response)) == (error, code)


def test_slow_down_client_eventually_gets_tokens(
    emulator: Emulator, http: requests.Session
) -> None:
    client_id = "00000000-0000-0000-0000-0000000000d3"
    code = _device_code(emulator, http, client_id).json()["device_code"]
    errors = [_poll(emulator, http, client_id, code).json().get("error") for _ in range(3)]
    assert errors == ["slow_down", "authorization_pending", None]


def test_device_code_for_unknown_app_is_700016(emulator: Emulator, http: requests.Session) -> None:
    response = _device_code(emulator, http, "99999999-0000-0000-0000-000000000000")
    assert response.status_code == 400 and aadsts(response) == 700016
