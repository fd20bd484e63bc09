"""Fixtures: one emulator (with a test certificate app) per session, a real transport."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from azure_helpers import closed_port_url, emulator_config, make_pem
from cryptography.hazmat.primitives.asymmetric import rsa

from runner.emulator import Emulator
from runner.transport.http import RequestsTransport


@pytest.fixture(scope="session")
def pki() -> tuple[rsa.RSAPrivateKey, bytes, bytes]:
    """Returns (key, key+cert PEM, cert PEM) registered on the emulator's CERT_APP."""
    return make_pem()


@pytest.fixture(scope="session")
def emulator(pki: tuple[rsa.RSAPrivateKey, bytes, bytes]) -> Iterator[Emulator]:
    """Returns a running emulator that knows the test certificate."""
    with Emulator(emulator_config(pki[2])) as running:
        yield running


@pytest.fixture
def transport() -> Iterator[RequestsTransport]:
    """Returns the real HTTP transport."""
    real = RequestsTransport()
    yield real
    real.close()


@pytest.fixture
def pem_file(tmp_path: Path, pki: tuple[rsa.RSAPrivateKey, bytes, bytes]) -> Path:
    """Returns the path of the registered key+certificate PEM, in a temporary folder."""
    path = tmp_path / "app.pem"
    path.write_bytes(pki[1])
    return path


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    """Returns a clean environment for a source: emulator authority, no IMDS on the network.

    The metadata endpoint always points at loopback: no test may reach 169.254.169.254.
    """
    empty = tmp_path / "empty-path"
    empty.mkdir()
    return {
        "AZURE_AUTHORITY_HOST": emulator.url,
        "AZURE_POD_IDENTITY_AUTHORITY_HOST": closed_port_url(),
        "PATH": str(empty),
    }


@pytest.fixture(autouse=True)
def _no_real_azure(monkeypatch: pytest.MonkeyPatch) -> None:
    # Belt and braces for code that falls back to os.environ.
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", closed_port_url())
    for name in (
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_FEDERATED_TOKEN_FILE",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
