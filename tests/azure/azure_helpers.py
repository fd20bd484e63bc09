"""Throwaway keys, certificates, federated tokens and a fake `az` for the azure tests."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from runner.auth.azure import build_azure
from runner.auth.base import Token, TokenSource
from runner.errors import Location
from runner.results import ItemResult
from runner.transport.http import Transport

TENANT = "00000000-0000-0000-0000-0000000000aa"
SUBSCRIPTION = "00000000-0000-0000-0000-00000000005a"
SECRET_APP = "11111111-2222-3333-4444-555555555555"
SECRET = "emulator-secret-valid-NOT-REAL"
CERT_APP = "00000000-0000-0000-0000-0000000000a9"
PUBLIC_APP = "00000000-0000-0000-0000-0000000000c2"
SYSTEM_MI = "00000000-0000-0000-0000-0000000000e1"
USER_MI = "00000000-0000-0000-0000-0000000000e2"
USER_MI_OBJECT = "00000000-0000-0000-0000-0000000000e9"
IDENTITY_HEADER = "emulator-identity-header-NOT-REAL"
GITHUB = "https://token.actions.githubusercontent.com"
SUBJECT = "repo:contoso/nightly:ref:refs/heads/main"
EXCHANGE = "api://AzureADTokenExchange"
ARM_SCOPE = "https://management.azure.com/.default"


def make_pem() -> tuple[rsa.RSAPrivateKey, bytes, bytes]:
    """Returns (key, key PEM + certificate PEM, certificate PEM) of a fresh self-signed cert."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "runner-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    return key, key_pem + cert_pem, cert_pem


def federated_token(key: rsa.RSAPrivateKey, subject: str = SUBJECT, **claims: Any) -> str:
    """Returns a GitHub-style OIDC token for `subject` (the emulator checks its claims)."""
    now = int(time.time())
    body: dict[str, Any] = {"iss": GITHUB, "sub": subject, "aud": EXCHANGE, "iat": now}
    body.update(nbf=now, exp=now + 300)
    body.update(claims)
    return jwt.encode(body, key, algorithm="RS256")


def emulator_config(cert_pem: bytes) -> dict[str, Any]:
    """Returns the default emulator config plus an app with the test certificate."""
    from runner.emulator import default_config_dict

    config = default_config_dict()
    app = {
        "clientId": CERT_APP,
        "displayName": "runner-azure-tests",
        "certificates": [
            {"keyId": "00000000-0000-0000-0000-00000000ce01", "pem": cert_pem.decode()}
        ],
        "federatedCredentials": [{"name": "github", "issuer": GITHUB, "subject": SUBJECT}],
    }
    config["tenants"][0]["apps"].append(app)
    scope = f"/subscriptions/{SUBSCRIPTION}"
    config["roleAssignments"].append({"principal": CERT_APP, "role": "Reader", "scope": scope})
    return config


def closed_port_url() -> str:
    """Returns an http URL on loopback where nothing listens (connection refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


FAKE_AZ = """#!{python}
import json, os, sys
with open(os.environ["FAKE_AZ_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
mode = os.environ.get("FAKE_AZ_MODE", "new")
if mode == "nologin":
    sys.stderr.write("ERROR: Please run 'az login' to setup account.\\n")
    sys.exit(1)
if mode == "broken":
    sys.stderr.write("ERROR: AADSTS50173: The provided grant has expired.\\n")
    sys.exit(2)
out = {{"accessToken": os.environ["FAKE_AZ_TOKEN"], "expiresOn": "2031-01-02 03:04:05.000000",
       "subscription": "sub", "tenant": "tid", "tokenType": "Bearer"}}
if mode == "new":
    out["expires_on"] = 1924992000
print(json.dumps(out))
"""


def install_fake_az(folder: Path) -> Path:
    """Writes an executable fake `az` into `folder/bin`; returns that folder."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "az"
    script.write_text(FAKE_AZ.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bin_dir


def az_calls(log: Path) -> list[list[str]]:
    """Returns the argument lists the fake az was called with."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def source(
    params: Mapping[str, Any], environ: Mapping[str, str], base_dir: Path | None = None
) -> TokenSource:
    """Returns the azure TokenSource for `params` (no variables to render)."""
    return build_azure(
        params, lambda text: text, Location("test.json"), base_dir or Path.cwd(), 0, environ
    )


def fetch(src: TokenSource, transport: Transport, previous: Token | None = None) -> Token:
    """Returns a token from `src`, recording onto a throwaway result."""
    return src.fetch(transport, previous, new_result())


def new_result() -> ItemResult:
    """Returns an empty token-step result."""
    return ItemResult(name="token", path=("auth",), iteration=1, kind="token")


def claims(token: Token) -> dict[str, Any]:
    """Returns the access token's claims (unverified)."""
    decoded: dict[str, Any] = jwt.decode(token.value, options={"verify_signature": False})
    return decoded


def run_runner(
    folder: Path, args: list[str], extra_env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Runs `python -m runner ARGS` in `folder` with no Azure settings of this machine.

    PATH holds no `az` (unless `extra_env` adds one) and the metadata endpoint is a closed
    loopback port, so nothing reaches real Azure or 169.254.169.254.
    """
    prefixes = ("AZURE_", "IDENTITY_", "ACTIONS_ID_TOKEN_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    empty = folder / "empty-path"
    empty.mkdir(exist_ok=True)
    env.update(PATH=str(empty), AZURE_POD_IDENTITY_AUTHORITY_HOST=closed_port_url())
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "runner", *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
