"""Token endpoints: client credentials with a secret, response dialects and AADSTS errors."""

from __future__ import annotations

import time

import pytest
import requests

from runner.emulator import Emulator

from .helpers import (
    APP,
    ARM,
    FABRIKAM_APP,
    GRAPH_DEFAULT,
    LEGACY_APP,
    SECRET,
    TENANT,
    TENANT_ID,
    aadsts,
    claims_of,
    token_json,
)

CC = {"grant_type": "client_credentials", "client_id": APP, "client_secret": SECRET}


def test_v1_success_has_string_numbers_and_resource(
    emulator: Emulator, http: requests.Session
) -> None:
    response = token_json(http, emulator.url, **CC, resource=ARM)
    body = response.json()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert body["token_type"] == "Bearer" and body["resource"] == ARM
    for field in ("expires_in", "ext_expires_in", "expires_on", "not_before"):
        assert isinstance(body[field], str) and body[field].isdigit(), field
    assert int(body["expires_in"]) == 3599
    assert abs(int(body["expires_on"]) - time.time() - 3599) < 5
    assert "refresh_token" not in body


def test_v1_token_claims(emulator: Emulator, http: requests.Session) -> None:
    body = token_json(http, emulator.url, **CC, resource=ARM).json()
    claims = claims_of(body["access_token"])
    assert claims["aud"] == ARM and claims["tid"] == TENANT_ID
    assert claims["appid"] == APP and claims["ver"] == "1.0"
    assert claims["oid"] == "00000000-0000-0000-0000-0000000000a2"
    assert claims["exp"] == int(body["expires_on"]) and "roles" not in claims
    assert claims["iss"] == f"https://sts.windows.net/{TENANT_ID}/"


def test_v2_success_has_numbers_and_no_expires_on(
    emulator: Emulator, http: requests.Session
) -> None:
    body = token_json(http, emulator.url, "v2", **CC, scope=GRAPH_DEFAULT).json()
    assert body["expires_in"] == 3599 and body["ext_expires_in"] == 3599
    assert "expires_on" not in body and "refresh_token" not in body
    claims = claims_of(body["access_token"])
    # Graph is a first-party resource: a v1 token whichever endpoint issued it.
    assert claims["appid"] == APP and claims["ver"] == "1.0" and "azp" not in claims
    assert claims["iss"] == f"https://sts.windows.net/{TENANT_ID}/"
    assert claims["aud"] == "https://graph.microsoft.com"
    assert sorted(claims["roles"]) == ["Application.Read.All", "User.Read.All"]


@pytest.mark.parametrize(
    "resource", ["https://management.core.windows.net/", "https://management.azure.com"]
)
def test_arm_audience_spellings_are_accepted(
    emulator: Emulator, http: requests.Session, resource: str
) -> None:
    body = token_json(http, emulator.url, **CC, resource=resource).json()
    assert claims_of(body["access_token"])["aud"] == resource


def test_tenant_by_guid_and_domain(emulator: Emulator, http: requests.Session) -> None:
    by_id = token_json(http, emulator.url, tenant=TENANT_ID, **CC, resource=ARM)
    assert by_id.status_code == 200
    assert claims_of(by_id.json()["access_token"])["tid"] == TENANT_ID


def test_error_json_has_entra_shape(emulator: Emulator, http: requests.Session) -> None:
    response = token_json(http, emulator.url, **{**CC, "client_secret": "wrong"}, resource=ARM)
    body = response.json()
    assert response.status_code == 401 and body["error"] == "invalid_client"
    assert body["error_codes"] == [7000215]
    assert body["error_description"].startswith("AADSTS7000215: ")
    assert (
        f"\r\nTrace ID: {body['trace_id']}\r\nCorrelation ID: {body['correlation_id']}"
        in (body["error_description"])
    )
    assert body["error_description"].endswith(f"Timestamp: {body['timestamp']}")
    assert body["error_uri"] == "https://login.microsoftonline.com/error?code=7000215"


@pytest.mark.parametrize(
    ("changes", "tenant", "status", "code", "error"),
    [
        ({}, "nope.onmicrosoft.com", 400, 90002, "invalid_request"),
        ({"client_id": "99999999-0000-0000-0000-000000000000"}, TENANT, 400, 700016,
         "unauthorized_client"),
        ({"client_id": FABRIKAM_APP}, TENANT, 400, 700016, "unauthorized_client"),
        ({"client_id": LEGACY_APP, "client_secret": "emulator-secret-expired-NOT-REAL"}, TENANT,
         401, 7000222, "invalid_client"),
        ({"client_secret": ""}, TENANT, 401, 7000218, "invalid_client"),
        ({"resource": "https://vault.azure.net"}, TENANT, 400, 500011, "invalid_resource"),
        ({}, "common", 400, 50059, "invalid_request"),
        ({}, "organizations", 400, 50059, "invalid_request"),
        ({"grant_type": "magic"}, TENANT, 400, 70003, "unsupported_grant_type"),
        ({"resource": ""}, TENANT, 400, 900144, "invalid_request"),
    ],
)  # fmt: skip
def test_v1_errors(
    emulator: Emulator,
    http: requests.Session,
    changes: dict[str, str],
    tenant: str,
    status: int,
    code: int,
    error: str,
) -> None:
    form = {**CC, "resource": ARM, **changes}
    response = token_json(http, emulator.url, tenant=tenant, **form)
    assert (response.status_code, aadsts(response), response.json()["error"]) == (
        status,
        code,
        error,
    )


def test_expiring_secret_still_works(emulator: Emulator, http: requests.Session) -> None:
    form = {**CC, "client_id": LEGACY_APP, "client_secret": "emulator-secret-expiring-NOT-REAL"}
    assert token_json(http, emulator.url, **form, resource=ARM).status_code == 200


@pytest.mark.parametrize(
    ("scope", "code"),
    [
        ("https://graph.microsoft.com/User.Read.All", 1002012),
        ("User.Read", 1002012),
        ("", 70011),
        ("https://graph.microsoft.com/.default https://management.azure.com/.default", 70011),
        ("https://unknown.example.com/.default", 500011),
        (None, 901002),
    ],
)
def test_v2_scope_errors(
    emulator: Emulator, http: requests.Session, scope: str | None, code: int
) -> None:
    audience = {"scope": scope} if scope is not None else {"resource": ARM}
    response = token_json(http, emulator.url, "v2", **CC, **audience)
    assert response.status_code == 400
    assert aadsts(response) == code
    assert response.json()["error"] in ("invalid_scope", "invalid_resource", "invalid_request")


def test_json_body_is_rejected(emulator: Emulator, http: requests.Session) -> None:
    url = f"{emulator.url}/{TENANT}/oauth2/token"
    response = http.post(url, json={**CC, "resource": ARM}, timeout=10)
    assert response.status_code == 400 and aadsts(response) == 900144


def test_get_on_token_endpoint_is_rejected(emulator: Emulator, http: requests.Session) -> None:
    response = http.get(f"{emulator.url}/{TENANT}/oauth2/v2.0/token", timeout=10)
    assert response.status_code == 400 and aadsts(response) == 900561


def test_secret_id_instead_of_value_is_7000215(emulator: Emulator, http: requests.Session) -> None:
    form = {**CC, "client_secret": "00000000-0000-0000-0000-00000000e001"}
    response = token_json(http, emulator.url, **form, resource=ARM)
    assert aadsts(response) == 7000215
    assert "client secret value, not the client secret ID" in response.json()["error_description"]
