"""azure-identity credentials and azure-mgmt-resource, unpatched, against the https emulator."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from azure.core.credentials import TokenCredential
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import (
    CertificateCredential,
    ClientSecretCredential,
    DefaultAzureCredential,
    DeviceCodeCredential,
    ManagedIdentityCredential,
    WorkloadIdentityCredential,
)
from azure.mgmt.resource.resources import ResourceManagementClient

from .conftest import (
    APP,
    ARM_SCOPE,
    FEDERATED_ISSUER,
    FEDERATED_SUBJECT,
    GRAPH_SCOPE,
    IDENTITY_HEADER,
    NO_ROLES_APP,
    NO_ROLES_SECRET,
    PUBLIC_APP,
    SECRET,
    SUB,
    TENANT,
    TENANT_ID,
    USER,
    Running,
)
from .test_sdk_msal import verify_access_token

ARM = "https://management.azure.com"


def _secret_credential(emulator: Running, app: str = APP, secret: str = SECRET) -> TokenCredential:
    return ClientSecretCredential(
        TENANT, app, secret, authority=emulator.url, disable_instance_discovery=True
    )


def _arm(emulator: Running, credential: TokenCredential) -> ResourceManagementClient:
    return ResourceManagementClient(
        credential, SUB, base_url=emulator.url, credential_scopes=[ARM_SCOPE]
    )


def test_client_secret_credential(sdk_env: Running) -> None:
    token = _secret_credential(sdk_env).get_token(ARM_SCOPE)
    claims = verify_access_token(sdk_env, token.token, ARM)
    assert claims["appid"] == APP and abs(token.expires_on - claims["exp"]) <= 1


def test_certificate_credential(sdk_env: Running) -> None:
    credential = CertificateCredential(
        TENANT,
        APP,
        certificate_path=str(sdk_env.cert_pem),
        authority=sdk_env.url,
        disable_instance_discovery=True,
    )
    claims = verify_access_token(sdk_env, credential.get_token(GRAPH_SCOPE).token, GRAPH_SCOPE[:-9])
    assert claims["appidacr"] == "2"


def test_workload_identity_credential(sdk_env: Running, tmp_path: Path) -> None:
    # A Kubernetes-style projected token; the emulator checks issuer, subject and audience.
    now = int(time.time())
    federated = jwt.encode(
        {
            "iss": FEDERATED_ISSUER,
            "sub": FEDERATED_SUBJECT,
            "aud": "api://AzureADTokenExchange",
            "iat": now,
            "nbf": now,
            "exp": now + 600,
        },
        "not-checked-by-entra-for-this-test-only-0123456789",
        algorithm="HS256",
    )
    token_file = tmp_path / "federated-token"
    token_file.write_text(federated, encoding="utf-8")
    credential = WorkloadIdentityCredential(
        tenant_id=TENANT,
        client_id=APP,
        token_file_path=str(token_file),
        authority=sdk_env.url,
        disable_instance_discovery=True,
    )
    claims = verify_access_token(sdk_env, credential.get_token(ARM_SCOPE).token, ARM)
    assert claims["appid"] == APP and claims["appidacr"] == "2"


def test_managed_identity_credential_uses_the_local_app_service_endpoint(
    sdk_env: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    # App Service's identity endpoint, on the emulator's own listener: never IMDS.
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{sdk_env.url}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
    token = ManagedIdentityCredential().get_token(ARM_SCOPE)
    claims = verify_access_token(sdk_env, token.token, ARM)
    assert claims["appid"] == "00000000-0000-0000-0000-0000000000e1"
    assert claims["tid"] == TENANT_ID and claims["ver"] == "1.0"


def test_device_code_credential_builds_an_authentication_record(sdk_env: Running) -> None:
    prompts: list[str] = []
    credential = DeviceCodeCredential(
        client_id=PUBLIC_APP,
        tenant_id=TENANT,
        authority=sdk_env.url,
        disable_instance_discovery=True,
        prompt_callback=lambda uri, code, expires: prompts.append(code),
    )
    record = credential.authenticate(scopes=[GRAPH_SCOPE])
    assert record.username == USER and record.tenant_id == TENANT_ID
    assert record.home_account_id.endswith(f".{TENANT_ID}") and len(prompts) == 1
    # Later tokens come silently (cache or refresh token), without a second prompt.
    token = credential.get_token(ARM_SCOPE)
    assert verify_access_token(sdk_env, token.token, ARM)["upn"] == USER and len(prompts) == 1


def test_default_azure_credential_from_environment(
    sdk_env: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", APP)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", sdk_env.url)
    credential = DefaultAzureCredential(disable_instance_discovery=True)
    claims = verify_access_token(sdk_env, credential.get_token(ARM_SCOPE).token, ARM)
    assert claims["appid"] == APP


def test_resource_groups_list_pages_and_check_existence(sdk_env: Running) -> None:
    client = _arm(sdk_env, _secret_credential(sdk_env))
    pages = list(client.resource_groups.list().by_page())
    names = [group.name for page in pages for group in page]
    # Page size 2 in the default config: the SDK followed two https nextLinks.
    assert len(pages) == 3 and len(names) == 5 and "rg-web-prod" in names
    assert client.resource_groups.check_existence("rg-web-prod") is True
    assert client.resource_groups.check_existence("rg-does-not-exist") is False
    tagged = client.resource_groups.list(filter="tagName eq 'env' and tagValue eq 'prod'", top=1)
    assert sorted(g.name for g in tagged) == ["rg-data-prod", "rg-web-prod"]


def test_resource_manager_errors_carry_arm_codes(sdk_env: Running) -> None:
    client = _arm(sdk_env, _secret_credential(sdk_env))
    with pytest.raises(ResourceNotFoundError) as missing:
        client.resource_groups.get("rg-does-not-exist")
    assert missing.value.error is not None and missing.value.error.code == "ResourceGroupNotFound"
    denied = _arm(sdk_env, _secret_credential(sdk_env, NO_ROLES_APP, NO_ROLES_SECRET))
    with pytest.raises(HttpResponseError) as forbidden:
        list(denied.resource_groups.list())
    assert forbidden.value.status_code == 403
    assert forbidden.value.error is not None and forbidden.value.error.code == "AuthorizationFailed"
