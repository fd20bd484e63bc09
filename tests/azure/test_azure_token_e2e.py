"""End to end: `python -m runner token AUTH_FILE` with each azure credential."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from azure_helpers import (
    CERT_APP,
    IDENTITY_HEADER,
    PUBLIC_APP,
    SECRET,
    SECRET_APP,
    SYSTEM_MI,
    TENANT,
    federated_token,
    install_fake_az,
    run_runner,
)
from cryptography.hazmat.primitives.asymmetric import rsa

from runner.emulator import Emulator

PKI = tuple[rsa.RSAPrivateKey, bytes, bytes]


def token(folder: Path, auth: dict[str, Any], env: dict[str, str]) -> tuple[int, str, str]:
    """Writes `auth` as an auth file and runs `runner token` on it; returns code, out, err."""
    (folder / "auth.json").write_text(json.dumps({"type": "azure", **auth}))
    done = run_runner(folder, ["token", "auth.json"], env)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("credential", ["client_secret", "certificate", "workload_identity"])
def test_service_principal_tokens(
    emulator: Emulator, tmp_path: Path, pki: PKI, credential: str
) -> None:
    (tmp_path / "app.pem").write_bytes(pki[1])
    (tmp_path / "gh.jwt").write_text(federated_token(pki[0]))
    client = SECRET_APP if credential == "client_secret" else CERT_APP
    auth = {
        "credential": credential,
        "tenantId": TENANT,
        "clientId": client,
        "authorityHost": emulator.url,
        "clientSecret": SECRET,
        "certificateFile": "app.pem",
        "federatedTokenFile": "gh.jwt",
    }
    code, out, err = token(tmp_path, auth, {})
    assert code == 0, out + err
    assert f"appid: {client}" in out and '"access_token": "***"' in out
    assert "eyJ" not in out + err and SECRET not in out + err


def test_managed_identity_and_cli_tokens(emulator: Emulator, tmp_path: Path) -> None:
    env = {"IDENTITY_ENDPOINT": emulator.url + "/msi/token", "IDENTITY_HEADER": IDENTITY_HEADER}
    code, out, err = token(tmp_path, {"credential": "managed_identity"}, env)
    assert code == 0, out + err
    assert f"appid: {SYSTEM_MI}" in out and "eyJ" not in out + err
    env = {
        "PATH": str(install_fake_az(tmp_path)),
        "FAKE_AZ_LOG": str(tmp_path / "log"),
        "FAKE_AZ_TOKEN": "opaque-cli-token",
        "FAKE_AZ_MODE": "nologin",
    }
    code, out, err = token(tmp_path, {"credential": "azure_cli"}, env)
    assert code == 1 and "not signed in: run az login" in err


def test_device_code_token(emulator: Emulator, tmp_path: Path) -> None:
    auth = {
        "credential": "device_code",
        "tenantId": TENANT,
        "clientId": PUBLIC_APP,
        "authorityHost": emulator.url,
        "scope": "https://graph.microsoft.com/User.Read",
    }
    code, out, err = token(tmp_path, auth, {})
    assert code == 0, out + err
    assert "enter the code" in err and "scp: User.Read" in out
    assert '"refresh_token": "***"' in out and "eyJ" not in out + err
