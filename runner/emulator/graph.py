"""Microsoft Graph: users, me, applications and service principals, with Graph's errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from runner.emulator.bearer import Caller
from runner.emulator.config import Tenant
from runner.emulator.errors import ApiError, graph_error
from runner.emulator.graph_auth import graph_caller, require_permission
from runner.emulator.graph_objects import (
    application_json,
    apply_filter,
    apply_select,
    identity_json,
    service_principal_json,
    user_json,
)
from runner.emulator.messages import Request, Response, decode_skip, new_id, next_link, page
from runner.emulator.state import EmulatorState

USER_PERMISSIONS = (
    "User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All", "Directory.Read.All",
    "Directory.ReadWrite.All",
)  # fmt: skip
APP_PERMISSIONS = ("Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All")
_ROUTE = re.compile(r"^/(?:v1\.0|beta)/(?P<kind>[A-Za-z]+)(?:/(?P<key>[^/]+))?/?$")
Lister = Callable[[EmulatorState, Tenant], list[dict[str, Any]]]


def handle_graph(state: EmulatorState, request: Request) -> Response:
    """Return the Graph response, always with ``request-id``."""
    state.stats.api_request("graph")
    request_id = new_id()
    try:
        response = Response(200, _route(state, request))
    except ApiError as exc:
        response = graph_error(exc, request, request_id)
    client_request_id = request.header("client-request-id") or request_id
    response.headers.update({"request-id": request_id, "client-request-id": client_request_id})
    return response


def _route(state: EmulatorState, request: Request) -> dict[str, Any]:
    caller, tenant = graph_caller(state, request)
    match = _ROUTE.match(request.path)
    kind = match["kind"].lower() if match else ""
    if match is None or request.method != "GET" or kind not in _COLLECTIONS:
        raise ApiError(400, "BadRequest", f"Resource not found for the segment '{request.path}'.")
    if kind == "me":
        return _me(request, caller, tenant)
    permissions, lister, entity = _COLLECTIONS[kind]
    key = match["key"]
    if not (key and caller.delegated and key.lower() == caller.oid.lower()):
        require_permission(caller, permissions)
    items = lister(state, tenant)
    if key is None:
        return _collection(state, request, items, entity)
    found = next((i for i in items if key.lower() in _keys(i)), None)
    if found is None:
        raise ApiError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{key}' does not exist or one of its queried reference-property objects "
            "are not present.",
        )
    return _entity(request, found, entity)


def _me(request: Request, caller: Caller, tenant: Tenant) -> dict[str, Any]:
    if not caller.delegated:
        raise ApiError(
            400, "BadRequest", "/me request is only valid with delegated authentication flow."
        )
    user = next((u for u in tenant.users if u.object_id.lower() == caller.oid.lower()), None)
    if user is None:
        raise ApiError(404, "Request_ResourceNotFound", f"Resource '{caller.oid}' does not exist.")
    return _entity(request, user_json(user, tenant), "users")


def _keys(item: dict[str, Any]) -> set[str]:
    return {str(item.get(k, "")).lower() for k in ("id", "userPrincipalName", "appId")} - {""}


def _entity(request: Request, item: dict[str, Any], entity: str) -> dict[str, Any]:
    context = f"{request.base_url}/v1.0/$metadata#{entity}/$entity"
    return {"@odata.context": context, **apply_select(item, request.query.get("$select"))}


def _collection(
    state: EmulatorState, request: Request, items: list[dict[str, Any]], entity: str
) -> dict[str, Any]:
    query = request.query
    size = _top(query.get("$top"), state.config.graph_page_size)
    offset = decode_skip(query.get("$skiptoken"))
    if offset is None:
        raise ApiError(400, "BadRequest", "Invalid $skiptoken.")
    chunk, following = page(apply_filter(items, query.get("$filter")), offset, size)
    select = query.get("$select")
    suffix = f"({select})" if select else ""
    body: dict[str, Any] = {"@odata.context": f"{request.base_url}/v1.0/$metadata#{entity}{suffix}"}
    if following is not None:
        params = {k: v for k, v in query.items() if k in ("$top", "$select", "$filter")}
        body["@odata.nextLink"] = next_link(request.base_url, request.path, params, following)
    body["value"] = [apply_select(item, select) for item in chunk]
    return body


def _top(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 999:
        raise ApiError(
            400,
            "BadRequest",
            f"Invalid page size specified: '{raw}'. Must be between 1 and 999 inclusive.",
        )
    return int(raw)


def _users(state: EmulatorState, tenant: Tenant) -> list[dict[str, Any]]:
    return [user_json(u, tenant) for u in tenant.users]


def _applications(state: EmulatorState, tenant: Tenant) -> list[dict[str, Any]]:
    return [application_json(a) for a in tenant.apps]


def _service_principals(state: EmulatorState, tenant: Tenant) -> list[dict[str, Any]]:
    items = [service_principal_json(a) for a in tenant.apps]
    managed = state.config.managed
    if managed is not None and managed.tenant_id.lower() == tenant.id.lower():
        items.extend(identity_json(i) for i in managed.identities)
    return items


_COLLECTIONS: dict[str, tuple[tuple[str, ...], Lister, str]] = {
    "users": (USER_PERMISSIONS, _users, "users"),
    "applications": (APP_PERMISSIONS, _applications, "applications"),
    "serviceprincipals": (APP_PERMISSIONS, _service_principals, "servicePrincipals"),
    "me": ((), _users, "users"),
}
