"""managed_identity (App Service and VM metadata styles) and azure_cli (a fake `az`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from azure_helpers import (
    IDENTITY_HEADER,
    SYSTEM_MI,
    TENANT,
    USER_MI,
    USER_MI_OBJECT,
    az_calls,
    claims,
    fetch,
    install_fake_az,
    new_result,
    source,
)

from runner.auth.azure.cli import cli_expiry
from runner.emulator import Emulator
from runner.errors import AuthError
from runner.transport.http import RequestsTransport

ARM = {"resource": "https://management.azure.com/"}


@pytest.fixture
def app_service(env: dict[str, str], emulator: Emulator) -> dict[str, str]:
    """Returns an environment with the App Service identity endpoint of the emulator."""
    return {
        **env,
        "IDENTITY_ENDPOINT": emulator.url + "/msi/token",
        "IDENTITY_HEADER": IDENTITY_HEADER,
    }


def test_app_service_system_identity(
    app_service: dict[str, str], transport: RequestsTransport
) -> None:
    result = new_result()
    token = source({"credential": "managed_identity", **ARM}, app_service).fetch(
        transport, None, result
    )
    assert claims(token)["appid"] == SYSTEM_MI
    assert "api-version=2019-08-01" in result.url and "/msi/token" in result.url
    assert result.exchange is not None
    assert ("X-IDENTITY-HEADER", "***") in result.exchange.request_headers
    assert token.value not in (result.exchange.response_body or "")


def test_app_service_user_assigned_with_scope(
    app_service: dict[str, str], transport: RequestsTransport
) -> None:
    params = {
        "credential": "managed_identity",
        "clientId": USER_MI,
        "scope": "https://management.azure.com/.default",
    }
    result = new_result()
    token = source(params, app_service).fetch(transport, None, result)
    assert claims(token)["oid"] == USER_MI_OBJECT
    assert f"client_id={USER_MI}" in result.url
    assert "resource=https%3A%2F%2Fmanagement.azure.com%2F" in result.url


def test_app_service_wrong_header(
    app_service: dict[str, str], transport: RequestsTransport
) -> None:
    env = {**app_service, "IDENTITY_HEADER": "wrong"}
    with pytest.raises(
        AuthError, match=r"App Service endpoint \(IDENTITY_ENDPOINT\) answered 401: The X-IDENTITY"
    ):
        fetch(source({"credential": "managed_identity", **ARM}, env), transport)


def test_imds_system_and_user_assigned(
    env: dict[str, str], emulator: Emulator, transport: RequestsTransport
) -> None:
    env = {**env, "AZURE_POD_IDENTITY_AUTHORITY_HOST": emulator.url}
    result = new_result()
    token = source({"credential": "managed_identity", **ARM}, env).fetch(transport, None, result)
    assert claims(token)["appid"] == SYSTEM_MI
    assert result.url.startswith(emulator.url + "/metadata/identity/oauth2/token?")
    assert result.exchange is not None and ("Metadata", "true") in result.exchange.request_headers
    user = source({"credential": "managed_identity", "clientId": USER_MI, **ARM}, env)
    assert claims(fetch(user, transport))["oid"] == USER_MI_OBJECT


def test_imds_unknown_identity(
    env: dict[str, str], emulator: Emulator, transport: RequestsTransport
) -> None:
    env = {**env, "AZURE_POD_IDENTITY_AUTHORITY_HOST": emulator.url}
    params = {"credential": "managed_identity", "clientId": "00000000-0000-0000-0000-000000000bad"}
    with pytest.raises(AuthError) as caught:
        fetch(source({**params, **ARM}, env), transport)
    assert "Identity not found" in caught.value.message
    assert "user-assigned identity 00000000-0000-0000-0000-000000000bad" in (
        caught.value.hint or ""
    )


def test_no_identity_endpoint(env: dict[str, str], transport: RequestsTransport) -> None:
    with pytest.raises(AuthError) as caught:
        fetch(source({"credential": "managed_identity", **ARM}, env), transport)
    assert caught.value.message.startswith(
        "no managed identity endpoint: IDENTITY_ENDPOINT is not set and the VM metadata "
        "endpoint (http://127.0.0.1:"
    )
    assert "connection refused" in caught.value.message


@pytest.fixture
def az_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Returns an environment whose PATH holds only the fake az."""
    bin_dir = install_fake_az(tmp_path)
    log = tmp_path / "az.log"
    return {**env, "PATH": str(bin_dir), "FAKE_AZ_LOG": str(log), "FAKE_AZ_TOKEN": "cli-tok-123"}


def test_azure_cli_new_expiry_field(az_env: dict[str, str], transport: RequestsTransport) -> None:
    params = {"credential": "azure_cli", "tenantId": TENANT, **ARM}
    result = new_result()
    token = source(params, az_env).fetch(transport, None, result)
    assert token.value == "cli-tok-123" and token.expires_at == 1924992000
    assert az_calls(Path(az_env["FAKE_AZ_LOG"])) == [
        [
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            "https://management.azure.com/",
            "--tenant",
            TENANT,
        ]
    ]
    # Nested records (how the request was sent) are written as their repr: every field shows.
    shown = json.dumps(result.exchange.__dict__ if result.exchange else {}, default=repr)
    assert "cli-tok-123" not in shown


def test_azure_cli_old_expiry_field_and_scope(
    az_env: dict[str, str], transport: RequestsTransport
) -> None:
    env = {**az_env, "FAKE_AZ_MODE": "old"}
    scope = "https://graph.microsoft.com/.default"
    token = fetch(source({"credential": "azure_cli", "scope": scope}, env), transport)
    assert token.expires_at == datetime(2031, 1, 2, 3, 4, 5).timestamp()
    assert az_calls(Path(env["FAKE_AZ_LOG"]))[0][-2:] == ["--scope", scope]


def test_azure_cli_not_signed_in(az_env: dict[str, str], transport: RequestsTransport) -> None:
    env = {**az_env, "FAKE_AZ_MODE": "nologin"}
    with pytest.raises(AuthError, match="not signed in: run az login"):
        fetch(source({"credential": "azure_cli"}, env), transport)


def test_azure_cli_other_failure(az_env: dict[str, str], transport: RequestsTransport) -> None:
    env = {**az_env, "FAKE_AZ_MODE": "broken"}
    with pytest.raises(AuthError, match=r"Azure CLI failed \(exit 2\): ERROR: AADSTS50173"):
        fetch(source({"credential": "azure_cli"}, env), transport)


def test_azure_cli_missing(env: dict[str, str], transport: RequestsTransport) -> None:
    with pytest.raises(
        AuthError, match="Azure CLI not found: install it or use another credential"
    ):
        fetch(source({"credential": "azure_cli"}, env), transport)


def test_cli_expiry_prefers_epoch() -> None:
    assert cli_expiry({"expires_on": 1700000000, "expiresOn": "2031-01-02 03:04:05"}) == 1.7e9
    assert (
        cli_expiry({"expiresOn": "2031-01-02 03:04:05"})
        == datetime(2031, 1, 2, 3, 4, 5).timestamp()
    )
