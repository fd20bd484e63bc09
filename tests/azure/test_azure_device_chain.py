"""device_code polling, the `default` chain's order and its combined error."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure_helpers import (
    PUBLIC_APP,
    SECRET,
    SECRET_APP,
    SYSTEM_MI,
    TENANT,
    claims,
    fetch,
    install_fake_az,
    new_result,
    source,
)

from runner.auth.azure.device import DeviceCodeSource
from runner.emulator import Emulator
from runner.errors import AuthError
from runner.transport.http import RequestsTransport

GRAPH_READ = "https://graph.microsoft.com/User.Read"


def device(
    env: dict[str, str], client: str, prompts: list[str], sleeps: list[float]
) -> DeviceCodeSource:
    params = {
        "credential": "device_code",
        "tenantId": "contoso.onmicrosoft.com",
        "clientId": client,
        "scope": GRAPH_READ,
    }
    src = source(params, env)
    assert isinstance(src, DeviceCodeSource)
    src.prompt, src.sleep = prompts.append, sleeps.append
    return src


def test_device_code_pending_then_success_then_refresh(
    env: dict[str, str], transport: RequestsTransport
) -> None:
    prompts: list[str] = []
    sleeps: list[float] = []
    src = device(env, PUBLIC_APP, prompts, sleeps)
    result = new_result()
    token = src.fetch(transport, None, result)
    assert claims(token)["upn"] == "adele.vance@contoso.onmicrosoft.com"
    assert len(prompts) == 1 and "https://microsoft.com/devicelogin" in prompts[0]
    assert sleeps == [1.0, 1.0]
    assert [a.reason for a in result.attempts] == ["authorization_pending"]
    assert result.exchange is not None and "device_code=***" in (result.exchange.request_body or "")
    assert token.refresh_token and token.refresh_token not in (result.exchange.response_body or "")
    renewed = src.fetch(transport, token, new_result())
    assert renewed.value != token.value and len(prompts) == 1


def test_device_code_slow_down_adds_five_seconds(
    env: dict[str, str], transport: RequestsTransport
) -> None:
    sleeps: list[float] = []
    fetch_src = device(env, "00000000-0000-0000-0000-0000000000d3", [], sleeps)
    fetch(fetch_src, transport)
    assert sleeps == [1.0, 6.0, 6.0]


@pytest.mark.parametrize(
    ("client", "message"),
    [
        ("00000000-0000-0000-0000-0000000000d1", "device code sign-in was declined by the user"),
        ("00000000-0000-0000-0000-0000000000d2", "device code expired before sign-in completed"),
    ],
)
def test_device_code_terminal_errors(
    env: dict[str, str], transport: RequestsTransport, client: str, message: str
) -> None:
    with pytest.raises(AuthError, match=message):
        fetch(device(env, client, [], []), transport)


def test_device_code_unknown_client(env: dict[str, str], transport: RequestsTransport) -> None:
    with pytest.raises(AuthError) as caught:
        fetch(device(env, "00000000-0000-0000-0000-00000000dead", [], []), transport)
    assert "AADSTS700016" in caught.value.message


def test_default_uses_environment_secret_first(
    env: dict[str, str], emulator: Emulator, transport: RequestsTransport, tmp_path: Path
) -> None:
    env = {
        **env,
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": SECRET_APP,
        "AZURE_CLIENT_SECRET": SECRET,
        "AZURE_POD_IDENTITY_AUTHORITY_HOST": emulator.url,
        "PATH": str(install_fake_az(tmp_path)),
    }
    result = new_result()
    token = source({"credential": "default"}, env).fetch(transport, None, result)
    assert claims(token)["appid"] == SECRET_APP
    assert result.console == ["default credential: using environment"]


def test_default_then_managed_identity(
    env: dict[str, str], emulator: Emulator, transport: RequestsTransport
) -> None:
    env = {**env, "AZURE_POD_IDENTITY_AUTHORITY_HOST": emulator.url}
    result = new_result()
    token = source({}, env).fetch(transport, None, result)
    assert claims(token)["appid"] == SYSTEM_MI
    assert result.console[-1] == "default credential: using managed identity"
    assert result.console[0].startswith("default credential: environment: skipped")


def test_default_then_azure_cli(
    env: dict[str, str], transport: RequestsTransport, tmp_path: Path
) -> None:
    env = {
        **env,
        "PATH": str(install_fake_az(tmp_path)),
        "FAKE_AZ_LOG": str(tmp_path / "log"),
        "FAKE_AZ_TOKEN": "from-the-cli",
    }
    assert fetch(source({"credential": "default"}, env), transport).value == "from-the-cli"


def test_default_lists_every_source_skipped(
    env: dict[str, str], transport: RequestsTransport
) -> None:
    with pytest.raises(AuthError) as caught:
        fetch(source({"credential": "default"}, env), transport)
    message = caught.value.message
    parts = message.split("; ")
    assert parts[0].startswith("default credential: environment: skipped, AZURE_CLIENT_SECRET")
    assert parts[1].startswith(
        "managed identity: skipped, no managed identity endpoint: IDENTITY_ENDPOINT is not set"
    )
    assert "connection refused" in parts[1]
    assert (
        parts[2] == "Azure CLI: skipped, Azure CLI not found: install it or use another credential"
    )
    assert "az login" in (caught.value.hint or "")


def test_default_stops_at_a_configured_source_that_fails(
    env: dict[str, str], transport: RequestsTransport, tmp_path: Path
) -> None:
    env = {
        **env,
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": SECRET_APP,
        "AZURE_CLIENT_SECRET": "wrong-secret",
        "PATH": str(install_fake_az(tmp_path)),
    }
    with pytest.raises(AuthError) as caught:
        fetch(source({"credential": "default"}, env), transport)
    assert caught.value.message.startswith("default credential: environment: failed, ")
    assert "AADSTS7000215" in caught.value.message and "Azure CLI" not in caught.value.message
    assert "Value" in (caught.value.hint or "")


def test_default_environment_needs_tenant_and_client(
    env: dict[str, str], transport: RequestsTransport
) -> None:
    env = {**env, "AZURE_CLIENT_SECRET": SECRET}
    with pytest.raises(
        AuthError, match="AZURE_CLIENT_SECRET is set but not AZURE_TENANT_ID and AZURE_CLIENT_ID"
    ):
        fetch(source({"credential": "default"}, env), transport)


def test_default_moves_on_when_the_vm_has_no_such_identity(
    env: dict[str, str], emulator: Emulator, transport: RequestsTransport, tmp_path: Path
) -> None:
    env = {
        **env,
        "AZURE_POD_IDENTITY_AUTHORITY_HOST": emulator.url,
        "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000bad",
        "PATH": str(install_fake_az(tmp_path)),
        "FAKE_AZ_LOG": str(tmp_path / "log"),
        "FAKE_AZ_TOKEN": "from-the-cli",
    }
    result = new_result()
    assert source({"credential": "default"}, env).fetch(transport, None, result).value == (
        "from-the-cli"
    )
    assert result.console[-1] == "default credential: using Azure CLI"
    assert "Identity not found" in result.console[1]
