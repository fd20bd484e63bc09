"""Entra ID token endpoints, v1 ``/{tenant}/oauth2/token`` and v2 ``…/oauth2/v2.0/token``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from runner.emulator.audiences import Audience, parse_resource, parse_scope
from runner.emulator.config import App, Tenant, find_app
from runner.emulator.errors import EntraError
from runner.emulator.messages import Request, Response, utc_now
from runner.emulator.state import EmulatorState
from runner.emulator.tokens import Grant

MULTI_TENANT = ("common", "organizations", "consumers")
DEVICE_CODE_GRANTS = ("urn:ietf:params:oauth:grant-type:device_code", "device_code")


@dataclass(frozen=True)
class TokenCall:
    """One token request, parsed."""

    state: EmulatorState
    request: Request
    form: dict[str, str]
    tenant_name: str
    version: str
    now: datetime

    @property
    def v1(self) -> bool:
        """Return True on the v1 endpoint (``resource``, string numbers)."""
        return self.version == "1.0"

    def audience(self, tenant: Tenant) -> Audience:
        """Return the requested audience from ``resource`` (v1) or ``scope`` (v2)."""
        if self.v1:
            return parse_resource(require(self.form, "resource"), tenant.display_name)
        return parse_scope(self.form.get("scope", ""), tenant.display_name)


@dataclass(frozen=True)
class Outcome:
    """A granted token request: the claims, and extras for delegated grants."""

    grant: Grant
    audience: Audience
    refresh_token: str | None = None
    scope: str | None = None


def require(form: dict[str, str], name: str) -> str:
    """Return a form field; raise AADSTS900144 when it is missing or empty."""
    value = form.get(name, "")
    if not value:
        raise EntraError(
            900144,
            "invalid_request",
            f"The request body must contain the following parameter: '{name}'.",
        )
    return value


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
    return Response(200, _success_body(call, outcome))


def _dispatch(call: TokenCall) -> Outcome:
    from runner.emulator.grants import GRANTS

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


def resolve_tenant(call: TokenCall, hint: str | None = None) -> Tenant:
    """Return the addressed tenant; ``common``-style names resolve through ``hint``."""
    name = call.tenant_name
    if name.lower() in MULTI_TENANT and hint is not None:
        name = hint
    tenant = call.state.config.find_tenant(name)
    if tenant is None:
        raise EntraError(
            90002,
            "invalid_request",
            f"Tenant '{name}' not found. Check to make sure you have the correct tenant ID and "
            "are signing into the correct cloud. Check with your subscription administrator, "
            "this may happen if there are no active subscriptions for the tenant.",
        )
    return tenant


def resolve_app(tenant: Tenant, client_id: str) -> App:
    """Return the app; raise AADSTS700016 when the tenant has no such app."""
    app = find_app(tenant, client_id)
    if app is None:
        raise EntraError(
            700016,
            "unauthorized_client",
            f"Application with identifier '{client_id}' was not found in the directory "
            f"'{tenant.display_name}'. This can happen if the application has not been "
            "installed by the administrator of the tenant or consented to by any user in the "
            "tenant. You may have sent your authentication request to the wrong tenant.",
        )
    return app


def _success_body(call: TokenCall, outcome: Outcome) -> dict[str, Any]:
    issued = call.state.issuer.issue(outcome.grant)
    body: dict[str, Any] = {"token_type": "Bearer"}
    if call.v1:
        lifetime = str(issued.lifetime)
        body.update(expires_in=lifetime, ext_expires_in=lifetime)
        body.update(expires_on=str(issued.expires_on), not_before=str(issued.issued_at))
        body["resource"] = outcome.audience.aud
        if outcome.grant.delegated:
            body["scope"] = " ".join(outcome.grant.scopes)
    else:
        body.update(expires_in=issued.lifetime, ext_expires_in=issued.lifetime)
        if outcome.scope is not None:
            body["scope"] = outcome.scope
    body["access_token"] = issued.token
    if outcome.refresh_token is not None:
        body["refresh_token"] = outcome.refresh_token
    return body


def _grant_label(grant_type: str | None) -> str:
    # Both spellings of the device code grant count as one.
    return "device_code" if grant_type in DEVICE_CODE_GRANTS else grant_type or ""


def _audience_label(call: TokenCall) -> str:
    raw = call.form.get("resource" if call.v1 else "scope", "")
    if not raw and call.form.get("refresh_token"):
        record = call.state.refresh.peek(call.form["refresh_token"])
        return record.audience.resource.canonical if record else ""
    try:
        audience = parse_resource(raw, "") if call.v1 else parse_scope(raw, "")
    except EntraError:
        return raw
    return audience.resource.canonical
