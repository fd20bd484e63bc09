"""Microsoft's own SDKs against `runner emulator --tls`, started as a real subprocess.

No client-side patching: only the switches the SDKs offer for private clouds (`authority`,
`instance_discovery`, `base_url`, allowed hosts) and the standard CA variables. A guard fails
any test whose process tries to connect to a non-loopback address (instance discovery at
login.microsoftonline.com, IMDS at 169.254.169.254, ...), even when the SDK swallows the error.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from runner.emulator import default_config_dict

TENANT = "contoso.onmicrosoft.com"
TENANT_ID = "00000000-0000-0000-0000-0000000000aa"
APP = "11111111-2222-3333-4444-555555555555"
SECRET = "emulator-secret-valid-NOT-REAL"
NO_ROLES_APP = "00000000-0000-0000-0000-0000000000c3"
NO_ROLES_SECRET = "emulator-secret-noperm-NOT-REAL"
PUBLIC_APP = "00000000-0000-0000-0000-0000000000c2"
USER = "adele.vance@contoso.onmicrosoft.com"
USER_ID = "00000000-0000-0000-0000-0000000001a1"
SUB = "00000000-0000-0000-0000-00000000005a"
ARM_SCOPE = "https://management.azure.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
IDENTITY_HEADER = "emulator-identity-header-NOT-REAL"
FEDERATED_ISSUER = "https://oidc.emulator.invalid/contoso-aks/"
FEDERATED_SUBJECT = "system:serviceaccount:default:runner"


@dataclass(frozen=True)
class Running:
    """The emulator subprocess: its https URL, the CA file it printed, and the app's key."""

    url: str
    ca_file: Path
    cert_pem: Path  # private key + certificate registered on APP, for certificate credentials
    thumbprint_sha1: str
    lines: tuple[str, ...]


def _registered_certificate(folder: Path) -> tuple[Path, str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "runner-sdk-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=400))  # the nightly check wants > 30 days
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = folder / "app-cert.pem"
    path.write_bytes(key_pem + cert_pem)
    return path, cert_pem.decode(), cert.fingerprint(hashes.SHA1()).hex()


@pytest.fixture(scope="package")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Start `runner emulator --tls` in a subprocess (its CA in a scratch user cache)."""
    folder = tmp_path_factory.mktemp("sdk-emulator")
    cert_path, cert_pem, sha1 = _registered_certificate(folder)
    config = default_config_dict()
    app = next(a for a in config["tenants"][0]["apps"] if a["clientId"] == APP)
    app["certificates"] = [
        {"keyId": "00000000-0000-0000-0000-00000000c001", "displayName": "sdk", "pem": cert_pem}
    ]
    config_path = folder / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "runner", "emulator", "--tls", "--config", str(config_path)]
    errors = (folder / "stderr.txt").open("w", encoding="utf-8")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
    assert process.stdout is not None
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Trust it:"):
                break
        text = "\n".join(lines)
        url = re.search(r"on (https://127\.0\.0\.1:\d+) ", text)
        ca = re.search(r"^CA certificate: (.+)$", text, re.MULTILINE)
        assert url and ca, (text, (folder / "stderr.txt").read_text(encoding="utf-8"))
        yield Running(url[1], Path(ca[1]), cert_path, sha1, tuple(lines))
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        errors.close()


@pytest.fixture
def blocked_connects(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Refuse, and record, every connect to a non-loopback address; fail the test if any."""
    attempts: list[Any] = []
    original: Callable[..., Any] = socket.socket.connect
    original_ex: Callable[..., Any] = socket.socket.connect_ex

    def loopback(address: Any) -> bool:
        if not isinstance(address, tuple):
            return True  # AF_UNIX
        try:
            return ipaddress.ip_address(address[0]).is_loopback
        except ValueError:
            return False

    def connect(self: socket.socket, address: Any) -> Any:
        if not loopback(address):
            attempts.append(address)
            raise ConnectionRefusedError(f"test guard: non-loopback connect to {address}")
        return original(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if not loopback(address):
            attempts.append(address)
            return 111
        return original_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts
    assert attempts == [], f"non-loopback connections attempted: {attempts}"


@pytest.fixture
def sdk_env(
    tls_emulator: Running, monkeypatch: pytest.MonkeyPatch, blocked_connects: list[Any]
) -> Running:
    """Trust the emulator's CA the standard way, with the loopback guard on."""
    for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, str(tls_emulator.ca_file))
    return tls_emulator
