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
from typing import NamedTuple

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


class CertNames(NamedTuple):
    """How messages name the certificate file, the key file and the password, and how to
    give the key and the password where they are given (flags, a collection, a list)."""

    cert: str
    key: str
    password: str
    give_key: str
    give_password: str


FLAGS = CertNames("--cert", "--key", "--cert-password", "--key FILE", "--cert-password")
"""The names of the command line."""


# What client_certificate returned, by its arguments and the files' size and mtime: every
# collection of `runner run a.json b.json` (and the token transport of --jobs) asks for the
# run's --cert again, and a decrypted copy is written once, not once per collection.
_READ: dict[tuple[object, ...], tuple[str, str]] = {}


def client_certificate(
    cert: str,
    key: str | None = None,
    password: str | None = None,
    *,
    names: CertNames = FLAGS,
) -> tuple[str, str]:
    """Returns (certificate PEM path, unencrypted key PEM path) for requests.

    `names` names the three in messages (a collection's `certificate` has its own). A
    password an unencrypted key does not need is not used, as curl and Node do. The same
    files, unchanged, asked for again give the same answer without being read again.

    Raises:
        InputError: a file is missing, is neither PEM nor PKCS#12, has no key or only a
            key, the key does not belong to the certificate, or the password is wrong or
            missing.
    """
    memo = (cert, key, password, _stamp(cert), _stamp(key) if key else None)
    found = _READ.get(memo)
    if found is None:
        found = _READ[memo] = _read_certificate(cert, key, password, names)
    return found


def _stamp(path: str) -> tuple[int, int] | None:
    """Returns the file's size and modification time, None when it cannot be read."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _read_certificate(
    cert: str, key: str | None, password: str | None, names: CertNames
) -> tuple[str, str]:
    """Returns client_certificate's answer, reading the files (the same Raises)."""
    data = _read(names.cert, cert)
    if _PEM_CERT not in data:
        if b"PRIVATE KEY-----" in data:
            raise InputError(
                f"{names.cert} {cert}: the file holds a private key but no certificate",
                hint=f"give the certificate there, and this file as the key ({names.give_key})",
            )
        if key:
            raise InputError(
                f"{names.key} {key}: a PKCS#12 file ({cert}) holds its own key",
                hint=f"leave out {names.key}",
            )
        pem = _from_pkcs12(cert, data, password, names)
        _GIVEN[pem] = GivenCertificate(cert, None, bool(password), pkcs12=True)
        return pem
    key_data = _read(names.key, key) if key else data
    if b"PRIVATE KEY-----" not in key_data:
        where = (
            f"{names.key} {key}: no private key in the file"
            if key
            else (f"{names.cert} {cert}: no private key in the file")
        )
        raise InputError(
            where, hint=f"give the key with {names.give_key}, or a PEM file holding both"
        )
    if b"ENCRYPTED" not in key_data:
        pem = (cert, key or cert)
        _check_pair(pem, names)
        _GIVEN.setdefault(pem, GivenCertificate(cert, key))
        return pem
    from cryptography.hazmat.primitives import serialization

    try:
        private = serialization.load_pem_private_key(
            key_data, password.encode() if password else None
        )
    except (ValueError, TypeError) as exc:
        reason = "wrong password" if password else f"it is encrypted: give {names.give_password}"
        raise InputError(
            f"{names.key if key else names.cert} {key or cert}: cannot read the private key "
            f"({reason})",
        ) from exc
    pem = _write_pem(data, private)
    _check_pair(pem, names)
    _GIVEN[pem] = GivenCertificate(cert, key, True)
    return pem


def _check_pair(pem: tuple[str, str], names: CertNames) -> None:
    """Raises InputError unless OpenSSL takes the certificate and key together (the key is
    the certificate's own), as the TLS handshake will."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_cert_chain(*pem)
    except ssl.SSLError as exc:
        mismatch = "KEY_VALUES_MISMATCH" in str(exc) or "key values mismatch" in str(exc)
        given = _GIVEN.get(pem)
        cert, key = (given.cert, given.key) if given else pem
        if mismatch:
            raise InputError(
                f"{names.key if key and key != cert else names.cert} {key or cert}: the key "
                f"does not belong to the certificate {cert}",
                hint="give the key the certificate was issued for",
            ) from None
        reason = exc.reason or str(exc)
        raise InputError(f"{names.cert} {cert}: OpenSSL cannot use it ({reason})") from None


def _from_pkcs12(path: str, data: bytes, password: str | None, names: CertNames) -> tuple[str, str]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        private, certificate, chain = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        reason = (
            "wrong password, or not a PKCS#12 file"
            if password
            else f"not PEM, and not a PKCS#12 file without a password (give {names.give_password})"
        )
        raise InputError(f"{names.cert} {path}: cannot read the certificate: {reason}") from exc
    if private is None or certificate is None:
        raise InputError(f"{names.cert} {path}: the PKCS#12 file holds no certificate and key")
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
