"""Postman `auth` blocks (v2.0 objects or v2.1 key/value arrays) → AuthSpec.

Bearer, basic, apikey and noauth get the native parameter names, so the run loop treats
them like native auth; oauth2 with a stored token becomes bearer (Newman fetches nothing);
every other type keeps Postman's own keys for `runner.auth.extra`.
"""

from __future__ import annotations

from runner.errors import Location
from runner.model import AuthSpec
from runner.postman.fields import key_of, text
from runner.values import JSON


def params_of(block: dict[str, JSON], kind: str) -> dict[str, JSON]:
    """Returns the parameters of one auth type as a dict, from either export form."""
    raw = block.get(kind)
    if isinstance(raw, dict):
        return dict(raw)
    if isinstance(raw, list):
        return {key_of(p): p.get("value") for p in raw if isinstance(p, dict) and key_of(p)}
    return {}


def auth(block: JSON, at: Location) -> AuthSpec | None:
    """Returns the auth of a node; None means "inherit from the parent"."""
    if not isinstance(block, dict):
        return None
    kind = text(block.get("type")).lower()
    if not kind or kind == "inherit":
        return None
    if kind == "noauth":
        return AuthSpec("none", {}, at)
    params = params_of(block, kind)
    builder = _BUILDERS.get(kind)
    if builder is not None:
        return builder(params, at)
    return AuthSpec(kind, params, at)


def _bearer(params: dict[str, JSON], at: Location) -> AuthSpec:
    return AuthSpec("bearer", {"token": text(params.get("token"))}, at)


def _basic(params: dict[str, JSON], at: Location) -> AuthSpec:
    user = {"username": text(params.get("username")), "password": text(params.get("password"))}
    return AuthSpec("basic", user, at)


def _apikey(params: dict[str, JSON], at: Location) -> AuthSpec:
    where = "query" if text(params.get("in")).lower() == "query" else "header"
    spec = {"in": where, "name": text(params.get("key")), "value": text(params.get("value"))}
    return AuthSpec("apikey", spec, at)


def _oauth2(params: dict[str, JSON], at: Location) -> AuthSpec:
    token = text(params.get("accessToken"))
    if not token:
        # Newman never fetches an OAuth 2 token itself: without a stored one, nothing is sent.
        return AuthSpec("none", {}, at)
    if text(params.get("addTokenTo")) == "queryParams":
        return AuthSpec("apikey", {"in": "query", "name": "access_token", "value": token}, at)
    prefix = text(params.get("headerPrefix")) or "Bearer"
    return AuthSpec("bearer", {"token": token, "prefix": prefix}, at)


_BUILDERS = {"bearer": _bearer, "basic": _basic, "apikey": _apikey, "oauth2": _oauth2}
