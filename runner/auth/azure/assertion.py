"""Client assertions: a JWT signed with a certificate's key, or a federated token file.

Both are secrets: they are sent only as the `client_assertion` form field, which reports
mask, and never appear in messages.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from runner.auth.azure.common import JWT_BEARER, AzureSettings
from runner.errors import AuthError

LIFETIME = 600  # ten minutes, as MSAL does: long enough for clock skew, short if leaked
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.DOTALL)


@dataclass
class Signer:
    """A certificate's private key and its `x5t#S256` thumbprint."""

    key: rsa.RSAPrivateKey
    thumbprint: str

    def assertion(self, client_id: str, audience: str, now: float | None = None) -> str:
        """Returns a signed client assertion for `client_id`, valid for ten minutes."""
        issued = int(time.time() if now is None else now)
        claims = {
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": str(uuid.uuid4()),
            "nbf": issued,
            "iat": issued,
            "exp": issued + LIFETIME,
        }
        headers = {"x5t#S256": self.thumbprint, "typ": "JWT"}
        return jwt.encode(claims, self.key, algorithm="RS256", headers=headers)


def load_signer(path: Path, password: str | None = None) -> Signer:
    """Returns the Signer for a PEM (or PKCS#12 .pfx) file with a private key and certificate.

    Raises:
        AuthError: the file is missing or unreadable, or the key and certificate are missing,
            not RSA, or do not belong together.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuthError(
            f"certificateFile {path} cannot be read: {exc.strerror or exc}",
            hint="a PEM file with the private key and the certificate, relative to the collection",
        ) from None
    if not data.strip():
        raise AuthError(f"certificateFile {path} is empty")
    secret = password.encode() if password else None
    key, certs = _pem(data, secret, path) if b"-----BEGIN" in data else _pkcs12(data, secret, path)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise AuthError(
            f"certificateFile {path}: the private key is not RSA",
            hint="Entra ID client certificates use RSA keys",
        )
    # The file may hold a chain: the certificate that goes with the key is the app's.
    cert = next((c for c in certs if _spki(c.public_key()) == _spki(key.public_key())), None)
    if cert is None:
        raise AuthError(f"certificateFile {path}: the certificate does not match the private key")
    digest = cert.fingerprint(hashes.SHA256())
    return Signer(key, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


def _pem(
    data: bytes, secret: bytes | None, path: Path
) -> tuple[PrivateKeyTypes, list[x509.Certificate]]:
    blocks = [(m.group(1).decode(), m.group(0)) for m in _PEM_BLOCK.finditer(data)]
    keys = [pem for kind, pem in blocks if kind.endswith("PRIVATE KEY")]
    certs = [x509.load_pem_x509_certificate(pem) for kind, pem in blocks if kind == "CERTIFICATE"]
    if not keys or not certs:
        raise AuthError(
            f"certificateFile {path} has no {'private key' if not keys else 'certificate'}",
            hint="the PEM must hold a PRIVATE KEY block and a CERTIFICATE block",
        )
    try:
        return serialization.load_pem_private_key(keys[0], password=secret), certs
    except (ValueError, TypeError) as exc:
        # The library's message says whether a password is missing or wrong; never the key.
        raise AuthError(f"certificateFile {path}: cannot load the private key: {exc}") from None


def _pkcs12(
    data: bytes, secret: bytes | None, path: Path
) -> tuple[PrivateKeyTypes, list[x509.Certificate]]:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
    except (ValueError, TypeError) as exc:
        raise AuthError(
            f"certificateFile {path} is neither PEM nor a readable PKCS#12 file: {exc}",
            hint="set certificatePassword for a protected .pfx",
        ) from None
    if key is None or cert is None:
        raise AuthError(
            f"certificateFile {path} has no {'private key' if key is None else 'certificate'}"
        )
    return key, [cert, *extra]


def _spki(key: PublicKeyTypes) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def read_federated_token(path: Path) -> str:
    """Returns the federated token in `path`, read now (Kubernetes and CI rotate the file).

    Raises:
        AuthError: the file is missing, unreadable or empty.
    """
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise AuthError(
            f"federated token file {path} cannot be read: {exc.strerror or exc}",
            hint="set federatedTokenFile or AZURE_FEDERATED_TOKEN_FILE to the projected token",
        ) from None
    if not token:
        raise AuthError(f"federated token file {path} is empty")
    return token


def assertion_form(assertion: str) -> dict[str, str]:
    """Returns the form fields that authenticate a client with `assertion`."""
    return {"client_assertion_type": JWT_BEARER, "client_assertion": assertion}


def federated_path(settings: AzureSettings) -> Path | None:
    """Returns the federated token file: `federatedTokenFile` (relative to the collection),
    else AZURE_FEDERATED_TOKEN_FILE, else None."""
    if settings.federated_token_file:
        return settings.path(settings.federated_token_file)
    named = settings.environ.get("AZURE_FEDERATED_TOKEN_FILE")
    return Path(named).expanduser() if named else None
