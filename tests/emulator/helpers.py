"""Shared constants of the default config, request helpers, certificate and assertion helpers."""

from __future__ import annotations

import base64
import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

TENANT = "contoso.onmicrosoft.com"
TENANT_ID = "00000000-0000-0000-0000-0000000000aa"
APP = "11111111-2222-3333-4444-555555555555"
SECRET = "emulator-secret-valid-NOT-REAL"
LEGACY_APP = "00000000-0000-0000-0000-0000000000c1"
PUBLIC_APP = "00000000-0000-0000-0000-0000000000c2"
NO_ROLES_APP = "00000000-0000-0000-0000-0000000000c3"
NO_ROLES_SECRET = "emulator-secret-noperm-NOT-REAL"
FABRIKAM_APP = "00000000-0000-0000-0000-0000000000f1"
FABRIKAM_SECRET = "emulator-secret-fabrikam-NOT-REAL"
USER = "adele.vance@contoso.onmicrosoft.com"
MFA_USER = "alex.wilber@contoso.onmicrosoft.com"
PASSWORD = "emulator-password-NOT-REAL"
SUB = "00000000-0000-0000-0000-00000000005a"
FABRIKAM_SUB = "00000000-0000-0000-0000-00000000005f"
ARM = "https://management.azure.com/"
GRAPH_DEFAULT = "https://graph.microsoft.com/.default"


def token_json(
    http: requests.Session, base: str, version: str = "v1", tenant: str = TENANT, **form: str
) -> requests.Response:
    """POST a token request to the v1 or v2 endpoint and return the response."""
    path = "oauth2/token" if version == "v1" else "oauth2/v2.0/token"
    return http.post(f"{base}/{tenant}/{path}", data=form, timeout=10)


def app_token(
    http: requests.Session, base: str, resource: str = ARM, tenant: str = TENANT, **overrides: str
) -> str:
    """Return an access token for the main app (client credentials, v1)."""
    form = {"grant_type": "client_credentials", "client_id": APP, "client_secret": SECRET}
    form.update(resource=resource, **overrides)
    response = token_json(http, base, tenant=tenant, **form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def claims_of(token: str) -> dict[str, Any]:
    """Return a JWT's claims without verifying it."""
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def wait_until_expired(token: str) -> None:
    """Sleep until the token's exp has passed."""
    time.sleep(max(0.0, claims_of(token)["exp"] - time.time()) + 0.05)


def bearer(token: str) -> dict[str, str]:
    """Return an Authorization header."""
    return {"Authorization": f"Bearer {token}"}


def aadsts(response: requests.Response) -> int:
    """Return the first AADSTS code of an Entra ID error response."""
    codes = response.json()["error_codes"]
    assert isinstance(codes, list) and len(codes) == 1
    return int(codes[0])


@dataclass(frozen=True)
class KeyPair:
    """A throwaway RSA key with its self-signed certificate."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> str:
        """Return the certificate as PEM."""
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def thumbprint(self, algorithm: hashes.HashAlgorithm) -> str:
        """Return the base64url thumbprint used in x5t / x5t#S256."""
        digest = self.cert.fingerprint(algorithm)
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def assertion(
        self, client_id: str, aud: str, header: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        """Return a client assertion JWT signed with this key."""
        now = int(time.time())
        body: dict[str, Any] = {"aud": aud, "iss": client_id, "sub": client_id}
        body.update({"jti": str(uuid.uuid4()), "nbf": now, "exp": now + 600, **claims})
        headers = header if header is not None else {"x5t#S256": self.thumbprint(hashes.SHA256())}
        return jwt.encode(body, self.key, algorithm="RS256", headers=headers)


def make_key_pair(name: str = "runner-test") -> KeyPair:
    """Return a new RSA key and a self-signed certificate valid for a day."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(key, cert)
