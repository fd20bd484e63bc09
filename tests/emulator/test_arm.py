"""ARM: subscriptions and resource groups, paging, api-version, auth and role checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from runner.emulator import Emulator

from .helpers import (
    FABRIKAM_APP,
    FABRIKAM_SECRET,
    FABRIKAM_SUB,
    NO_ROLES_APP,
    NO_ROLES_SECRET,
    SUB,
    app_token,
    bearer,
    claims_of,
)

RGS = f"/subscriptions/{SUB}/resourcegroups"
ALL_GROUPS = ["rg-web-prod", "rg-data-prod", "rg-network", "rg-monitoring", "NetworkWatcherRG"]


@pytest.fixture(scope="module")
def arm_token(emulator: Emulator) -> Iterator[str]:
    with requests.Session() as http:
        yield app_token(http, emulator.url)


def _get(
    emulator: Emulator, http: requests.Session, path: str, token: str | None, **params: str
) -> requests.Response:
    headers = bearer(token) if token else {}
    return http.get(emulator.url + path, params=params, headers=headers, timeout=10)


def test_resource_groups_page_with_next_link(
    emulator: Emulator, http: requests.Session, arm_token: str
) -> None:
    response = _get(emulator, http, RGS, arm_token, **{"api-version": "2020-09-01"})
    names: list[str] = []
    pages = 0
    while True:
        assert response.status_code == 200 and response.headers["x-ms-request-id"]
        body = response.json()
        names += [group["name"] for group in body["value"]]
        pages += 1
        if "nextLink" not in body:
            break
        assert (
            body["nextLink"].startswith(emulator.url)
            and "api-version=2020-09-01" in (body["nextLink"])
        )
        response = http.get(body["nextLink"], headers=bearer(arm_token), timeout=10)
    assert names == ALL_GROUPS and pages == 3


def test_resource_group_item_shape(
    emulator: Emulator, http: requests.Session, arm_token: str
) -> None:
    body = _get(emulator, http, f"{RGS}/rg-network", arm_token, **{"api-version": "2021-04-01"})
    assert body.json() == {
        "id": f"/subscriptions/{SUB}/resourceGroups/rg-network",
        "name": "rg-network",
        "type": "Microsoft.Resources/resourceGroups",
        "location": "northeurope",
        "properties": {"provisioningState": "Succeeded"},
    }


def test_next_link_uses_host_header(emulator: Emulator, arm_token: str) -> None:
    with requests.Session() as http:
        url = f"{emulator.url}{RGS}?api-version=2022-09-01"
        headers = {**bearer(arm_token), "Host": "arm.example.test:8443"}
        link = http.get(url, headers=headers, timeout=10).json()["nextLink"]
    assert link.startswith(f"http://arm.example.test:8443{RGS}?")


def test_subscriptions_list_shows_only_assigned(
    emulator: Emulator, http: requests.Session, arm_token: str
) -> None:
    body = _get(emulator, http, "/subscriptions", arm_token, **{"api-version": "2016-06-01"})
    assert [s["subscriptionId"] for s in body.json()["value"]] == [SUB]
    assert body.json()["value"][0]["state"] == "Enabled"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "MissingApiVersionParameter"),
        ({"api-version": "1999-01-01"}, "InvalidApiVersionParameter"),
    ],
)
def test_api_version_errors(
    emulator: Emulator, http: requests.Session, arm_token: str, params: dict[str, str], code: str
) -> None:
    response = _get(emulator, http, RGS, arm_token, **params)
    assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_missing_token_is_authentication_failed(emulator: Emulator, http: requests.Session) -> None:
    response = _get(emulator, http, RGS, None, **{"api-version": "2020-09-01"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AuthenticationFailed"
    assert response.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")


@pytest.mark.parametrize("token", ["not.a.jwt", "abc"])
def test_malformed_token_is_invalid(emulator: Emulator, http: requests.Session, token: str) -> None:
    response = _get(emulator, http, RGS, token, **{"api-version": "2020-09-01"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_token_of_another_emulator_has_invalid_signature(
    http: requests.Session, emulator: Emulator
) -> None:
    with Emulator() as other:
        foreign = app_token(http, other.url)
    response = _get(emulator, http, RGS, foreign, **{"api-version": "2020-09-01"})
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_graph_token_is_wrong_audience(emulator: Emulator, http: requests.Session) -> None:
    graph = app_token(http, emulator.url, resource="https://graph.microsoft.com")
    response = _get(emulator, http, RGS, graph, **{"api-version": "2020-09-01"})
    error = response.json()["error"]
    assert response.status_code == 401 and error["code"] == "InvalidAuthenticationTokenAudience"
    assert "'https://graph.microsoft.com'" in error["message"]
    assert "'https://management.azure.com/'" in error["message"]


def test_token_from_other_tenant(emulator: Emulator, http: requests.Session) -> None:
    token = app_token(
        http,
        emulator.url,
        tenant="fabrikam.onmicrosoft.com",
        client_id=FABRIKAM_APP,
        client_secret=FABRIKAM_SECRET,
    )
    response = _get(emulator, http, RGS, token, **{"api-version": "2020-09-01"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationTokenTenant"
    own = f"/subscriptions/{FABRIKAM_SUB}/resourcegroups"
    ok = _get(emulator, http, own, token, **{"api-version": "2020-09-01"})
    assert [g["name"] for g in ok.json()["value"]] == ["rg-fabrikam"]


def test_group_scoped_reader_sees_only_that_group(
    emulator: Emulator, http: requests.Session
) -> None:
    params = {"resource": "https://management.azure.com/", "api-version": "2019-08-01"}
    params["client_id"] = "00000000-0000-0000-0000-0000000000e2"
    headers = {"X-IDENTITY-HEADER": "emulator-identity-header-NOT-REAL"}
    mi = http.get(f"{emulator.url}/msi/token", params=params, headers=headers, timeout=10)
    token = mi.json()["access_token"]
    listing = _get(emulator, http, RGS, token, **{"api-version": "2020-09-01"})
    other = _get(emulator, http, f"{RGS}/rg-network", token, **{"api-version": "2020-09-01"})
    assert [g["name"] for g in listing.json()["value"]] == ["rg-web-prod"]
    assert other.status_code == 403


def test_no_role_is_authorization_failed(emulator: Emulator, http: requests.Session) -> None:
    token = app_token(http, emulator.url, client_id=NO_ROLES_APP, client_secret=NO_ROLES_SECRET)
    oid = claims_of(token)["oid"]
    response = _get(emulator, http, RGS, token, **{"api-version": "2020-09-01"})
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "AuthorizationFailed",
        "message": f"The client '{oid}' with object id '{oid}' does not have authorization to "
        "perform action 'Microsoft.Resources/subscriptions/resourcegroups/read' over scope "
        f"'/subscriptions/{SUB}' or the scope is invalid. If access was recently granted, "
        "please refresh your credentials.",
    }


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (
            "/subscriptions/00000000-0000-0000-0000-000000000999/resourcegroups",
            "SubscriptionNotFound",
        ),
        (f"{RGS}/rg-missing", "ResourceGroupNotFound"),
    ],
)
def test_not_found(
    emulator: Emulator, http: requests.Session, arm_token: str, path: str, code: str
) -> None:
    response = _get(emulator, http, path, arm_token, **{"api-version": "2020-09-01"})
    assert response.status_code == 404 and response.json()["error"]["code"] == code


def test_get_one_subscription(emulator: Emulator, http: requests.Session, arm_token: str) -> None:
    ok = _get(emulator, http, f"/subscriptions/{SUB}", arm_token, **{"api-version": "2022-12-01"})
    other = "/subscriptions/00000000-0000-0000-0000-00000000005b"
    denied = _get(emulator, http, other, arm_token, **{"api-version": "2022-12-01"})
    assert ok.json()["displayName"] == "Contoso Production"
    assert ok.json()["tenantId"] == "00000000-0000-0000-0000-0000000000aa"
    assert denied.status_code == 403
    assert "'Microsoft.Resources/subscriptions/read'" in denied.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "version", "status"),
    [
        ("/subscriptions", "2015-11-01", 200),  # published, old
        ("/subscriptions", "2022-12-01", 200),
        ("/subscriptions", "2025-04-01", 400),  # a resource-group version, not a subscription one
        (RGS, "2025-04-01", 200),  # azure-mgmt-resource 26's default
        (RGS, "2015-11-01", 200),
        (RGS, "2019-05-10", 200),
        (RGS, "2020-09-01-preview", 400),  # not published
        (RGS, "2023-07-01-preview", 200),
    ],
)
def test_api_versions_are_per_resource_type(
    emulator: Emulator,
    http: requests.Session,
    arm_token: str,
    path: str,
    version: str,
    status: int,
) -> None:
    response = _get(emulator, http, path, arm_token, **{"api-version": version})
    assert response.status_code == status, response.text
    if status == 400:
        message = response.json()["error"]["message"]
        assert response.json()["error"]["code"] == "InvalidApiVersionParameter"
        assert f"The api-version '{version}' is invalid" in message


def test_head_on_a_resource_group_is_the_existence_check(
    emulator: Emulator, http: requests.Session, arm_token: str
) -> None:
    params = {"api-version": "2025-04-01"}
    found = http.head(f"{emulator.url}{RGS}/rg-web-prod", params=params, headers=bearer(arm_token))
    missing = http.head(f"{emulator.url}{RGS}/rg-nope", params=params, headers=bearer(arm_token))
    assert (found.status_code, found.content) == (204, b"")
    assert (missing.status_code, missing.content) == (404, b"")
    # Percent-encoded segments are decoded on their own.
    encoded = http.head(
        f"{emulator.url}{RGS}/rg%2Dweb%2Dprod", params=params, headers=bearer(arm_token)
    )
    assert encoded.status_code == 204


def test_top_pages_and_filter_selects_by_tag(
    emulator: Emulator, http: requests.Session, arm_token: str
) -> None:
    params = {
        "api-version": "2021-04-01",
        "$top": "1",
        "$filter": "tagName eq 'ENV' and tagValue eq 'prod'",
    }
    body = _get(emulator, http, RGS, arm_token, **params).json()
    assert [g["name"] for g in body["value"]] == ["rg-web-prod"]
    # nextLink keeps $top and $filter, as ARM's does.
    assert "%24top=1" in body["nextLink"] and "%24filter=" in body["nextLink"]
    second = http.get(body["nextLink"], headers=bearer(arm_token), timeout=10).json()
    assert [g["name"] for g in second["value"]] == ["rg-data-prod"] and "nextLink" not in second
    by_name = _get(
        emulator,
        http,
        RGS,
        arm_token,
        **{"api-version": "2021-04-01", "$filter": "tagName eq 'env'"},
    )
    assert len(by_name.json()["value"]) == 2
    bad_top = _get(emulator, http, RGS, arm_token, **{"api-version": "2021-04-01", "$top": "0"})
    assert bad_top.json()["error"]["code"] == "InvalidTopInQueryString"
    other = _get(
        emulator, http, RGS, arm_token, **{"api-version": "2021-04-01", "$filter": "name eq 'x'"}
    )
    assert other.status_code == 501 and other.json()["error"]["code"] == "NotEmulated"
