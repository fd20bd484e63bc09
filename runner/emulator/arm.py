"""Azure Resource Manager: subscriptions and resource groups, with ARM's errors and paging;
a resource group is created by PUT and deleted as ARM does it, a long-running operation
(202 + Location, polled until it answers 200)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from runner.emulator.arm_auth import arm_caller, can_read, can_write, check_tenant, forbidden
from runner.emulator.bearer import Caller
from runner.emulator.config import ResourceGroup, Subscription
from runner.emulator.errors import ApiError, NotEmulated, arm_error, not_emulated
from runner.emulator.groups import Deployment
from runner.emulator.messages import Request, Response, decode_skip, new_id, next_link, page
from runner.emulator.state import EmulatorState
from runner.values import JSON

# The api-versions ARM accepts per resource type (Microsoft.Resources' registration, as its
# InvalidApiVersionParameter errors list them), oldest first.
_COMMON_VERSIONS = (
    "2014-04", "2014-02-26", "2013-03-01", "2014-01-01", "2014-04-01", "2014-04-01-preview",
    "2015-01-01", "2015-11-01", "2016-02-01", "2016-06-01", "2016-07-01", "2016-09-01",
    "2017-03-01", "2017-05-01", "2017-05-10", "2017-06-01", "2017-08-01", "2017-12-01",
    "2018-01-01", "2018-02-01", "2018-05-01", "2018-06-01", "2018-07-01", "2018-08-01",
    "2018-09-01", "2018-11-01", "2019-03-01", "2019-05-01", "2019-05-10", "2019-06-01",
    "2019-07-01", "2019-08-01", "2019-09-01", "2019-10-01", "2019-11-01", "2020-01-01",
    "2020-05-01", "2020-06-01", "2020-07-01", "2020-08-01", "2020-09-01", "2020-10-01",
    "2021-01-01", "2021-04-01", "2022-01-01", "2022-03-01-preview", "2022-05-01",
    "2022-06-01", "2022-09-01", "2022-11-01-preview", "2022-12-01",
)  # fmt: skip
SUBSCRIPTION_VERSIONS = _COMMON_VERSIONS
RESOURCE_GROUP_VERSIONS = (
    *_COMMON_VERSIONS, "2023-03-01-preview", "2023-07-01-preview", "2023-07-01", "2024-03-01",
    "2024-07-01", "2024-11-01", "2025-01-01", "2025-03-01", "2025-04-01",
)  # fmt: skip
RG_READ = "Microsoft.Resources/subscriptions/resourcegroups/read"
RG_WRITE = "Microsoft.Resources/subscriptions/resourcegroups/write"
RG_DELETE = "Microsoft.Resources/subscriptions/resourcegroups/delete"
SUB_READ = "Microsoft.Resources/subscriptions/read"
_ROUTE = re.compile(
    r"^/subscriptions(?:/(?P<sub>[^/]+)(?:/(?P<rgs>resourcegroups)(?:/(?P<rg>[^/]+))?)?)?/?$",
    re.IGNORECASE,
)
_OPERATION = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/operationresults/(?P<op>[^/]+)/?$", re.I)
_DEPLOYMENT = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/"
    r"Microsoft\.Resources/deployments/(?P<name>[^/]+)(?:/operationStatuses/(?P<op>[^/]+))?/?$",
    re.IGNORECASE,
)
DEPLOY_WRITE = "Microsoft.Resources/deployments/write"
DEPLOY_READ = "Microsoft.Resources/deployments/read"


def handle_arm(state: EmulatorState, request: Request) -> Response:
    """Return the ARM response, always with ``x-ms-request-id``."""
    state.stats.api_request("arm")
    request_id = new_id()
    try:
        response = _route(state, request)
    except ApiError as exc:
        response = arm_error(exc)
    except NotEmulated as exc:
        response = not_emulated(request, exc.what)
    response.headers.update(
        {"x-ms-request-id": request_id, "x-ms-correlation-request-id": request_id}
    )
    return response


def _route(state: EmulatorState, request: Request) -> Response:
    operation = _OPERATION.match(request.path)
    if operation is not None and request.method == "GET":
        return _operation_result(state, request, unquote(operation["sub"]), operation["op"])
    deployment = _DEPLOYMENT.match(request.path)
    if deployment is not None and (
        request.method == "GET" or (request.method == "PUT" and deployment["op"] is None)
    ):
        return _deployment(state, request, deployment)
    match = _ROUTE.match(request.path)
    head = request.method == "HEAD"
    # HEAD is ARM's existence check, for resource groups only (check_existence); PUT and
    # DELETE create and delete resource groups.
    on_group = match is not None and match["rg"] is not None
    allowed = request.method == "GET" or (on_group and request.method in ("HEAD", "PUT", "DELETE"))
    if match is None or not allowed:
        return not_emulated(request)
    caller = arm_caller(state, request)
    if match["sub"] is None:
        _check_api_version(request.query.get("api-version"), SUBSCRIPTION_VERSIONS)
        return Response(200, _list_subscriptions(state, request, caller))
    versions = SUBSCRIPTION_VERSIONS if match["rgs"] is None else RESOURCE_GROUP_VERSIONS
    _check_api_version(request.query.get("api-version"), versions)
    subscription = _subscription(state, caller, unquote(match["sub"]))
    if match["rgs"] is None:
        _authorize(state, caller, SUB_READ, f"/subscriptions/{subscription.id}")
        return Response(200, _subscription_json(subscription))
    if match["rg"] is None:
        return Response(200, _list_groups(state, request, caller, subscription))
    name = unquote(match["rg"])  # one segment, decoded on its own
    scope = f"/subscriptions/{subscription.id}/resourceGroups/{name}"
    if request.method in ("PUT", "DELETE"):
        put = request.method == "PUT"
        if not can_write(state.config, caller, scope):
            raise forbidden(caller, RG_WRITE if put else RG_DELETE, scope)
        return (_put_group if put else _delete_group)(state, request, subscription, name)
    _authorize(state, caller, RG_READ, scope)
    group = _existing_group(state, subscription, name)
    if head:
        return Response(204, None)
    return Response(200, _group_json(subscription, group, state))


def _existing_group(state: EmulatorState, subscription: Subscription, name: str) -> ResourceGroup:
    group = state.groups.get(subscription.id, name)
    if group is None:
        raise ApiError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
    return group


def _put_group(
    state: EmulatorState, request: Request, subscription: Subscription, name: str
) -> Response:
    """Create or update a resource group (synchronous in ARM: 201 new, 200 updated); the
    caller may write."""
    body = _json_body(request)
    location = body.get("location") if isinstance(body, dict) else None
    if not isinstance(location, str) or not location:
        raise ApiError(400, "LocationRequired", "The location property is required for this "
                       "definition.")  # fmt: skip
    if state.groups.deleting(subscription.id, name):
        raise ApiError(409, "ResourceGroupBeingDeleted", f"The resource group '{name}' is in "
                       "deprovisioning state and cannot perform this operation.")  # fmt: skip
    existing = state.groups.get(subscription.id, name)
    if existing is not None and existing.location.lower() != location.lower():
        raise ApiError(400, "InvalidResourceGroupLocation", f"Invalid resource group location "
                       f"'{location}'. The Resource group already exists in location "
                       f"'{existing.location}'.")  # fmt: skip
    raw_tags = body.get("tags") or {}
    tags = {str(k): str(v) for k, v in raw_tags.items()} if isinstance(raw_tags, dict) else {}
    created = state.groups.put(subscription.id, ResourceGroup(name, location, tags))
    group = _existing_group(state, subscription, name)
    return Response(201 if created else 200, _group_json(subscription, group, state))


def _delete_group(
    state: EmulatorState, request: Request, subscription: Subscription, name: str
) -> Response:
    """Start deleting a resource group: 202 with the Location of the operation to poll."""
    _existing_group(state, subscription, name)
    operation = state.groups.start_deletion(subscription.id, name)
    return Response(202, None, _operation_headers(state, request, subscription.id, operation))


def _deployment(state: EmulatorState, request: Request, match: re.Match[str]) -> Response:
    """A template deployment, run as ARM runs it: PUT answers 201 with Azure-AsyncOperation,
    whose status reads Running, then Succeeded; the deployment then reads Succeeded with its
    outputs. Only templates that deploy no resources are emulated."""
    caller = arm_caller(state, request)
    _check_api_version(request.query.get("api-version"), RESOURCE_GROUP_VERSIONS)
    subscription = _subscription(state, caller, unquote(match["sub"]))
    group = _existing_group(state, subscription, unquote(match["rg"]))
    name = unquote(match["name"])
    scope = f"/subscriptions/{subscription.id}/resourceGroups/{group.name}"
    if request.method == "PUT":
        if not can_write(state.config, caller, scope):
            raise forbidden(caller, DEPLOY_WRITE, scope)
        return _start_deployment(state, request, subscription, group, name)
    _authorize(state, caller, DEPLOY_READ, scope)
    found = state.groups.deployment(subscription.id, group.name, name)
    if found is None:
        raise ApiError(404, "DeploymentNotFound", f"Deployment '{name}' could not be found.")
    record, done = found
    if match["op"] is None:
        return Response(200, _deployment_json(subscription, record, done))
    ended = state.groups.poll(subscription.id, unquote(match["op"]))
    if ended is None:
        raise ApiError(404, "OperationNotFound", f"The operation '{match['op']}' could not be "
                       "found.")  # fmt: skip
    if ended:
        return Response(200, {"status": "Succeeded"})
    return Response(200, {"status": "Running"}, _retry_after(state))


def _json_body(request: Request) -> JSON:
    """Return the request's JSON body ({} when empty), or raise ARM's 400 for bad JSON."""
    try:
        body: JSON = json.loads(request.body or b"{}")
    except ValueError:
        raise ApiError(400, "InvalidRequestContent", "The request content was invalid and "
                       "could not be deserialized.") from None  # fmt: skip
    return body


def _start_deployment(
    state: EmulatorState,
    request: Request,
    subscription: Subscription,
    group: ResourceGroup,
    name: str,
) -> Response:
    body = _json_body(request)
    properties = body.get("properties") if isinstance(body, dict) else None
    template = properties.get("template") if isinstance(properties, dict) else None
    if not isinstance(properties, dict) or not isinstance(template, dict):
        raise ApiError(400, "InvalidRequestContent", "The request content was invalid and "
                       "could not be deserialized: 'properties.template' is required.")  # fmt: skip
    if template.get("resources"):
        raise NotEmulated("deploying a template with resources (only an empty one is run)")
    outputs: dict[str, JSON] = {}
    for key, output in (template.get("outputs") or {}).items():
        value = output.get("value") if isinstance(output, dict) else None
        if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
            raise NotEmulated(f"the template expression of output '{key}'")
        outputs[key] = {"type": output.get("type", "Object"), "value": value}
    parameters = properties.get("parameters")
    record = Deployment(
        name=name,
        group=group.name,
        mode=str(properties.get("mode", "Incremental")),
        parameters=parameters if isinstance(parameters, dict) else {},
        outputs=outputs,
        operation="",
        timestamp=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    )
    created = state.groups.start_deployment(subscription.id, record)
    version = quote(request.query.get("api-version", ""))
    monitor = (
        f"{request.base_url}/subscriptions/{subscription.id}/resourcegroups/{group.name}/"
        f"providers/Microsoft.Resources/deployments/{quote(name)}/operationStatuses/"
        f"{record.operation}?api-version={version}"
    )
    headers = {"Azure-AsyncOperation": monitor, **_retry_after(state)}
    body_json = _deployment_json(subscription, record, False, accepted=True)
    return Response(201 if created else 200, body_json, headers)


def _deployment_json(
    subscription: Subscription, record: Deployment, done: bool, accepted: bool = False
) -> dict[str, JSON]:
    state = "Accepted" if accepted else ("Succeeded" if done else "Running")
    properties: dict[str, JSON] = {
        "provisioningState": state,
        "mode": record.mode,
        "parameters": record.parameters,
        "timestamp": record.timestamp,
        "correlationId": record.correlation_id,
        "providers": [],
        "dependencies": [],
    }
    if done:
        properties["outputs"] = record.outputs
        properties["outputResources"] = []
    return {
        "id": f"/subscriptions/{subscription.id}/resourceGroups/{record.group}/providers/"
        f"Microsoft.Resources/deployments/{record.name}",
        "name": record.name,
        "type": "Microsoft.Resources/deployments",
        "properties": properties,
    }


def _operation_headers(
    state: EmulatorState, request: Request, subscription_id: str, operation: str
) -> dict[str, str]:
    version = request.query.get("api-version", "")
    location = (
        f"{request.base_url}/subscriptions/{subscription_id}/operationresults/"
        f"{quote(operation)}?api-version={quote(version)}"
    )
    return {"Location": location, **_retry_after(state)}


def _retry_after(state: EmulatorState) -> dict[str, str]:
    return {"Retry-After": str(state.config.operation_retry_after)}


def _operation_result(
    state: EmulatorState, request: Request, sub_id: str, operation: str
) -> Response:
    """ARM's operation results: 202 (Location, Retry-After) while it runs, then 200."""
    caller = arm_caller(state, request)
    _check_api_version(request.query.get("api-version"), RESOURCE_GROUP_VERSIONS)
    subscription = _subscription(state, caller, sub_id)
    done = state.groups.poll(subscription.id, unquote(operation))
    if done is None:
        raise ApiError(404, "OperationNotFound", f"The operation '{operation}' could not be "
                       "found.")  # fmt: skip
    if done:
        return Response(200, None)
    return Response(202, None, _operation_headers(state, request, subscription.id, operation))


def _check_api_version(version: str | None, accepted: tuple[str, ...]) -> None:
    if not version:
        raise ApiError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if version not in accepted:
        raise ApiError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are "
            f"'{','.join(reversed(accepted))}'.",
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


def _list_subscriptions(state: EmulatorState, request: Request, caller: Caller) -> dict[str, JSON]:
    visible = [
        s
        for s in state.config.subscriptions
        if s.tenant_id.lower() == caller.tenant_id.lower() and _sees_any(state, caller, s)
    ]
    return _paged(state, request, [_subscription_json(s) for s in visible])


def _list_groups(
    state: EmulatorState, request: Request, caller: Caller, subscription: Subscription
) -> dict[str, JSON]:
    scope = f"/subscriptions/{subscription.id}"
    groups = [
        g
        for g in state.groups.list(subscription.id)
        if can_read(state.config, caller, f"{scope}/resourceGroups/{g.name}")
    ]
    # Like ARM, a principal with read access to only some groups sees only those.
    if not groups and not can_read(state.config, caller, scope):
        raise forbidden(caller, RG_READ, scope)
    groups = _filter_groups(groups, request.query.get("$filter"))
    return _paged(state, request, [_group_json(subscription, g, state) for g in groups])


_TAG_NAME = re.compile(r"^\s*tagname\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_TAG_PAIR = re.compile(
    r"^\s*tagname\s+eq\s+'((?:[^']|'')*)'\s+and\s+tagvalue\s+eq\s+'((?:[^']|'')*)'\s*$",
    re.IGNORECASE,
)


def _filter_groups(groups: list[ResourceGroup], expression: str | None) -> list[ResourceGroup]:
    """Return the groups matching ARM's tag filters (``tagName eq 'n' [and tagValue eq 'v']``)."""
    if not expression:
        return groups
    match = _TAG_PAIR.match(expression) or _TAG_NAME.match(expression)
    if match is None:
        raise NotEmulated(f"the resource group filter $filter={expression}")
    wanted = match.group(1).replace("''", "'").lower()
    value = match.group(2).replace("''", "'") if match.re is _TAG_PAIR else None
    # Tag names compare case-insensitively in ARM, tag values exactly.
    return [
        g
        for g in groups
        if any(k.lower() == wanted and (value is None or v == value) for k, v in g.tags.items())
    ]


def _sees_any(state: EmulatorState, caller: Caller, subscription: Subscription) -> bool:
    scope = f"/subscriptions/{subscription.id}"
    return can_read(state.config, caller, scope) or any(
        can_read(state.config, caller, f"{scope}/resourceGroups/{g.name}")
        for g in state.groups.list(subscription.id)
    )


def _paged(state: EmulatorState, request: Request, items: list[dict[str, JSON]]) -> dict[str, JSON]:
    offset = decode_skip(request.query.get("$skiptoken"))
    if offset is None:
        raise ApiError(400, "InvalidSkipToken", "The $skiptoken value is not valid.")
    size = _top(request.query.get("$top"), state.config.arm_page_size)
    chunk, following = page(items, offset, size)
    body: dict[str, JSON] = {"value": chunk}
    if following is not None:
        params = {k: v for k, v in request.query.items() if k in ("api-version", "$top", "$filter")}
        body["nextLink"] = next_link(request.base_url, request.path, params, following)
    return body


def _top(raw: str | None, default: int) -> int:
    """Return the page size: ``$top`` when given (ARM pages by it, nextLink keeps it)."""
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise ApiError(
            400,
            "InvalidTopInQueryString",
            f"The value '{raw}' of $top is not valid: it must be between 1 and 1000.",
        )
    return int(raw)


def _subscription_json(subscription: Subscription) -> dict[str, JSON]:
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


def _group_json(
    subscription: Subscription, group: ResourceGroup, state: EmulatorState
) -> dict[str, JSON]:
    body: dict[str, JSON] = {
        "id": f"/subscriptions/{subscription.id}/resourceGroups/{group.name}",
        "name": group.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": group.location,
    }
    if group.tags:
        body["tags"] = dict(group.tags)
    deleting = state.groups.deleting(subscription.id, group.name)
    body["properties"] = {"provisioningState": "Deleting" if deleting else "Succeeded"}
    return body
