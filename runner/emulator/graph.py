"""Microsoft Graph: users, me, applications and service principals, with Graph's errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from runner.emulator.bearer import Caller
from runner.emulator.config import Tenant
from runner.emulator.errors import ApiError, NotEmulated, graph_error, not_emulated
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
from runner.values import JSON

USER_PERMISSIONS = (
    "User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All", "Directory.Read.All",
    "Directory.ReadWrite.All",
)  # fmt: skip
APP_PERMISSIONS = ("Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All")
_ROUTE = re.compile(r"^/(?:v1\.0|beta)/(?P<kind>[A-Za-z]+)(?:/(?P<key>[^/]+))?/?$")
EVENTUAL = "eventual"
# Sortable without advanced query capabilities (Graph: users by these two only).
_PLAIN_SORT = frozenset({"displayname", "userprincipalname"})
_SEARCH_CLAUSE = re.compile(r'^"(?P<prop>\w+):(?P<value>[^"]*)"$')
Lister = Callable[[EmulatorState, Tenant], list[dict[str, JSON]]]


def handle_graph(state: EmulatorState, request: Request) -> Response:
    """Return the Graph response, always with ``request-id``."""
    state.stats.api_request("graph")
    request_id = new_id()
    try:
        response = _route(state, request)
    except ApiError as exc:
        response = graph_error(exc, request, request_id)
    except NotEmulated as exc:
        response = not_emulated(request, exc.what)
    client_request_id = request.header("client-request-id") or request_id
    response.headers.update({"request-id": request_id, "client-request-id": client_request_id})
    return response


def _route(state: EmulatorState, request: Request) -> Response:
    match = _ROUTE.match(request.path)
    kind = match["kind"].lower() if match else ""
    if match is None or request.method != "GET" or kind not in _COLLECTIONS:
        return not_emulated(request)
    if kind == "me" and match["key"] is not None:
        return not_emulated(request)
    caller, tenant = graph_caller(state, request)
    if kind == "me":
        return Response(200, _me(request, caller, tenant))
    permissions, lister, entity = _COLLECTIONS[kind]
    # One path segment, percent-decoded on its own: users/adele%40contoso.com is the UPN.
    key = unquote(match["key"]) if match["key"] is not None else None
    if not (key and caller.delegated and key.lower() == caller.oid.lower()):
        require_permission(caller, permissions)
    items = lister(state, tenant)
    if key == "$count":
        return Response(200, str(len(_query(request, items, entity))))
    if key is None:
        return Response(200, _collection(state, request, items, entity))
    found = next((i for i in items if key.lower() in _keys(i)), None)
    if found is None:
        raise ApiError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{key}' does not exist or one of its queried reference-property objects "
            "are not present.",
        )
    return Response(200, _entity(request, found, entity))


def _me(request: Request, caller: Caller, tenant: Tenant) -> dict[str, JSON]:
    if not caller.delegated:
        raise ApiError(
            400, "BadRequest", "/me request is only valid with delegated authentication flow."
        )
    user = next((u for u in tenant.users if u.object_id.lower() == caller.oid.lower()), None)
    if user is None:
        raise ApiError(404, "Request_ResourceNotFound", f"Resource '{caller.oid}' does not exist.")
    return _entity(request, user_json(user, tenant), "users")


def _keys(item: dict[str, JSON]) -> set[str]:
    return {str(item.get(k, "")).lower() for k in ("id", "userPrincipalName", "appId")} - {""}


def _entity(request: Request, item: dict[str, JSON], entity: str) -> dict[str, JSON]:
    context = f"{request.base_url}/v1.0/$metadata#{entity}/$entity"
    return {"@odata.context": context, **apply_select(item, request.query.get("$select"))}


def _collection(
    state: EmulatorState, request: Request, items: list[dict[str, JSON]], entity: str
) -> dict[str, JSON]:
    query = request.query
    size = _top(query.get("$top"), state.config.graph_page_size)
    offset = decode_skip(query.get("$skiptoken"))
    if offset is None:
        raise ApiError(400, "BadRequest", "Invalid $skiptoken.")
    matching = _query(request, items, entity)
    chunk, following = page(matching, offset, size)
    select = query.get("$select")
    suffix = f"({select})" if select else ""
    body: dict[str, JSON] = {
        "@odata.context": f"{request.base_url}/v1.0/$metadata#{entity}{suffix}"
    }
    if query.get("$count", "").lower() == "true":
        body["@odata.count"] = len(matching)
    if following is not None:
        kept = ("$top", "$select", "$filter", "$orderby", "$search", "$count")
        params = {k: v for k, v in query.items() if k in kept}
        body["@odata.nextLink"] = next_link(request.base_url, request.path, params, following)
    body["value"] = [apply_select(item, select) for item in chunk]
    return body


def _query(request: Request, items: list[dict[str, JSON]], entity: str) -> list[dict[str, JSON]]:
    """Return the items after ``$search``, ``$filter`` and ``$orderby``, refused as Graph does.

    ``$count`` and ``$search`` on directory objects need ``ConsistencyLevel: eventual``
    (advanced queries); without it Graph answers 400 Request_UnsupportedQuery.
    """
    query = request.query
    eventual = (request.header("consistencylevel") or "").strip().lower() == EVENTUAL
    counting = query.get("$count", "").lower() == "true" or request.path.endswith("/$count")
    if request.path.endswith("/$count") and not eventual:
        raise _unsupported(
            "Raw count (/$count) is not supported because the 'ConsistencyLevel:eventual' "
            "header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more "
            "information"
        )
    if "$count" in query and query["$count"].lower() not in ("true", "false"):
        raise ApiError(400, "BadRequest", f"Invalid value '{query['$count']}' for $count.")
    if counting and not eventual:
        raise _unsupported(
            "$count is not supported because the 'ConsistencyLevel:eventual' header is "
            "missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
        )
    if "$search" in query:
        if not eventual:
            raise _unsupported(
                "Request with $search query parameter only works through MSGraph with a "
                "special request header: 'ConsistencyLevel: eventual'"
            )
        items = _search(items, query["$search"])
    items = apply_filter(items, query.get("$filter"), entity.removesuffix("s"))
    order = query.get("$orderby")
    if order:
        # Beyond displayName/userPrincipalName, or together with $filter or $search, sorting
        # is an advanced query: ConsistencyLevel: eventual and $count=true.
        advanced = eventual and counting
        combined = "$filter" in query or "$search" in query
        items = _order(items, order, advanced=advanced, combined=combined)
    return items


def _unsupported(message: str) -> ApiError:
    return ApiError(400, "Request_UnsupportedQuery", message)


def _search(items: list[dict[str, JSON]], expression: str) -> list[dict[str, JSON]]:
    """Return the items matching ``"prop:words"`` clauses joined by OR / AND.

    Graph tokenizes: every searched word must start a word of the property's value.
    """
    clauses = re.split(r"\s+(AND|OR)\s+", expression.strip())
    terms, joins = clauses[::2], clauses[1::2]
    parsed = [_SEARCH_CLAUSE.match(t.strip()) for t in terms]
    if any(p is None for p in parsed) or len(set(joins)) > 1:
        raise NotEmulated(f"the Graph search $search={expression}")

    def hit(item: dict[str, JSON], prop: str, value: str) -> bool:
        actual = next((v for k, v in item.items() if k.lower() == prop.lower()), None)
        words = re.split(r"[^\w]+", str(actual or "").lower())
        return all(any(w.startswith(s) for w in words) for s in value.lower().split())

    pairs = [(p["prop"], p["value"]) for p in parsed if p is not None]
    combine = all if joins and joins[0] == "AND" else any
    return [i for i in items if combine(hit(i, prop, value) for prop, value in pairs)]


def _order(
    items: list[dict[str, JSON]], expression: str, *, advanced: bool, combined: bool
) -> list[dict[str, JSON]]:
    """Return the items sorted by ``$orderby`` (one property, ``asc`` or ``desc``)."""
    parts = expression.split()
    if not parts or len(parts) > 2 or "," in expression:
        raise NotEmulated(f"the Graph sort $orderby={expression}")
    prop, direction = parts[0], (parts[1].lower() if len(parts) == 2 else "asc")
    if direction not in ("asc", "desc"):
        raise ApiError(400, "BadRequest", f"Invalid $orderby direction '{parts[1]}'.")
    key = next((k for k in items[0] if k.lower() == prop.lower()), None) if items else prop
    if key is None:
        raise ApiError(
            400, "Request_BadRequest", f"Could not find a property named '{prop}' on the type."
        )
    if not advanced and (combined or prop.lower() not in _PLAIN_SORT):
        raise _unsupported("Sorting not supported for current query.")
    return sorted(items, key=lambda i: str(i.get(key) or "").lower(), reverse=direction == "desc")


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


def _users(state: EmulatorState, tenant: Tenant) -> list[dict[str, JSON]]:
    return [user_json(u, tenant) for u in tenant.users]


def _applications(state: EmulatorState, tenant: Tenant) -> list[dict[str, JSON]]:
    return [application_json(a) for a in tenant.apps]


def _service_principals(state: EmulatorState, tenant: Tenant) -> list[dict[str, JSON]]:
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
