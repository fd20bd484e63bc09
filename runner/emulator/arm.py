"""Azure Resource Manager: subscriptions and resource groups, with ARM's errors and paging."""

from __future__ import annotations

import re
from typing import Any

from runner.emulator.arm_auth import arm_caller, can_read, check_tenant, forbidden
from runner.emulator.bearer import Caller
from runner.emulator.config import ResourceGroup, Subscription
from runner.emulator.errors import ApiError, arm_error
from runner.emulator.messages import Request, Response, decode_skip, new_id, next_link, page
from runner.emulator.state import EmulatorState

API_VERSIONS = (
    "2014-04-01", "2015-01-01", "2016-02-01", "2016-06-01", "2016-09-01", "2017-05-10",
    "2018-02-01", "2018-05-01", "2019-05-01", "2019-06-01", "2019-08-01", "2019-10-01",
    "2020-01-01", "2020-06-01", "2020-08-01", "2020-09-01", "2020-10-01", "2021-01-01",
    "2021-04-01", "2022-01-01", "2022-09-01", "2022-12-01", "2023-07-01", "2024-03-01",
    "2024-07-01", "2024-11-01", "2025-01-01", "2025-04-01",
)  # fmt: skip
RG_READ = "Microsoft.Resources/subscriptions/resourcegroups/read"
SUB_READ = "Microsoft.Resources/subscriptions/read"
_ROUTE = re.compile(
    r"^/subscriptions(?:/(?P<sub>[^/]+)(?:/(?P<rgs>resourcegroups)(?:/(?P<rg>[^/]+))?)?)?/?$",
    re.IGNORECASE,
)


def handle_arm(state: EmulatorState, request: Request) -> Response:
    """Return the ARM response, always with ``x-ms-request-id``."""
    state.stats.api_request("arm")
    request_id = new_id()
    try:
        response = Response(200, _route(state, request))
    except ApiError as exc:
        response = arm_error(exc)
    response.headers.update(
        {"x-ms-request-id": request_id, "x-ms-correlation-request-id": request_id}
    )
    return response


def _route(state: EmulatorState, request: Request) -> dict[str, Any]:
    match = _ROUTE.match(request.path)
    caller = arm_caller(state, request)
    if match is None or request.method != "GET":
        raise ApiError(404, "InvalidResourceType", f"The emulator does not serve {request.path}.")
    _check_api_version(request.query.get("api-version"))
    if match["sub"] is None:
        return _list_subscriptions(state, request, caller)
    subscription = _subscription(state, caller, match["sub"])
    if match["rgs"] is None:
        _authorize(state, caller, SUB_READ, f"/subscriptions/{subscription.id}")
        return _subscription_json(subscription)
    if match["rg"] is None:
        return _list_groups(state, request, caller, subscription)
    scope = f"/subscriptions/{subscription.id}/resourceGroups/{match['rg']}"
    _authorize(state, caller, RG_READ, scope)
    group = next(
        (g for g in subscription.resource_groups if g.name.lower() == match["rg"].lower()), None
    )
    if group is None:
        raise ApiError(
            404, "ResourceGroupNotFound", f"Resource group '{match['rg']}' could not be found."
        )
    return _group_json(subscription, group)


def _check_api_version(version: str | None) -> None:
    if not version:
        raise ApiError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if version.removesuffix("-preview") not in API_VERSIONS:
        raise ApiError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are "
            f"'{','.join(reversed(API_VERSIONS))}'.",
        )


def _subscription(state: EmulatorState, caller: Caller, sub_id: str) -> Subscription:
    subscription = state.config.find_subscription(sub_id)
    if subscription is None:
        raise ApiError(
            404, "SubscriptionNotFound", f"The subscription '{sub_id}' could not be found."
        )
    check_tenant(caller, subscription)
    return subscription


def _authorize(state: EmulatorState, caller: Caller, action: str, scope: str) -> None:
    if not can_read(state.config, caller, scope):
        raise forbidden(caller, action, scope)


def _list_subscriptions(state: EmulatorState, request: Request, caller: Caller) -> dict[str, Any]:
    visible = [
        s
        for s in state.config.subscriptions
        if s.tenant_id.lower() == caller.tenant_id.lower() and _sees_any(state, caller, s)
    ]
    return _paged(state, request, [_subscription_json(s) for s in visible])


def _list_groups(
    state: EmulatorState, request: Request, caller: Caller, subscription: Subscription
) -> dict[str, Any]:
    scope = f"/subscriptions/{subscription.id}"
    groups = [
        g
        for g in subscription.resource_groups
        if can_read(state.config, caller, f"{scope}/resourceGroups/{g.name}")
    ]
    # Like ARM, a principal with read access to only some groups sees only those.
    if not groups and not can_read(state.config, caller, scope):
        raise forbidden(caller, RG_READ, scope)
    return _paged(state, request, [_group_json(subscription, g) for g in groups])


def _sees_any(state: EmulatorState, caller: Caller, subscription: Subscription) -> bool:
    scope = f"/subscriptions/{subscription.id}"
    return can_read(state.config, caller, scope) or any(
        can_read(state.config, caller, f"{scope}/resourceGroups/{g.name}")
        for g in subscription.resource_groups
    )


def _paged(state: EmulatorState, request: Request, items: list[dict[str, Any]]) -> dict[str, Any]:
    offset = decode_skip(request.query.get("$skiptoken"))
    if offset is None:
        raise ApiError(400, "InvalidSkipToken", "The $skiptoken value is not valid.")
    chunk, following = page(items, offset, state.config.arm_page_size)
    body: dict[str, Any] = {"value": chunk}
    if following is not None:
        params = {"api-version": request.query.get("api-version", "")}
        body["nextLink"] = next_link(request.base_url, request.path, params, following)
    return body


def _subscription_json(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{subscription.id}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": subscription.id,
        "tenantId": subscription.tenant_id,
        "displayName": subscription.display_name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def _group_json(subscription: Subscription, group: ResourceGroup) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"/subscriptions/{subscription.id}/resourceGroups/{group.name}",
        "name": group.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": group.location,
    }
    if group.tags:
        body["tags"] = dict(group.tags)
    body["properties"] = {"provisioningState": "Succeeded"}
    return body
