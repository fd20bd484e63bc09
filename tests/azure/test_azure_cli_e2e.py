"""End to end: `python -m runner run` with each azure credential against the emulator.

Each run checks the exit status, the JUnit token testcase, and that no secret, token,
assertion or key appears in stdout, stderr, the JUnit file or the JSON file.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from azure_helpers import (
    CERT_APP,
    IDENTITY_HEADER,
    PUBLIC_APP,
    SECRET,
    SECRET_APP,
    SUBSCRIPTION,
    TENANT,
    federated_token,
    install_fake_az,
    new_result,
    run_runner,
    source,
)
from cryptography.hazmat.primitives.asymmetric import rsa

from runner.emulator import Emulator
from runner.transport.http import RequestsTransport

PKI = tuple[rsa.RSAPrivateKey, bytes, bytes]


@dataclass
class Run:
    """One finished `runner run`: exit status, outputs and the report files."""

    code: int
    stdout: str
    stderr: str
    junit: str
    report: str

    def token_case(self) -> ET.Element:
        """Returns the JUnit testcase of the token step."""
        cases = [
            c for c in ET.fromstring(self.junit).iter("testcase") if c.get("classname") == "auth"
        ]
        assert len(cases) == 1, self.junit
        return cases[0]

    def leaks(self, secrets: list[str]) -> list[str]:
        """Returns the secrets (and any JWT) found in any output."""
        text = "\n".join((self.stdout, self.stderr, self.junit, self.report))
        found = [s for s in secrets if s and s in text]
        return found + (["a JWT (eyJ…)"] if "eyJ" in text else [])


def collection(folder: Path, emulator: Emulator, auth: dict[str, Any]) -> Path:
    """Writes a one-request collection listing resource groups with `auth`; returns it."""
    path = folder / "azure.collection.json"
    item = {
        "name": "List resource groups",
        "url": f"{emulator.url}/subscriptions/{SUBSCRIPTION}/resourcegroups",
        "query": {"api-version": "2021-04-01"},
        "assert": {"status": 200, "jsonpath": {"$.value[0].name": {"exists": True}}},
    }
    body = {"name": "azure e2e", "auth": {"type": "azure", **auth}, "items": [item]}
    path.write_text(json.dumps(body))
    return path


def run_cli(folder: Path, coll: Path, extra_env: dict[str, str]) -> Run:
    """Runs `python -m runner run` in a clean environment; returns what it produced."""
    junit, report = folder / "junit.xml", folder / "report.json"
    args = ["run", str(coll), "--junit", str(junit), "--json", str(report)]
    done = run_runner(folder, args, extra_env)
    return Run(done.returncode, done.stdout, done.stderr, junit.read_text(), report.read_text())


def _passes(run: Run, secrets: list[str]) -> None:
    assert run.code == 0, run.stdout + run.stderr
    case = run.token_case()
    assert case.get("name", "").startswith("token: ")
    assert list(case) == []  # no <error>
    assert run.leaks(secrets) == []


def test_client_secret_and_default(emulator: Emulator, tmp_path: Path) -> None:
    auth = {
        "credential": "client_secret",
        "tenantId": TENANT,
        "clientId": SECRET_APP,
        "clientSecret": "<<$env.SP_CREDENTIAL>>",
        "authorityHost": emulator.url,
    }
    run = run_cli(tmp_path, collection(tmp_path, emulator, auth), {"SP_CREDENTIAL": SECRET})
    _passes(run, [SECRET])
    assert run.token_case().get("name") == (
        f"token: {SECRET_APP} → https://management.azure.com/.default"
    )
    env = {
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": SECRET_APP,
        "AZURE_CLIENT_SECRET": SECRET,
        "AZURE_AUTHORITY_HOST": emulator.url,
    }
    run = run_cli(tmp_path, collection(tmp_path, emulator, {"credential": "default"}), env)
    _passes(run, [SECRET])
    assert "token: default → " in run.token_case().get("name", "")


def test_certificate_and_workload_identity(emulator: Emulator, tmp_path: Path, pki: PKI) -> None:
    (tmp_path / "app.pem").write_bytes(pki[1])
    key_line = pki[1].decode().splitlines()[5]
    base = {"tenantId": TENANT, "clientId": CERT_APP, "authorityHost": emulator.url}
    auth = {**base, "credential": "certificate", "certificateFile": "app.pem"}
    _passes(run_cli(tmp_path, collection(tmp_path, emulator, auth), {}), [key_line])
    federated = federated_token(pki[0])
    (tmp_path / "gh.jwt").write_text(federated)
    auth = {**base, "credential": "workload_identity", "federatedTokenFile": "gh.jwt"}
    _passes(run_cli(tmp_path, collection(tmp_path, emulator, auth), {}), [federated])


def test_certificate_not_registered_fails_the_token_step(
    emulator: Emulator, tmp_path: Path
) -> None:
    from azure_helpers import make_pem

    (tmp_path / "other.pem").write_bytes(make_pem()[1])
    auth = {
        "credential": "certificate",
        "tenantId": TENANT,
        "clientId": CERT_APP,
        "authorityHost": emulator.url,
        "certificateFile": "other.pem",
    }
    run = run_cli(tmp_path, collection(tmp_path, emulator, auth), {})
    assert run.code == 1
    error = run.token_case().find("error")
    assert error is not None and "AADSTS700027" in (error.get("message") or "")
    assert run.leaks([]) == []


def test_managed_identity_app_service(emulator: Emulator, tmp_path: Path) -> None:
    env = {"IDENTITY_ENDPOINT": emulator.url + "/msi/token", "IDENTITY_HEADER": IDENTITY_HEADER}
    auth = {"credential": "managed_identity", "resource": "https://management.azure.com/"}
    run = run_cli(tmp_path, collection(tmp_path, emulator, auth), env)
    _passes(run, [IDENTITY_HEADER])
    assert run.token_case().get("name") == "token: managed_identity → https://management.azure.com/"


def test_managed_identity_unavailable(emulator: Emulator, tmp_path: Path) -> None:
    run = run_cli(tmp_path, collection(tmp_path, emulator, {"credential": "managed_identity"}), {})
    assert run.code == 1
    error = run.token_case().find("error")
    assert error is not None and "VM metadata endpoint" in (error.get("message") or "")


def _emulator_token(emulator: Emulator) -> str:
    """Returns a real ARM token of the emulator, for the fake az to hand out."""
    params = {
        "credential": "client_secret",
        "tenantId": TENANT,
        "clientId": SECRET_APP,
        "clientSecret": SECRET,
        "authorityHost": emulator.url,
    }
    return source(params, {}).fetch(RequestsTransport(), None, new_result()).value


def test_azure_cli(emulator: Emulator, tmp_path: Path) -> None:
    # The fake az hands out a real emulator token, so the ARM call succeeds.
    real = _emulator_token(emulator)
    bin_dir = install_fake_az(tmp_path)
    env = {"PATH": str(bin_dir), "FAKE_AZ_LOG": str(tmp_path / "az.log"), "FAKE_AZ_TOKEN": real}
    coll = collection(tmp_path, emulator, {"credential": "azure_cli"})
    _passes(run_cli(tmp_path, coll, env), [real])
    run = run_cli(tmp_path, coll, {**env, "FAKE_AZ_MODE": "nologin"})
    assert run.code == 1
    error = run.token_case().find("error")
    assert error is not None and "not signed in: run az login" in (error.get("message") or "")


def test_azure_cli_curl_names_the_program_not_a_request(emulator: Emulator, tmp_path: Path) -> None:
    # --curl: the token step ran `az`, not an HTTP request, so it is a comment naming the
    # command line (no `curl -X EXEC`); the request after it is a curl command with the
    # token masked.
    token = _emulator_token(emulator)
    bin_dir = install_fake_az(tmp_path)
    env = {"PATH": str(bin_dir), "FAKE_AZ_LOG": str(tmp_path / "az.log"), "FAKE_AZ_TOKEN": token}
    coll = collection(tmp_path, emulator, {"credential": "azure_cli", "tenantId": TENANT})
    done = run_runner(tmp_path, ["run", str(coll), "--curl"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    shown = [line.strip() for line in done.stdout.splitlines() if "curl" in line or "# " in line]
    assert shown == [
        "# not an HTTP request: the token came from running az account get-access-token "
        f"--output json --scope https://management.azure.com/.default --tenant {TENANT}",
        f"$ curl '{emulator.url}/subscriptions/{SUBSCRIPTION}/resourcegroups?api-version="
        "2021-04-01' -H 'User-Agent: runner/0.1.0' -H 'Accept: */*' -H 'Authorization: ***' -L",
    ], done.stdout
    assert "curl -X" not in done.stdout and token not in done.stdout + done.stderr


def test_device_code(emulator: Emulator, tmp_path: Path) -> None:
    auth = {
        "credential": "device_code",
        "tenantId": "contoso.onmicrosoft.com",
        "clientId": PUBLIC_APP,
        "authorityHost": emulator.url,
        "scope": "https://management.azure.com/user_impersonation",
    }
    run = run_cli(tmp_path, collection(tmp_path, emulator, auth), {})
    _passes(run, [])
    assert "https://microsoft.com/devicelogin" in run.stderr and "enter the code" in run.stderr


@pytest.mark.parametrize("authority", ["http://login.example.com"])
def test_http_authority_off_loopback(emulator: Emulator, tmp_path: Path, authority: str) -> None:
    auth = {
        "credential": "client_secret",
        "tenantId": TENANT,
        "clientId": SECRET_APP,
        "clientSecret": SECRET,
        "authorityHost": authority,
    }
    run = run_cli(tmp_path, collection(tmp_path, emulator, auth), {})
    assert run.code == 1
    assert f"authorityHost {authority} must use https://" in run.stdout + run.stderr
    assert run.leaks([SECRET]) == []
