"""Authorities, clouds, http on loopback only, scope ↔ resource, and config errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure_helpers import SECRET_APP, TENANT, source

from runner.auth.azure import arm_audience, build_azure, graph_audience, settings_from
from runner.auth.azure.clouds import authority_host, is_loopback, to_resource, to_scope
from runner.auth.azure.common import AzureSettings
from runner.errors import AuthError, Location


def settings(params: dict[str, str], environ: dict[str, str] | None = None) -> AzureSettings:
    """Returns the settings of an auth block with no variables."""
    return settings_from(params, lambda t: t, Location("c.json"), Path("."), 0, environ or {})


@pytest.mark.parametrize(
    ("cloud", "login", "arm", "graph"),
    [
        (
            "public",
            "https://login.microsoftonline.com",
            "https://management.azure.com/",
            "https://graph.microsoft.com/",
        ),
        (
            "usgovernment",
            "https://login.microsoftonline.us",
            "https://management.usgovcloudapi.net/",
            "https://graph.microsoft.us/",
        ),
        (
            "China",
            "https://login.chinacloudapi.cn",
            "https://management.chinacloudapi.cn/",
            "https://microsoftgraph.chinacloudapi.cn/",
        ),
    ],
)
def test_sovereign_clouds(cloud: str, login: str, arm: str, graph: str) -> None:
    found = settings({"credential": "client_secret", "cloud": cloud, "tenantId": TENANT})
    assert found.authority == login
    assert found.token_url(TENANT) == f"{login}/{TENANT}/oauth2/v2.0/token"
    assert found.scope == arm + ".default"  # no scope or resource: the cloud's ARM
    assert (arm_audience(cloud), graph_audience(cloud)) == (arm, graph)


def test_authority_precedence() -> None:
    env = {"AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us/"}
    assert authority_host(None, env, "china") == "https://login.microsoftonline.us"
    assert authority_host("login.example.com", env, None) == "https://login.example.com"
    assert settings({"cloud": "AzureChinaCloud"}).authority == "https://login.chinacloudapi.cn"


@pytest.mark.parametrize(
    "host",
    [
        "http://login.example.com",
        "http://10.0.0.4:8080",
        "http://169.254.169.254",
        "ftp://127.0.0.1",
    ],
)
def test_http_authority_refused_off_loopback(host: str) -> None:
    with pytest.raises(AuthError) as caught:
        settings({"credential": "azure_cli", "authorityHost": host})
    assert caught.value.message == f"authorityHost {host} must use https://"
    assert "loopback" in (caught.value.hint or "")


@pytest.mark.parametrize(
    "host", ["http://127.0.0.1:5000", "http://127.1.2.3", "http://localhost:1", "http://[::1]:8080"]
)
def test_http_authority_allowed_on_loopback(host: str) -> None:
    assert settings({"authorityHost": host}).authority == host


def test_is_loopback() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.9.9.9", "localhost", "LOCALHOST", "::1"]))
    assert not any(map(is_loopback, ["128.0.0.1", "localhost.example.com", "10.0.0.1", "::2"]))


def test_scope_resource_conversion() -> None:
    assert to_resource("https://management.azure.com/.default") == "https://management.azure.com/"
    assert to_scope("https://management.azure.com/") == "https://management.azure.com/.default"
    assert to_scope("https://graph.microsoft.com") == "https://graph.microsoft.com/.default"
    assert to_resource("https://graph.microsoft.com/User.Read offline_access") == (
        "https://graph.microsoft.com/"
    )
    both = settings({"resource": "https://vault.azure.net"})
    assert (both.v2_scope(), both.v1_resource()) == (
        "https://vault.azure.net/.default",
        "https://vault.azure.net",
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"credential": "password"}, "unknown azure credential 'password'"),
        ({"cloud": "mars"}, "unknown cloud 'mars'"),
        (
            {"credential": "client_secret", "tenantId": TENANT, "clientId": SECRET_APP},
            "azure credential client_secret needs clientSecret",
        ),
        ({"credential": "certificate"}, "needs tenantId, clientId, certificateFile"),
        ({"credential": "workload_identity", "tenantId": TENANT}, "needs clientId"),
    ],
)
def test_configuration_errors(params: dict[str, str], message: str) -> None:
    with pytest.raises(AuthError, match=message) as caught:
        source(params, {})
    assert caught.value.location == Location("test.json")


def test_rendered_fields_and_labels() -> None:
    rendered = {"<<tenant>>": TENANT, "<<client>>": SECRET_APP}
    params = {
        "credential": "client_secret",
        "tenantId": "<<tenant>>",
        "clientId": "<<client>>",
        "clientSecret": "s3cret",
        "resource": "https://graph.microsoft.com/",
    }
    src = build_azure(params, lambda t: rendered.get(t, t), Location("c"), Path("."), 0, {})
    assert src.label == f"token: {SECRET_APP} → https://graph.microsoft.com/"
    assert src.key == (
        "azure",
        "client_secret",
        "https://login.microsoftonline.com",
        TENANT,
        SECRET_APP,
        "https://graph.microsoft.com/",
    )
    assert source({"credential": "azure_cli"}, {}).label == (
        "token: azure_cli → https://management.azure.com/.default"
    )
    assert "s3cret" not in repr(src.key) + src.label


def test_metadata_endpoint_override() -> None:
    from runner.auth.azure.managed import imds_base

    assert imds_base(settings({})) == "http://169.254.169.254"  # computed, never contacted
    override = {"AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9/"}
    assert imds_base(settings({}, override)) == "http://127.0.0.1:9"
