"""Signed access tokens: issuing them, and checking their signature."""

from __future__ import annotations

import base64
import hashlib
import math
import time
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from runner.emulator.messages import new_id
from runner.values import JSON

DEFAULT_LIFETIME = 3599
V1_ISSUER = "https://sts.windows.net/{tid}/"
V2_ISSUER = "https://login.microsoftonline.com/{tid}/v2.0"


@dataclass(frozen=True)
class Grant:
    """Who a token is for: the facts every access token carries."""

    tenant_id: str
    aud: str
    client_id: str
    oid: str
    version: str
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    username: str | None = None
    name: str | None = None
    acr: str = "1"
    extra: dict[str, JSON] = field(default_factory=dict)

    @property
    def delegated(self) -> bool:
        """Return True for a token issued to a signed-in user."""
        return self.username is not None


@dataclass(frozen=True)
class Issued:
    """An issued access token with its times (epoch seconds)."""

    token: str
    issued_at: int
    expires_on: int
    lifetime: int


class TokenIssuer:
    """Signs tokens with an RSA key made at start; verifies the ones it made."""

    def __init__(self, lifetime: int | None = None) -> None:
        self.lifetime = DEFAULT_LIFETIME if lifetime is None else lifetime
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = self._key.public_key().public_numbers().n.to_bytes(256, "big")
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:15]).decode()

    def issue(self, grant: Grant) -> Issued:
        """Return a signed JWT for the grant, valid for the configured lifetime."""
        now = time.time()
        issued_at = int(now)
        # Rounding up keeps exp >= the moment a client computes from expires_in.
        expires_on = math.ceil(now + self.lifetime)
        claims = _claims(grant, issued_at, expires_on)
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})
        return Issued(token, issued_at, expires_on, self.lifetime)

    def id_token(self, grant: Grant) -> str:
        """Return the v2 id token of a signed-in user, for the app (``aud`` = client id)."""
        now = int(time.time())
        # Like Entra ID, ``sub`` is pairwise: stable per user and app, not the object id.
        pairwise = hashlib.sha256(f"{grant.oid}:{grant.client_id}".encode()).digest()
        claims: dict[str, JSON] = {
            "aud": grant.client_id,
            "iss": V2_ISSUER.format(tid=grant.tenant_id),
            "iat": now,
            "nbf": now,
            "exp": math.ceil(now + self.lifetime),
            "name": grant.name,
            "oid": grant.oid,
            "preferred_username": grant.username,
            "sub": base64.urlsafe_b64encode(pairwise).decode().rstrip("="),
            "tid": grant.tenant_id,
            "uti": new_id().replace("-", "")[:22],
            "ver": "2.0",
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def verify(self, token: str) -> dict[str, JSON]:
        """Return the claims of a token this emulator signed; raise jwt.InvalidTokenError."""
        claims: dict[str, JSON] = jwt.decode(
            token,
            self._key.public_key(),
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_aud": False, "verify_nbf": False},
        )
        return claims

    def jwks(self) -> dict[str, JSON]:
        """Return the public signing key as a JWK set."""
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}


def _claims(grant: Grant, issued_at: int, expires_on: int) -> dict[str, JSON]:
    v1 = grant.version == "1.0"
    issuer = (V1_ISSUER if v1 else V2_ISSUER).format(tid=grant.tenant_id)
    claims: dict[str, JSON] = {
        "aud": grant.aud,
        "iss": issuer,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": expires_on,
        "tid": grant.tenant_id,
        "oid": grant.oid,
        "sub": grant.oid,
        "idtyp": "user" if grant.delegated else "app",
        "uti": new_id().replace("-", "")[:22],
        "ver": grant.version,
    }
    claims["appid" if v1 else "azp"] = grant.client_id
    claims["appidacr" if v1 else "azpacr"] = grant.acr
    if v1 and not grant.delegated:
        claims["idp"] = issuer  # v1 app-only tokens name their issuer as identity provider
    if grant.roles:
        claims["roles"] = list(grant.roles)
    if grant.delegated:
        claims["scp"] = " ".join(grant.scopes)
        claims["upn"] = claims["unique_name"] = grant.username
        claims["name"] = grant.name
    claims.update(grant.extra)
    return claims
