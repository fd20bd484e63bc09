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

_PEM_CERT = b"-----BEGIN CERTIFICATE-----"


def client_certificate(
    cert: str, key: str | None = None, password: str | None = None
) -> tuple[str, str]:
    """Returns (certificate PEM path, unencrypted key PEM path) for requests.

    Raises:
        InputError: a file is missing, is neither PEM nor PKCS#12, has no key, or the
            password is wrong or missing.
    """
    data = _read("--cert", cert)
    if _PEM_CERT not in data:
        return _from_pkcs12(cert, data, password)
    key_data = _read("--key", key) if key else data
    if b"PRIVATE KEY-----" not in key_data:
        raise InputError(
            f"--cert {cert}: no private key in the file",
            hint="give the key with --key FILE, or a PEM file holding both",
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
        raise InputError(
            f"--{'key' if key else 'cert'} {key or cert}: cannot read the private key "
            f"({'wrong password' if password else 'it is encrypted: give --cert-password'})",
        ) from exc
    return _write_pem(data, private)


def _from_pkcs12(path: str, data: bytes, password: str | None) -> tuple[str, str]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        private, certificate, chain = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        reason = (
            "wrong password, or not a PKCS#12 file"
            if password
            else ("not PEM, and not a PKCS#12 file without a password (give --cert-password)")
        )
        raise InputError(f"--cert {path}: cannot read the certificate: {reason}") from exc
    if private is None or certificate is None:
        raise InputError(f"--cert {path}: the PKCS#12 file holds no certificate and key")
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


def _certificate_blocks(pem: bytes) -> bytes:
    """Returns only the certificates of a PEM text (a key in the same file stays out)."""
    end = b"-----END CERTIFICATE-----"
    return b"".join(
        _PEM_CERT + part[: part.index(end) + len(end)] + b"\n"
        for part in pem.split(_PEM_CERT)[1:]
        if end in part
    )


def _read(flag: str, path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{flag} {path}: {exc.strerror or 'cannot read'}") from None
