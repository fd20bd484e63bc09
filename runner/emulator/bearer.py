"""Checks the bearer token of an ARM or Graph request; each service words the failure."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from runner.emulator.audiences import Resource, find_resource
from runner.emulator.messages import Request
from runner.emulator.state import EmulatorState
from runner.values import JSON


@dataclass(frozen=True)
class Caller:
    """The verified claims of the caller's access token."""

    claims: dict[str, JSON]

    @property
    def tenant_id(self) -> str:
        """Return the ``tid`` claim."""
        return str(self.claims.get("tid", ""))

    @property
    def oid(self) -> str:
        """Return the caller's object id."""
        return str(self.claims.get("oid", ""))

    @property
    def roles(self) -> tuple[str, ...]:
        """Return the application permissions (``roles``)."""
        roles = self.claims.get("roles", [])
        return tuple(str(r) for r in roles) if isinstance(roles, list) else ()

    @property
    def scopes(self) -> tuple[str, ...]:
        """Return the delegated permissions (``scp``)."""
        return tuple(str(self.claims.get("scp", "")).split())

    @property
    def delegated(self) -> bool:
        """Return True for a user's token."""
        return "scp" in self.claims


class BearerProblem(Exception):
    """Why a bearer token was refused: ``missing``, ``malformed``, ``signature``,
    ``expired``, ``not_yet_valid`` or ``audience``."""

    def __init__(self, kind: str, claims: dict[str, JSON] | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.claims = claims or {}


def check_bearer(state: EmulatorState, request: Request, resource: Resource) -> Caller:
    """Return the Caller when the token is ours, current and for ``resource``; else raise."""
    scheme, _, token = (request.header("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BearerProblem("missing")
    try:
        claims = state.issuer.verify(token.strip())
    except jwt.InvalidSignatureError:
        raise BearerProblem("signature") from None
    except jwt.InvalidTokenError:
        raise BearerProblem("malformed") from None
    now = time.time()
    if not isinstance(claims.get("exp"), int) or now >= claims["exp"]:
        state.stats.event("expired")
        raise BearerProblem("expired", claims)
    if isinstance(claims.get("nbf"), int) and now + 300 < claims["nbf"]:
        raise BearerProblem("not_yet_valid", claims)
    if find_resource(str(claims.get("aud", ""))) is not resource:
        raise BearerProblem("audience", claims)
    return Caller(claims)
