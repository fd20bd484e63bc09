"""The token endpoint's grants (client credentials, password, refresh token, device code)
and the request handler that dispatches to them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from runner.emulator.audiences import GRAPH, parse_resource, parse_scope, require_default_scope
from runner.emulator.clientauth import authenticate
from runner.emulator.config import find_user
from runner.emulator.delegated import delegated_outcome
from runner.emulator.devicecode import poll_device_code
from runner.emulator.errors import EntraError
from runner.emulator.messages import Request, Response, utc_now
from runner.emulator.state import EmulatorState
from runner.emulator.token_endpoint import (
    DEVICE_CODE_GRANTS,
    MULTI_TENANT,
    Outcome,
    TokenCall,
    require,
    resolve_app,
    resolve_tenant,
    success_body,
)
from runner.emulator.tokens import Grant


def client_credentials(call: TokenCall) -> Outcome:
    """Return an app-only token: Graph app roles in ``roles``, none for ARM."""
    if call.tenant_name.lower() in MULTI_TENANT:
        raise EntraError(
            50059,
            "invalid_request",
            "No tenant-identifying information found in either the request or implied by any "
            f"provided credentials. Use a tenant id or domain instead of '{call.tenant_name}' "
            "for the client credentials grant.",
        )
    tenant = resolve_tenant(call)
    app = resolve_app(tenant, call.form["client_id"])
    acr = authenticate(app, call.form, call.request, call.now)
    audience = call.audience(tenant)
    if not call.v1:
        require_default_scope(call.form.get("scope", ""), audience)
    roles = app.graph_roles if audience.resource is GRAPH else ()
    version = audience.resource.token_version
    grant = Grant(tenant.id, audience.aud, app.client_id, app.sp_object_id, version, roles, acr=acr)
    return Outcome(grant, audience)


def password(call: TokenCall) -> Outcome:
    """Return a delegated token for a username and password (ROPC, no MFA)."""
    username, secret = require(call.form, "username"), require(call.form, "password")
    tenant = resolve_tenant(call, hint=username.rpartition("@")[2])
    app = resolve_app(tenant, call.form["client_id"])
    acr = authenticate(app, call.form, call.request, call.now)
    user = find_user(tenant, username)
    if user is None:
        raise EntraError(
            50034,
            "invalid_grant",
            f"The user account {username} does not exist in the {tenant.display_name} "
            "directory. To sign into this application, the account must be added to the "
            "directory.",
        )
    if user.password is None or user.password != secret:
        raise EntraError(
            50126,
            "invalid_grant",
            "Error validating credentials due to invalid username or password.",
        )
    audience = call.audience(tenant)
    if user.mfa_required:
        raise EntraError(
            50076,
            "invalid_grant",
            "Due to a configuration change made by your administrator, or because you moved to "
            "a new location, you must use multi-factor authentication to access "
            f"'{audience.aud}'.",
        )
    return delegated_outcome(call, tenant, app, user, audience, acr)


def refresh_token(call: TokenCall) -> Outcome:
    """Return new tokens for a refresh token, which is used up (rotation)."""
    token = require(call.form, "refresh_token")
    known = call.state.refresh.peek(token)
    tenant = resolve_tenant(call, hint=known.tenant_id if known else None)
    app = resolve_app(tenant, call.form["client_id"])
    acr = authenticate(app, call.form, call.request, call.now)
    record = call.state.refresh.redeem(token, app.client_id)
    user = find_user(tenant, record.user_id)
    if user is None or record.tenant_id != tenant.id:
        raise EntraError(70000, "invalid_grant", "The refresh token was issued in another tenant.")
    asked = call.form.get("resource" if call.v1 else "scope")
    audience = call.audience(tenant) if asked else record.audience
    # Whoever holds a refresh token already has offline access: keep rotating it.
    return delegated_outcome(
        call, tenant, app, user, dataclasses.replace(audience, offline=True), acr
    )


GRANTS: dict[str, Callable[[TokenCall], Outcome]] = {
    "client_credentials": client_credentials,
    "password": password,
    "refresh_token": refresh_token,
    "device_code": poll_device_code,
}


def handle_token(state: EmulatorState, request: Request, tenant: str, version: str) -> Response:
    """Return the token response or the Entra ID error JSON."""
    form = request.form() if request.is_form() else {}
    call = TokenCall(state, request, form, tenant, version, utc_now())
    state.stats.token_request(
        form.get("client_id", ""), _audience_label(call), _grant_label(form.get("grant_type"))
    )
    try:
        outcome = _dispatch(call)
    except EntraError as exc:
        state.stats.token_error(exc.code)
        return exc.response()
    return Response(200, success_body(call, outcome))


def _dispatch(call: TokenCall) -> Outcome:
    grant_type = require(call.form, "grant_type")
    handler = GRANTS.get(_grant_label(grant_type))
    if handler is None:
        raise EntraError(
            70003,
            "unsupported_grant_type",
            f"The app requested an unsupported grant type '{grant_type}'.",
        )
    require(call.form, "client_id")
    return handler(call)


def _grant_label(grant_type: str | None) -> str:
    # Both spellings of the device code grant count as one.
    return "device_code" if grant_type in DEVICE_CODE_GRANTS else grant_type or ""


def _audience_label(call: TokenCall) -> str:
    raw = call.form.get("resource" if call.v1 else "scope", "")
    if not raw and call.form.get("refresh_token"):
        record = call.state.refresh.peek(call.form["refresh_token"])
        return record.audience.resource.canonical if record else ""
    device_code = call.form.get("device_code") or call.form.get("code")
    if not raw and device_code:
        device = call.state.devices.get(device_code)
        return device.audience.resource.canonical if device else ""
    try:
        audience = parse_resource(raw, "") if call.v1 else parse_scope(raw, "")
    except EntraError:
        return raw
    return audience.resource.canonical
