"""Device code flow: ``/oauth2/v2.0/devicecode`` (and v1), and polling the token endpoint."""

from __future__ import annotations

import secrets
import string
import time

from runner.emulator.clientauth import authenticate
from runner.emulator.config import Tenant, User, find_user
from runner.emulator.delegated import delegated_outcome
from runner.emulator.errors import EntraError
from runner.emulator.messages import Request, Response, utc_now
from runner.emulator.state import DeviceRecord, EmulatorState
from runner.emulator.token_endpoint import (
    MULTI_TENANT,
    Outcome,
    TokenCall,
    asks_openid,
    require,
    resolve_app,
    resolve_tenant,
)
from runner.values import JSON

VERIFICATION_URI = "https://microsoft.com/devicelogin"
_CODE_ALPHABET = string.ascii_uppercase + string.digits


def handle_devicecode(
    state: EmulatorState, request: Request, tenant: str, version: str
) -> Response:
    """Return a new device code, or the Entra ID error JSON."""
    form = request.form() if request.is_form() else {}
    call = TokenCall(state, request, form, tenant, version, utc_now())
    try:
        body = _start(call)
    except EntraError as exc:
        state.stats.token_error(exc.code)
        return exc.response()
    return Response(200, body)


def _start(call: TokenCall) -> dict[str, JSON]:
    settings = call.state.config.device_code
    client_id = require(call.form, "client_id")
    tenant = resolve_tenant(call, hint=_home_tenant(call))
    app = resolve_app(tenant, client_id)
    audience = call.audience(tenant)
    user = _signing_in_user(tenant, settings.user)
    action = settings.clients.get(app.client_id.lower(), user.device_code)
    user_code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(9))
    record = DeviceRecord(
        device_code="emulator-dc." + secrets.token_urlsafe(32),
        user_code=user_code,
        client_id=app.client_id,
        tenant_id=tenant.id,
        user_id=user.object_id,
        audience=audience,
        action=action,
        expires_at=time.time() + settings.expires_in,
        openid=asks_openid(call.form),
    )
    call.state.devices.add(record)
    message = (
        f"To sign in, use a web browser to open the page {VERIFICATION_URI} and enter the code "
        f"{user_code} to authenticate."
    )
    body: dict[str, JSON] = {"user_code": user_code, "device_code": record.device_code}
    if call.v1:
        body.update(verification_url=VERIFICATION_URI, expires_in=str(settings.expires_in))
        body.update(interval=str(settings.interval), message=message)
    else:
        body.update(verification_uri=VERIFICATION_URI, expires_in=settings.expires_in)
        body.update(interval=settings.interval, message=message)
    return body


def _home_tenant(call: TokenCall) -> str | None:
    # On /common the configured device-code user's tenant signs in.
    if call.tenant_name.lower() not in MULTI_TENANT:
        return None
    wanted = call.state.config.device_code.user
    for tenant in call.state.config.tenants:
        if wanted is None or find_user(tenant, wanted) is not None:
            return tenant.id
    return None


def _signing_in_user(tenant: Tenant, wanted: str | None) -> User:
    user = find_user(tenant, wanted) if wanted else None
    user = user or next(iter(tenant.users), None)
    if user is None:
        raise EntraError(50034, "invalid_grant", "The tenant has no user to sign in with.")
    return user


def poll_device_code(call: TokenCall) -> Outcome:
    """Return the tokens once the emulated user approved; raise the pending-style errors."""
    code = call.form.get("device_code") or require(call.form, "code")
    call.state.stats.event("device_code_poll")
    record = call.state.devices.get(code)
    if record is None or record.client_id.lower() != call.form["client_id"].lower():
        raise EntraError(
            70000, "invalid_grant", "The provided value for 'device_code' is not valid."
        )
    tenant = resolve_tenant(call, hint=record.tenant_id)
    app = resolve_app(tenant, record.client_id)
    acr = authenticate(app, call.form, call.request, call.now)
    polls = call.state.devices.poll(code)
    _check_progress(call, record, polls)
    call.state.devices.remove(code)
    user = find_user(tenant, record.user_id)
    if user is None:
        raise EntraError(50034, "invalid_grant", "The signed-in user no longer exists.")
    return delegated_outcome(call, tenant, app, user, record.audience, acr, record.openid)


def _check_progress(call: TokenCall, record: DeviceRecord, polls: int) -> None:
    if record.action == "expire" or time.time() > record.expires_at:
        call.state.devices.remove(record.device_code)
        raise EntraError(70019, "expired_token", "Verification code expired.")
    if record.action == "decline":
        call.state.devices.remove(record.device_code)
        raise EntraError(
            70000, "authorization_declined", "The user has declined to sign in (device code)."
        )
    slow = record.action == "slow_down"
    if slow and polls == 1:
        raise EntraError(70016, "slow_down", "Polling too fast. Increase the polling interval.")
    if polls <= call.state.config.device_code.approve_after_polls + int(slow):
        raise EntraError(
            70016,
            "authorization_pending",
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )
