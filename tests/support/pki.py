"""Client certificates for mutual TLS tests: a server context that checks them, and a
client's files in every form runner reads (PEM, PEM with the key, PKCS#12, encrypted key),
made with trustme and cryptography."""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12


def server_context(
    ca: trustme.CA, folder: Path, mode: ssl.VerifyMode, *names: str
) -> ssl.SSLContext:
    """Returns a server context for `names` (default 127.0.0.1) that checks client
    certificates against `ca` (`mode`: demand one, or only ask), and writes the CA to
    folder/ca.pem for the client."""
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*(names or ("127.0.0.1",))).configure_cert(context)
    context.verify_mode = mode
    ca.configure_trust(context)
    return context


def client_files(folder: Path, ca: trustme.CA, identity: str, password: str) -> dict[str, Path]:
    """Writes a client certificate for `identity` (an e-mail address) into `folder` and
    returns its files: cert, key, both (one PEM), p12 and encrypted (a PKCS#8 key), the
    last two protected by `password`."""
    folder.mkdir(parents=True, exist_ok=True)
    client = ca.issue_cert(identity)
    files = {
        "cert": folder / "client.crt",
        "key": folder / "client.key",
        "both": folder / "client.pem",
        "p12": folder / "client.p12",
        "encrypted": folder / "client-encrypted.key",
    }
    client.cert_chain_pems[0].write_to_path(str(files["cert"]))
    client.private_key_pem.write_to_path(str(files["key"]))
    files["both"].write_bytes(client.private_key_pem.bytes() + client.cert_chain_pems[0].bytes())
    key = serialization.load_pem_private_key(client.private_key_pem.bytes(), None)
    cert = x509.load_pem_x509_certificate(client.cert_chain_pems[0].bytes())
    encryption = serialization.BestAvailableEncryption(password.encode())
    bundle = pkcs12.serialize_key_and_certificates(b"client", key, cert, None, encryption)  # type: ignore[arg-type]
    files["p12"].write_bytes(bundle)
    files["encrypted"].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return files


def private_pem(kind: str = "rsa", password: bytes | None = None, traditional: bool = False) -> str:
    """Returns a new private key as PEM text: RSA (2048 bits) or an EC key (`kind` "ec"),
    PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or, `traditional`, OpenSSL's own form (`BEGIN RSA
    PRIVATE KEY`), encrypted with `password` when one is given."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = (
        ec.generate_private_key(ec.SECP256R1())
        if kind == "ec"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    form = serialization.PrivateFormat
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        form.TraditionalOpenSSL if traditional else form.PKCS8,
        encryption,
    )
    return pem.decode()
