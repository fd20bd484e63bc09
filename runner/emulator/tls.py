"""HTTPS for the emulator: a local CA kept in the user cache, and a server certificate per start.

The CA persists between runs (``$XDG_CACHE_HOME/runner/emulator-tls/``, default
``~/.cache/runner/emulator-tls/``) so a user trusts it once. The server certificate is made
fresh at each start, signed by that CA, and names 127.0.0.1, localhost and the real Azure
host names, so ``--connect-to login.microsoftonline.com:443:127.0.0.1:PORT`` verifies.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVER_NAMES = (
    "localhost",
    "login.microsoftonline.com",
    "management.azure.com",
    "graph.microsoft.com",
)
SERVER_IPS = ("127.0.0.1", "::1")
CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
_CA_NAME = "runner emulator local CA"


@dataclass(frozen=True)
class EmulatorTls:
    """A server-side TLS context and the CA certificate file clients must trust."""

    context: ssl.SSLContext
    ca_file: Path


def cache_dir() -> Path:
    """Return the folder the CA lives in (XDG cache, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "runner" / "emulator-tls"


def emulator_tls(folder: Path | None = None) -> EmulatorTls:
    """Return the TLS context of a new server certificate signed by the (persisted) CA."""
    folder = folder or cache_dir()
    ca_cert, ca_key = _load_or_create_ca(folder)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in SERVER_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in SERVER_IPS]
    cert = (
        _builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "runner emulator")]), now)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain reads files only: a private temporary file, removed at once.
    with tempfile.TemporaryDirectory(prefix="runner-emulator-tls-") as scratch:
        chain = Path(scratch) / "server.pem"
        chain.write_bytes(_key_pem(key) + cert.public_bytes(serialization.Encoding.PEM))
        context.load_cert_chain(chain)
    return EmulatorTls(context, folder / CA_FILE)


def _builder(subject: x509.Name, now: dt.datetime) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_or_create_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = folder / CA_FILE, folder / CA_KEY_FILE
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if (
            isinstance(key, ec.EllipticCurvePrivateKey)
            and key.public_key() == cert.public_key()
            and cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
        ):
            return cert, key
    except (OSError, ValueError):
        pass  # missing, unreadable or expiring: make a new one below
    return _create_ca(folder)


def _create_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "runner"),
            x509.NameAttribute(NameOID.COMMON_NAME, _CA_NAME),
        ]
    )
    cert = (
        _builder(subject, now)
        .issuer_name(subject)
        .public_key(key.public_key())
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    # Key first, then certificate, each written whole and renamed into place: a second
    # emulator starting at the same moment reads either the old pair or the new one.
    _write_private(folder / CA_KEY_FILE, _key_pem(key))
    _write_private(folder / CA_FILE, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert, key


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    handle, scratch = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        os.fchmod(handle, mode)
        os.write(handle, data)
    finally:
        os.close(handle)
    os.replace(scratch, path)
