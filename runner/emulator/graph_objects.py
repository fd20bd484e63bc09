"""Microsoft Graph's JSON for users, applications and service principals; $filter/$select."""

from __future__ import annotations

import base64
import re

from runner.emulator.config import App, ManagedIdentity, Tenant, User
from runner.emulator.errors import ApiError, NotEmulated
from runner.emulator.messages import iso
from runner.values import JSON

_EQ = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_PROPERTY = re.compile(r"^\s*(?:\w+\(\s*)?(\w+)")
_STARTS = re.compile(r"^\s*startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$", re.IGNORECASE)


def user_json(user: User, tenant: Tenant) -> dict[str, JSON]:
    """Return a user with Graph's default properties."""
    return {
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": user.given_name,
        "jobTitle": user.job_title,
        "mail": user.username if tenant.domains else None,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": None,
        "surname": user.surname,
        "userPrincipalName": user.username,
        "id": user.object_id,
    }


def _password_credentials(app: App) -> list[dict[str, JSON]]:
    # Like Graph: a three-character hint, never the secret itself.
    return [
        {
            "customKeyIdentifier": None,
            "displayName": s.display_name or None,
            "endDateTime": iso(s.end),
            "hint": s.value[:3],
            "keyId": s.key_id,
            "secretText": None,
            "startDateTime": iso(s.start),
        }
        for s in app.secrets
    ]


def _key_credentials(app: App) -> list[dict[str, JSON]]:
    return [
        {
            "customKeyIdentifier": base64.b64encode(c.sha1 or c.sha256).decode(),
            "displayName": c.display_name or None,
            "endDateTime": iso(c.end),
            "key": None,
            "keyId": c.key_id,
            "startDateTime": iso(c.start),
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
        }
        for c in app.certificates
    ]


def _principal(object_id: str, app_id: str, name: str) -> dict[str, JSON]:
    return {"id": object_id, "appId": app_id, "displayName": name}


def application_json(app: App) -> dict[str, JSON]:
    """Return an application object with its credentials' metadata."""
    return {
        **_principal(app.object_id, app.client_id, app.display_name),
        "signInAudience": "AzureADMyOrg",
        "isFallbackPublicClient": app.public_client,
        "passwordCredentials": _password_credentials(app),
        "keyCredentials": _key_credentials(app),
    }


def service_principal_json(app: App) -> dict[str, JSON]:
    """Return the app's service principal (credentials mirrored from the app)."""
    body = _principal(app.sp_object_id, app.client_id, app.display_name)
    body.update(accountEnabled=True, servicePrincipalType="Application")
    body.update(passwordCredentials=_password_credentials(app))
    return {**body, "keyCredentials": _key_credentials(app)}


def identity_json(identity: ManagedIdentity) -> dict[str, JSON]:
    """Return a managed identity's service principal."""
    body = _principal(identity.object_id, identity.client_id, identity.name)
    body.update(accountEnabled=True, servicePrincipalType="ManagedIdentity")
    return {**body, "passwordCredentials": [], "keyCredentials": []}


def apply_filter(
    items: list[dict[str, JSON]], expression: str | None, entity: str
) -> list[dict[str, JSON]]:
    """Return the items matching ``prop eq 'v'`` or ``startswith(prop,'v')``.

    An unknown property is Graph's 400; any other expression is not emulated (501).
    """
    if not expression:
        return items
    match = _EQ.match(expression) or _STARTS.match(expression)
    first = match or _PROPERTY.match(expression)
    named = first.group(1) if first else None
    if named and items and not any(k.lower() == named.lower() for k in items[0]):
        raise ApiError(
            400,
            "Request_BadRequest",
            f"Could not find a property named '{named}' on type 'microsoft.graph.{entity}'.",
        )
    if match is None:
        raise NotEmulated(f"the Graph filter $filter={expression}")
    prop, value = match.group(1), match.group(2).replace("''", "'").lower()
    wanted = next((k for k in items[0] if k.lower() == prop.lower()), prop) if items else prop
    starts = match.re is _STARTS

    def keep(item: dict[str, JSON]) -> bool:
        actual = str(item.get(wanted) or "").lower()
        return actual.startswith(value) if starts else actual == value

    return [item for item in items if keep(item)]


def apply_select(item: dict[str, JSON], select: str | None) -> dict[str, JSON]:
    """Return only the ``$select``-ed properties of an item."""
    if not select:
        return item
    names = {n.strip().lower() for n in select.split(",") if n.strip()}
    return {k: v for k, v in item.items() if k.lower() in names}
