"""Auth: static credentials applied to a request, or a token source for the token step.

`prepare(spec, render, ...)` returns what a request needs: headers/query to add, auth the
transport applies as it sends (digest, oauth1, hawk), or a TokenSource whose token the run loop
fetches through the shared TokenCache.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import field
from pathlib import Path

from runner.auth.base import Token, TokenCache, TokenSource
from runner.errors import AuthError
from runner.model import AuthSpec
from runner.records import record
from runner.transport.signing import RequestAuth
from runner.values import JSON

__all__ = ["AuthPlan", "Token", "TokenCache", "TokenSource", "prepare"]

Render = Callable[[str], str]


@record(hashable=False)
class AuthPlan:
    """What to do to a request for its auth."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    query: list[tuple[str, str]] = field(default_factory=list)
    request_auth: RequestAuth | None = None
    source: TokenSource | None = None
    prefix: str = "Bearer"
    secrets: list[str] = field(default_factory=list)


def prepare(
    spec: AuthSpec | None,
    render: Render,
    *,
    base_dir: Path,
    retries: int = 0,
    dialect: str = "native",
) -> AuthPlan:
    """Returns the AuthPlan for `spec` (None or type none: nothing to do).

    Raises:
        AuthError: the auth block cannot be used (missing fields, unsupported type, an
            empty credential in a native collection).
    """
    if spec is None or spec.type in ("none", "noauth", "inherit"):
        return AuthPlan()
    field = REQUIRED_CREDENTIALS.get(spec.type)
    if field is not None and not render(str(spec.params.get(field, ""))).strip():
        if dialect == "postman":
            return AuthPlan()  # as Newman: an auth without its credential adds nothing
        raise AuthError(f"not sent: {empty_credential(spec.type)}", hint=EMPTY_HINT)
    plan = _plan(spec, render, base_dir, retries)
    # Credentials written literally in an auth block are secrets too, whatever their name.
    plan.secrets = [
        render(str(value))
        for key, value in spec.params.items()
        if isinstance(value, str) and key in SECRET_PARAMS
    ]
    return plan


REQUIRED_CREDENTIALS = {"bearer": "token", "apikey": "value"}
"""The field an auth type cannot do without: empty or blank, the request is not sent."""
EMPTY_HINT = "give it a value (check the variable it comes from), or use auth type none"


def empty_credential(auth_type: str) -> str:
    """Returns the sentence for an auth block whose credential is empty or blank."""
    what = "bearer token" if auth_type == "bearer" else "API key value"
    return f"the {what} is empty"


SECRET_PARAMS = frozenset(
    {"token", "password", "clientSecret", "refreshToken", "value", "authKey", "consumerSecret"}
    | {"tokenSecret", "accessToken", "clientAssertion", "certificatePassword", "privateKey"}
)


def _plan(spec: AuthSpec, render: Render, base_dir: Path, retries: int) -> AuthPlan:
    params = spec.params
    builder = _STATIC.get(spec.type)
    if builder is not None:
        return builder(params, render)
    if spec.type == "oauth2":
        from runner.auth.oauth2 import build_oauth2

        source = build_oauth2(params, render, spec.location)
        source.retries = retries
        return AuthPlan(source=source)
    if spec.type == "azure":
        from runner.auth.azure import build_azure

        return AuthPlan(source=build_azure(params, render, spec.location, base_dir, retries))
    from runner.auth.extra import request_auth

    return AuthPlan(request_auth=request_auth(spec, render))


def _bearer(params: Mapping[str, JSON], render: Render) -> AuthPlan:
    token = render(str(params.get("token", "")))
    prefix = render(str(params.get("prefix") or "Bearer"))
    return AuthPlan(headers=[("Authorization", f"{prefix} {token}".strip())])


def _basic(params: Mapping[str, JSON], render: Render) -> AuthPlan:
    user = render(str(params.get("username", "")))
    password = render(str(params.get("password", "")))
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return AuthPlan(headers=[("Authorization", f"Basic {encoded}")])


def _apikey(params: Mapping[str, JSON], render: Render) -> AuthPlan:
    name = render(str(params.get("name") or params.get("key") or ""))
    value = render(str(params.get("value", "")))
    if not name:
        raise AuthError("apikey auth needs a name")
    if str(params.get("in", "header")) == "query":
        return AuthPlan(query=[(name, value)])
    return AuthPlan(headers=[(name, value)])


_STATIC: dict[str, Callable[[Mapping[str, JSON], Render], AuthPlan]] = {
    "bearer": _bearer,
    "basic": _basic,
    "apikey": _apikey,
}
