"""Mutual TLS: --cert/--key (PEM) and PKCS#12 with --cert-password, against a local https
server that requires a client certificate issued by its CA (trustme)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from support.local_server import LocalServer, serve

from core.conftest import run_cli, write_json

PASSWORD = "p12-Pa55word+/="


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, Path, trustme.CA]]:
    """Yields an https server that demands a client certificate, the CA file, and the CA."""
    ca = trustme.CA()
    folder = tmp_path_factory.mktemp("pki")
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    context.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(context)
    with serve(context) as server:
        yield server, ca_file, ca


def _files(folder: Path, ca: trustme.CA) -> dict[str, Path]:
    client = ca.issue_cert("qa@example.test")
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
    files["p12"].write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"client",
            key,
            cert,
            None,
            serialization.BestAvailableEncryption(PASSWORD.encode()),  # type: ignore[arg-type]
        )
    )
    files["encrypted"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    return files


def _collection(tmp_path: Path, url: str) -> Path:
    return write_json(
        tmp_path / "c.json",
        {
            "name": "mtls",
            "items": [{"name": "who", "url": f"{url}/json", "assert": {"status": 200}}],
        },
    )


@pytest.mark.parametrize(
    "flags",
    [
        ["--cert", "{cert}", "--key", "{key}"],
        ["--cert", "{both}"],
        ["--cert", "{p12}", "--cert-password", PASSWORD],
        ["--cert", "{cert}", "--key", "{encrypted}", "--cert-password", PASSWORD],
    ],
    ids=["pem-and-key", "pem-with-key", "pkcs12", "encrypted-key"],
)
def test_client_certificate_is_presented(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA], flags: list[str]
) -> None:
    server, ca_file, ca = pki
    files = {k: str(v) for k, v in _files(tmp_path, ca).items()}
    args = [f.format(**files) for f in flags]
    result = run_cli("run", _collection(tmp_path, server.url), "--ca-bundle", ca_file, *args, "-v")
    assert result.code == 0, result.text
    assert PASSWORD not in result.text


def test_without_a_client_certificate_the_server_refuses(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA]
) -> None:
    server, ca_file, _ = pki
    result = run_cli("run", _collection(tmp_path, server.url), "--ca-bundle", ca_file)
    assert result.code == 1
    assert "error:" in result.out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--cert", "{p12}", "--cert-password", "wrong"], "wrong password"),
        (["--cert", "{p12}"], "give --cert-password"),
        (["--cert", "{cert}"], "no private key in the file"),
        (["--cert", "{cert}", "--key", "{encrypted}"], "it is encrypted: give --cert-password"),
        (["--cert", "{cert}/missing"], "missing"),
        (["--key", "{key}"], "--key and --cert-password go with --cert"),
    ],
)
def test_bad_client_certificate_is_invalid_input(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA], flags: list[str], message: str
) -> None:
    server, ca_file, ca = pki
    files = {k: str(v) for k, v in _files(tmp_path, ca).items()}
    server.clear()
    args = [f.format(**files) for f in flags]
    result = run_cli("run", _collection(tmp_path, server.url), "--ca-bundle", ca_file, *args)
    assert result.code == 2, result.text
    assert message in result.err
    assert server.log == []
