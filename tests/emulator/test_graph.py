"""Microsoft Graph: users, me, applications, service principals; paging, roles, errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from runner.emulator import Emulator

from .helpers import (
    LEGACY_APP,
    NO_ROLES_APP,
    NO_ROLES_SECRET,
    PASSWORD,
    PUBLIC_APP,
    USER,
    app_token,
    bearer,
    token_json,
)

GRAPH = "https://graph.microsoft.com"


@pytest.fixture(scope="module")
def graph_token(emulator: Emulator) -> Iterator[str]:
    with requests.Session() as http:
        yield app_token(http, emulator.url, resource=GRAPH)


def _get(
    emulator: Emulator, http: requests.Session, path: str, token: str | None, **params: str
) -> requests.Response:
    headers = bearer(token) if token else {}
    return http.get(emulator.url + path, params=params, headers=headers, timeout=10)


def test_users_page_with_top_and_next_link(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    response = _get(emulator, http, "/v1.0/users", graph_token, **{"$top": "3"})
    body = response.json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#users")
    assert response.headers["request-id"]
    names = [u["displayName"] for u in body["value"]]
    while "@odata.nextLink" in body:
        assert "%24skiptoken=" in body["@odata.nextLink"]
        body = http.get(body["@odata.nextLink"], headers=bearer(graph_token), timeout=10).json()
        assert len(body["value"]) <= 3
        names += [u["displayName"] for u in body["value"]]
    assert len(names) == 7 and names[0] == "Adele Vance" and len(set(names)) == 7


def test_users_select_and_filter(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    params = {"$select": "displayName,mail", "$filter": f"userPrincipalName eq '{USER}'"}
    body = _get(emulator, http, "/v1.0/users", graph_token, **params).json()
    assert body["value"] == [{"displayName": "Adele Vance", "mail": USER}]
    assert body["@odata.context"].endswith("#users(displayName,mail)")
    starts = _get(
        emulator, http, "/v1.0/users", graph_token, **{"$filter": "startswith(displayName,'M')"}
    )
    assert [u["displayName"] for u in starts.json()["value"]] == ["Megan Bowen"]


def test_bad_filter_and_top(emulator: Emulator, http: requests.Session, graph_token: str) -> None:
    bad_filter = _get(emulator, http, "/v1.0/users", graph_token, **{"$filter": "foo gt 1"})
    bad_top = _get(emulator, http, "/v1.0/users", graph_token, **{"$top": "0"})
    assert bad_filter.status_code == 400
    assert bad_filter.json()["error"]["code"] == "Request_BadRequest"
    assert "property named 'foo'" in bad_filter.json()["error"]["message"]
    assert bad_top.status_code == 400


def test_user_by_id_and_upn(emulator: Emulator, http: requests.Session, graph_token: str) -> None:
    by_upn = _get(emulator, http, f"/v1.0/users/{USER}", graph_token).json()
    by_id = _get(emulator, http, f"/v1.0/users/{by_upn['id']}", graph_token).json()
    assert by_id["userPrincipalName"] == USER and by_id["@odata.context"].endswith("$entity")
    missing = _get(emulator, http, "/v1.0/users/nobody", graph_token)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "Request_ResourceNotFound"


def test_applications_filter_shows_credentials_not_secrets(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    params = {"$filter": f"appId eq '{LEGACY_APP}'"}
    response = _get(emulator, http, "/v1.0/applications", graph_token, **params)
    [app] = response.json()["value"]
    assert app["appId"] == LEGACY_APP
    assert [c["displayName"] for c in app["passwordCredentials"]] == ["old", "rotating"]
    for credential in app["passwordCredentials"]:
        assert credential["endDateTime"].endswith("Z") and credential["keyId"]
        assert credential["secretText"] is None
    assert "NOT-REAL" not in response.text


def test_service_principals_include_managed_identities(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    body = _get(emulator, http, "/v1.0/servicePrincipals", graph_token).json()
    kinds = {sp["appId"]: sp["servicePrincipalType"] for sp in body["value"]}
    assert kinds[LEGACY_APP] == "Application"
    assert kinds["00000000-0000-0000-0000-0000000000e1"] == "ManagedIdentity"


def test_me_needs_delegated_token(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    app_only = _get(emulator, http, "/v1.0/me", graph_token)
    form = {"grant_type": "password", "client_id": PUBLIC_APP, "username": USER}
    user = token_json(http, emulator.url, "v2", **form, password=PASSWORD, scope="User.Read")
    me = _get(emulator, http, "/v1.0/me", user.json()["access_token"])
    assert app_only.status_code == 400 and me.json()["userPrincipalName"] == USER


def test_delegated_user_read_cannot_list_users_without_all(
    emulator: Emulator, http: requests.Session
) -> None:
    form = {"grant_type": "password", "client_id": PUBLIC_APP, "username": USER}
    user = token_json(http, emulator.url, "v2", **form, password=PASSWORD, scope="User.Read")
    response = _get(emulator, http, "/v1.0/users", user.json()["access_token"])
    assert response.status_code == 403


def test_missing_role_is_authorization_request_denied(
    emulator: Emulator, http: requests.Session
) -> None:
    token = app_token(
        http, emulator.url, resource=GRAPH, client_id=NO_ROLES_APP, client_secret=NO_ROLES_SECRET
    )
    response = _get(emulator, http, "/v1.0/users", token, **{})
    error = response.json()["error"]
    assert response.status_code == 403 and error["code"] == "Authorization_RequestDenied"
    assert error["message"] == "Insufficient privileges to complete the operation."
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}


def test_client_request_id_is_echoed(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    headers = {**bearer(graph_token), "client-request-id": "abc-123"}
    response = http.get(f"{emulator.url}/v1.0/users/nobody", headers=headers, timeout=10)
    assert response.headers["client-request-id"] == "abc-123"
    assert response.json()["error"]["innerError"]["client-request-id"] == "abc-123"


@pytest.mark.parametrize(
    ("token", "message"),
    [(None, "Access token is empty."), ("garbage", "IDX14100: JWT is not well formed.")],
)
def test_unauthenticated(
    emulator: Emulator, http: requests.Session, token: str | None, message: str
) -> None:
    response = _get(emulator, http, "/v1.0/users", token)
    error = response.json()["error"]
    assert response.status_code == 401 and error["code"] == "InvalidAuthenticationToken"
    assert error["message"] == message and "WWW-Authenticate" in response.headers


def test_arm_token_is_invalid_audience(emulator: Emulator, http: requests.Session) -> None:
    response = _get(emulator, http, "/v1.0/users", app_token(http, emulator.url))
    assert response.status_code == 401
    assert (
        response.json()["error"]["message"] == "Access token validation failure. Invalid audience."
    )


def test_service_principal_by_app_id_and_applications_role(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    sp = _get(emulator, http, f"/v1.0/servicePrincipals/{LEGACY_APP}", graph_token).json()
    assert sp["id"] == "00000000-0000-0000-0000-0000000000c8"
    assert sp["@odata.context"].endswith("#servicePrincipals/$entity")
    form = {"grant_type": "password", "client_id": PUBLIC_APP, "username": USER}
    user = token_json(http, emulator.url, "v2", **form, password=PASSWORD, scope="User.Read.All")
    denied = _get(emulator, http, "/v1.0/applications", user.json()["access_token"])
    assert denied.status_code == 403


def test_user_by_percent_encoded_upn(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    encoded = USER.replace("@", "%40")
    response = _get(emulator, http, f"/v1.0/users/{encoded}", graph_token)
    assert response.status_code == 200 and response.json()["userPrincipalName"] == USER
    # %2F stays inside its segment: no such user, not another route.
    slash = _get(emulator, http, "/v1.0/users/a%2Fb", graph_token)
    assert slash.json()["error"]["code"] == "Request_ResourceNotFound"


EVENTUAL = {"ConsistencyLevel": "eventual"}


def _users(
    emulator: Emulator, http: requests.Session, token: str, headers: dict[str, str], **params: str
) -> requests.Response:
    merged = {**bearer(token), **headers}
    return http.get(f"{emulator.url}/v1.0/users", params=params, headers=merged, timeout=10)


def test_count_and_search_need_consistency_level_eventual(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    for params in ({"$count": "true"}, {"$search": '"displayName:adele"'}):
        refused = _users(emulator, http, graph_token, {}, **params)
        assert refused.status_code == 400, params
        assert refused.json()["error"]["code"] == "Request_UnsupportedQuery"
        assert "ConsistencyLevel" in refused.json()["error"]["message"]
    raw = http.get(f"{emulator.url}/v1.0/users/$count", headers=bearer(graph_token), timeout=10)
    assert raw.status_code == 400 and raw.json()["error"]["code"] == "Request_UnsupportedQuery"
    counted = _users(emulator, http, graph_token, EVENTUAL, **{"$count": "true", "$top": "2"})
    body = counted.json()
    assert body["@odata.count"] == 7 and len(body["value"]) == 2
    assert "%24count=true" in body["@odata.nextLink"]
    headers = {**bearer(graph_token), **EVENTUAL}
    plain = http.get(f"{emulator.url}/v1.0/users/$count", headers=headers, timeout=10)
    assert plain.text == "7" and plain.headers["Content-Type"].startswith("text/plain")
    found = _users(emulator, http, graph_token, EVENTUAL, **{"$search": '"displayName:wil"'})
    assert sorted(u["displayName"] for u in found.json()["value"]) == [
        "Alex Wilber",
        "Nestor Wilke",
    ]


def test_orderby_as_graph_allows_it(
    emulator: Emulator, http: requests.Session, graph_token: str
) -> None:
    desc = _users(emulator, http, graph_token, {}, **{"$orderby": "displayName desc"})
    names = [u["displayName"] for u in desc.json()["value"]]
    assert names == sorted(names, reverse=True) and len(names) == 7
    # Other properties, or with $filter: an advanced query (eventual + $count=true).
    other = {"$orderby": "jobTitle"}
    assert _users(emulator, http, graph_token, {}, **other).status_code == 400
    advanced = _users(emulator, http, graph_token, EVENTUAL, **other, **{"$count": "true"})
    titles = [u["jobTitle"] for u in advanced.json()["value"]]
    assert advanced.status_code == 200 and titles == sorted(titles)
    combined = {"$orderby": "displayName", "$filter": "startswith(displayName,'A')"}
    refused = _users(emulator, http, graph_token, {}, **combined)
    assert refused.json()["error"]["message"] == "Sorting not supported for current query."
