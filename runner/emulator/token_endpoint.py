"""What every token grant shares: the parsed request, tenant and app lookup, the success JSON
(v1 with `resource` and string numbers, v2 with `scope` and numbers)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from runner.emulator.audiences import Audience, parse_resource, parse_scope
from runner.emulator.config import App, Tenant, find_app
from runner.emulator.errors import EntraError
from runner.emulator.messages import Request
from runner.emulator.state import EmulatorState
from runner.emulator.tokens import Grant
from runner.values import JSON

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
        if self.form.get("resource") and not self.form.get("scope"):
            raise EntraError(
                901002,
                "invalid_request",
                "The 'resource' request parameter is not supported. Use 'scope' "
                "(e.g. https://management.azure.com/.default) on the v2.0 endpoint.",
            )
        return parse_scope(self.form.get("scope", ""), tenant.display_name)


@dataclass(frozen=True)
class Outcome:
    """A granted token request: the claims, and extras for delegated grants."""

    grant: Grant
    audience: Audience
    refresh_token: str | None = None
    scope: str | None = None
    openid: bool = False  # the sign-in asked for ``openid``: answer with an id_token


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


def success_body(call: TokenCall, outcome: Outcome) -> dict[str, JSON]:
    """Return the token response JSON in the v1 or v2 dialect."""
    issued = call.state.issuer.issue(outcome.grant)
    body: dict[str, JSON] = {"token_type": "Bearer"}
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
    if outcome.grant.delegated:
        body.update(_sign_in_fields(call, outcome))
    return body


def asks_openid(form: dict[str, str]) -> bool:
    """Return True when the request's scope has ``openid``."""
    return "openid" in form.get("scope", "").split()


def _sign_in_fields(call: TokenCall, outcome: Outcome) -> dict[str, str]:
    """Return ``id_token`` (scope has ``openid``) and ``client_info`` (``client_info=1``).

    MSAL asks for both and builds its account (home account id ``uid.utid``) from them;
    without them it caches no account and ``acquire_token_silent`` finds nothing.
    """
    fields: dict[str, str] = {}
    grant = outcome.grant
    if outcome.openid:
        fields["id_token"] = call.state.issuer.id_token(grant)
    if call.form.get("client_info") == "1":
        info = json.dumps({"uid": grant.oid, "utid": grant.tenant_id}, separators=(",", ":"))
        fields["client_info"] = base64.urlsafe_b64encode(info.encode()).decode().rstrip("=")
    return fields
