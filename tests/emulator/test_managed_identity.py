"""Managed identity: App Service ``/msi/token`` and VM IMDS."""

from __future__ import annotations

import pytest
import requests

from runner.emulator import Emulator

from .helpers import ARM, TENANT_ID, claims_of

HEADER = {"X-IDENTITY-HEADER": "emulator-identity-header-NOT-REAL"}
SYSTEM = "00000000-0000-0000-0000-0000000000e1"
USER_ASSIGNED = "00000000-0000-0000-0000-0000000000e2"


def _app_service(
    emulator: Emulator, http: requests.Session, headers: dict[str, str], **query: str
) -> requests.Response:
    params = {"resource": ARM, "api-version": "2019-08-01", **query}
    return http.get(f"{emulator.url}/msi/token", params=params, headers=headers, timeout=10)


def _imds(
    emulator: Emulator, http: requests.Session, headers: dict[str, str], **query: str
) -> requests.Response:
    params = {"resource": ARM, "api-version": "2018-02-01", **query}
    url = f"{emulator.url}/metadata/identity/oauth2/token"
    return http.get(url, params=params, headers=headers, timeout=10)


def test_app_service_system_assigned(emulator: Emulator, http: requests.Session) -> None:
    body = _app_service(emulator, http, HEADER).json()
    assert body["client_id"] == SYSTEM and body["resource"] == ARM
    assert body["token_type"] == "Bearer" and body["expires_on"].isdigit()
    claims = claims_of(body["access_token"])
    assert claims["appid"] == SYSTEM and claims["tid"] == TENANT_ID
    assert claims["exp"] == int(body["expires_on"])


def test_app_service_user_assigned(emulator: Emulator, http: requests.Session) -> None:
    body = _app_service(emulator, http, HEADER, client_id=USER_ASSIGNED).json()
    assert body["client_id"] == USER_ASSIGNED
    assert claims_of(body["access_token"])["oid"] == "00000000-0000-0000-0000-0000000000e9"


def test_app_service_graph_token_carries_roles(emulator: Emulator, http: requests.Session) -> None:
    body = _app_service(emulator, http, HEADER, resource="https://graph.microsoft.com").json()
    assert claims_of(body["access_token"])["roles"] == ["User.Read.All"]


@pytest.mark.parametrize(
    ("headers", "query", "status"),
    [
        ({}, {}, 401),
        ({"X-IDENTITY-HEADER": "wrong"}, {}, 401),
        (HEADER, {"api-version": "2017-09-01"}, 400),
        (HEADER, {"client_id": "99999999-0000-0000-0000-000000000000"}, 400),
        (HEADER, {"resource": ""}, 400),
    ],
)
def test_app_service_errors(
    emulator: Emulator,
    http: requests.Session,
    headers: dict[str, str],
    query: dict[str, str],
    status: int,
) -> None:
    response = _app_service(emulator, http, headers, **query)
    body = response.json()
    assert response.status_code == status and body["statusCode"] == status
    assert body["message"] and "access_token" not in body


def test_imds_token_has_string_numbers(emulator: Emulator, http: requests.Session) -> None:
    body = _imds(emulator, http, {"Metadata": "true"}).json()
    assert body["client_id"] == SYSTEM and body["resource"] == ARM
    for field in ("expires_in", "expires_on", "ext_expires_in", "not_before"):
        assert isinstance(body[field], str) and body[field].isdigit()
    assert claims_of(body["access_token"])["aud"] == ARM


def test_imds_needs_metadata_header(emulator: Emulator, http: requests.Session) -> None:
    response = _imds(emulator, http, {})
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Required metadata header not specified",
    }


def test_imds_unknown_identity_and_resource(emulator: Emulator, http: requests.Session) -> None:
    unknown = _imds(emulator, http, {"Metadata": "true"}, client_id="nope")
    bad_resource = _imds(emulator, http, {"Metadata": "true"}, resource="https://x.example")
    assert (
        unknown.status_code == 400 and unknown.json()["error_description"] == "Identity not found"
    )
    assert bad_resource.json()["error"] == "invalid_resource"
    assert "AADSTS500011" in bad_resource.json()["error_description"]
