"""Client certificates (mutual TLS): PEM files, or PKCS#12 (.p12/.pfx) with a password.

requests takes a certificate and an unencrypted key as PEM files. An encrypted key or a
PKCS#12 bundle is therefore decrypted once, before anything is sent, into a private
temporary folder (mode 0700) that is removed when the process ends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from runner.errors import InputError
from runner.records import record

_PEM_CERT = b"-----BEGIN CERTIFICATE-----"


@record
class GivenCertificate:
    """A client certificate as it was given: its files, and whether a password opens them
    (the password itself is never kept here)."""

    cert: str
    key: str | None = None
    password: bool = False
    pkcs12: bool = False


# The files client_certificate wrote, with what they were read from: the temporary PEM
# files are gone after the run, so `--curl` names the given files instead.
_GIVEN: dict[tuple[str, str], GivenCertificate] = {}


def given_certificate(pem: tuple[str, str]) -> GivenCertificate:
    """Returns the files `pem` (as client_certificate returned it) were read from: the
    PEM files themselves when runner did not write them."""
    return _GIVEN.get(pem) or GivenCertificate(*pem)


FLAGS = ("--cert", "--key", "--cert-password")
"""How messages name the certificate, the key and the password: the command-line flags."""


def client_certificate(
    cert: str,
    key: str | None = None,
    password: str | None = None,
    *,
    flags: tuple[str, str, str] = FLAGS,
) -> tuple[str, str]:
    """Returns (certificate PEM path, unencrypted key PEM path) for requests.

    `flags` names the three in messages (a collection's `certificate` has its own names).

    Raises:
        InputError: a file is missing, is neither PEM nor PKCS#12, has no key, or the
            password is wrong or missing.
    """
    cert_flag, key_flag, password_flag = flags
    data = _read(cert_flag, cert)
    if _PEM_CERT not in data:
        pem = _from_pkcs12(cert, data, password, flags)
        _GIVEN[pem] = GivenCertificate(cert, None, bool(password), pkcs12=True)
        return pem
    key_data = _read(key_flag, key) if key else data
    if b"PRIVATE KEY-----" not in key_data:
        raise InputError(
            f"{cert_flag} {cert}: no private key in the file",
            hint=f"give the key with {key_flag} FILE, or a PEM file holding both",
        )
    encrypted = b"ENCRYPTED" in key_data
    if not encrypted and key:
        return cert, key
    from cryptography.hazmat.primitives import serialization

    try:
        private = serialization.load_pem_private_key(
            key_data, password.encode() if password else None
        )
    except (ValueError, TypeError) as exc:
        reason = "wrong password" if password else f"it is encrypted: give {password_flag}"
        raise InputError(
            f"{key_flag if key else cert_flag} {key or cert}: cannot read the private key "
            f"({reason})",
        ) from exc
    pem = _write_pem(data, private)
    _GIVEN[pem] = GivenCertificate(cert, key, encrypted)
    return pem


def _from_pkcs12(
    path: str, data: bytes, password: str | None, flags: tuple[str, str, str]
) -> tuple[str, str]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    cert_flag, _, password_flag = flags
    try:
        private, certificate, chain = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        reason = (
            "wrong password, or not a PKCS#12 file"
            if password
            else f"not PEM, and not a PKCS#12 file without a password (give {password_flag})"
        )
        raise InputError(f"{cert_flag} {path}: cannot read the certificate: {reason}") from exc
    if private is None or certificate is None:
        raise InputError(f"{cert_flag} {path}: the PKCS#12 file holds no certificate and key")
    from cryptography.hazmat.primitives import serialization

    pem = certificate.public_bytes(serialization.Encoding.PEM) + b"".join(
        c.public_bytes(serialization.Encoding.PEM) for c in chain or []
    )
    return _write_pem(pem, private)


def _write_pem(certificates: bytes, private: object) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization

    folder = Path(tempfile.mkdtemp(prefix="runner-cert-"))
    os.chmod(folder, 0o700)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    certs = b"".join(
        block
        for block in certificates.split(b"-----END CERTIFICATE-----")
        if _PEM_CERT in block
        for block in (block[block.index(_PEM_CERT) :] + b"-----END CERTIFICATE-----\n",)
    )
    cert_path.write_bytes(certs)
    key_bytes = private.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key_bytes)
    return str(cert_path), str(key_path)


def _read(flag: str, path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{flag} {path}: {exc.strerror or 'cannot read'}") from None
