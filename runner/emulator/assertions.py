"""Client assertions: certificate-signed JWTs and federated (workload identity) tokens.

A federated token's own signature is not checked (the emulator cannot reach GitHub's or a
cluster's keys); its issuer, subject, audience and lifetime are, as Entra ID does.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import datetime

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from runner.emulator.config import App, Certificate
from runner.emulator.errors import EntraError
from runner.emulator.federation import check_time_range, verify_federated
from runner.values import JSON

ALGORITHMS = ("RS256", "PS256")


def verify_assertion(app: App, assertion: str, token_url: str, now: datetime) -> None:
    """Return when the assertion authenticates ``app``; raise the AADSTS error otherwise."""
    try:
        header = jwt.get_unverified_header(assertion)
        claims: dict[str, JSON] = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise _error(50027, "invalid_request", "JWT token is invalid or malformed.") from None
    issuer = str(claims.get("iss", ""))
    if issuer.lower() != app.client_id.lower():
        verify_federated(app, claims, now)
        return
    _verify_signed(app, assertion, header)
    _check_claims(app, claims, token_url, now)


def _verify_signed(app: App, assertion: str, header: dict[str, JSON]) -> None:
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise _signature_error(f"The assertion is signed with '{algorithm}', not RS256/PS256.")
    cert = _registered_cert(app, header)
    key = cert.public_key if cert.public_key is not None else _x5c_key(header, cert)
    try:
        jwt.decode(
            assertion,
            key,
            algorithms=[str(algorithm)],
            options={"verify_exp": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.InvalidSignatureError:
        raise _signature_error("Client assertion failed signature validation.") from None
    except jwt.InvalidTokenError as exc:
        raise _signature_error(f"Client assertion could not be validated: {exc}.") from None


def _registered_cert(app: App, header: dict[str, JSON]) -> Certificate:
    s256, s1 = _b64(header.get("x5t#S256")), _b64(header.get("x5t"))
    for cert in app.certificates:
        if (s256 and hmac.compare_digest(s256, cert.sha256)) or (
            s1 and cert.sha1 and hmac.compare_digest(s1, cert.sha1)
        ):
            return cert
    thumb = header.get("x5t#S256") or header.get("x5t") or "(none)"
    raise _signature_error(
        f"The certificate with identifier used to sign the client assertion is not registered "
        f"on application. [Reason - The key was not found., Thumbprint of key used by client: "
        f"'{thumb}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to "
        f"see configured keys for app Id '{app.client_id}'.]"
    )


def _x5c_key(header: dict[str, JSON], cert: Certificate) -> JSON:
    # A thumbprint-only registration can still verify when the client sends its certificate.
    chain = header.get("x5c")
    try:
        der = base64.b64decode(chain[0] if isinstance(chain, list) else str(chain))
        sent = x509.load_der_x509_certificate(der)
    except (ValueError, TypeError, IndexError, binascii.Error):
        raise _signature_error("The registered key has no certificate to verify with.") from None
    if not hmac.compare_digest(sent.fingerprint(hashes.SHA256()), cert.sha256):
        raise _signature_error("The x5c certificate does not match the registered key.")
    return sent.public_key()


def _check_claims(app: App, claims: dict[str, JSON], token_url: str, now: datetime) -> None:
    if str(claims.get("sub", "")).lower() != app.client_id.lower():
        raise _error(
            700021,
            "invalid_client",
            "Client assertion application identifier doesn't match 'client_id' parameter.",
        )
    if str(claims.get("aud", "")).rstrip("/").lower() != token_url.rstrip("/").lower():
        raise _error(
            700023,
            "invalid_client",
            "Client assertion audience claim does not match Realm issuer. The audience must "
            f"be the token endpoint '{token_url}'.",
        )
    if not claims.get("jti"):
        raise _error(50027, "invalid_request", "JWT token is invalid: 'jti' is required.")
    check_time_range(claims, now)


def _b64(value: JSON) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, binascii.Error):
        return None


def _signature_error(message: str) -> EntraError:
    return EntraError(700027, "invalid_client", message)


def _error(code: int, error: str, message: str) -> EntraError:
    return EntraError(code, error, message)
