"""Delegated (user) tokens: consent checks and the token of a signed-in user."""

from __future__ import annotations

from runner.emulator.audiences import GRAPH, Audience
from runner.emulator.config import App, Tenant, User
from runner.emulator.errors import EntraError
from runner.emulator.state import RefreshRecord
from runner.emulator.token_endpoint import Outcome, TokenCall, asks_openid
from runner.emulator.tokens import Grant


def consented_scopes(app: App, user: User, audience: Audience) -> tuple[str, ...]:
    """Return the ``scp`` permissions to grant; raise AADSTS65001 when consent is missing."""
    alias = audience.resource.alias
    granted = list(app.delegated_scopes.get(alias, ())) + list(user.consented_scopes.get(alias, ()))
    granted = [s for s in dict.fromkeys(granted) if s != "offline_access"]
    lowered = {s.lower() for s in granted}
    wanted = [s for s in audience.scopes if s != ".default"]
    missing = [s for s in wanted if s.lower() not in lowered]
    if missing or not granted:
        raise EntraError(
            65001,
            "invalid_grant",
            f"The user or administrator has not consented to use the application with ID "
            f"'{app.client_id}' named '{app.display_name}'. Send an interactive authorization "
            f"request for this user and resource. Missing: {' '.join(missing) or alias}.",
        )
    return tuple(wanted) if wanted else tuple(granted)


def user_grant(tenant: Tenant, app: App, user: User, audience: Audience, acr: str) -> Grant:
    """Return the Grant of a delegated token for ``user``."""
    return Grant(
        tenant_id=tenant.id,
        aud=audience.aud,
        client_id=app.client_id,
        oid=user.object_id,
        version=audience.resource.token_version,
        scopes=consented_scopes(app, user, audience),
        username=user.username,
        name=user.display_name,
        acr=acr,
    )


def scope_text(grant: Grant, audience: Audience) -> str:
    """Return the v2 ``scope`` response field for a delegated grant."""
    prefix = "" if audience.resource is GRAPH else audience.aud.rstrip("/") + "/"
    words = [prefix + s for s in grant.scopes]
    return " ".join([*words, "offline_access"] if audience.offline else words)


def delegated_outcome(
    call: TokenCall,
    tenant: Tenant,
    app: App,
    user: User,
    audience: Audience,
    acr: str,
    openid: bool | None = None,
) -> Outcome:
    """Return the Outcome of a user grant, with a refresh token when offline access applies.

    ``openid`` (default: whether this request's scope has it) adds the id token.
    """
    grant = user_grant(tenant, app, user, audience, acr)
    refresh = None
    if call.v1 or audience.offline:
        record = RefreshRecord(app.client_id, tenant.id, user.object_id, audience)
        refresh = call.state.refresh.issue(record)
    scope = None if call.v1 else scope_text(grant, audience)
    wants_id = asks_openid(call.form) if openid is None else openid
    return Outcome(grant, audience, refresh, scope, wants_id)
