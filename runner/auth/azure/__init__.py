"""The `azure` auth type: Entra ID tokens the way the Azure SDKs get them.

    {"type": "azure", "credential": "client_secret" | "certificate" | "workload_identity" |
     "managed_identity" | "azure_cli" | "device_code" | "default",
     "tenantId", "clientId", "scope" | "resource", "authorityHost", "cloud",
     "clientSecret", "certificateFile", "certificatePassword", "federatedTokenFile"}

Without `scope` or `resource` the token is for the cloud's ARM. Environment variables:
AZURE_AUTHORITY_HOST; AZURE_TENANT_ID / AZURE_CLIENT_ID (workload_identity and default);
AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH (+ _PASSWORD), AZURE_FEDERATED_TOKEN_FILE
(default); IDENTITY_ENDPOINT + IDENTITY_HEADER, AZURE_POD_IDENTITY_AUTHORITY_HOST (managed
identity); PATH (az).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from runner.auth.azure.chain import DefaultSource
from runner.auth.azure.cli import AzureCliSource
from runner.auth.azure.clouds import arm_audience, authority_host, cloud, graph_audience, to_scope
from runner.auth.azure.common import AzureSettings
from runner.auth.azure.confidential import (
    ConfidentialSource,
    certificate_auth,
    federated_auth,
    secret_auth,
)
from runner.auth.azure.device import DeviceCodeSource
from runner.auth.azure.managed import ManagedIdentitySource
from runner.auth.base import TokenSource
from runner.errors import AuthError, Location
from runner.values import JSON

__all__ = ["CREDENTIALS", "arm_audience", "build_azure", "graph_audience", "settings_from"]

Render = Callable[[str], str]
CREDENTIALS = (
    "client_secret",
    "certificate",
    "workload_identity",
    "managed_identity",
    "azure_cli",
    "device_code",
    "default",
)


def build_azure(
    params: Mapping[str, JSON],
    render: Render,
    location: Location,
    base_dir: Path,
    retries: int = 0,
    environ: Mapping[str, str] | None = None,
) -> TokenSource:
    """Returns the TokenSource for an `azure` auth block, its fields rendered.

    Nothing is read or sent here: files, endpoints and `az` are used at acquisition time,
    so a missing one is a failed token step in the report.

    Raises:
        AuthError: unknown credential or cloud, a required field missing, or an http://
            authority that is not on loopback.
    """
    settings = settings_from(params, render, location, base_dir, retries, environ)
    kind = settings.credential
    if kind in ("client_secret", "certificate", "workload_identity"):
        return _service_principal(settings)
    if kind == "managed_identity":
        return ManagedIdentitySource(settings, settings.client_id)
    if kind == "azure_cli":
        return AzureCliSource(settings)
    if kind == "device_code":
        return DeviceCodeSource(settings)
    return DefaultSource(settings)


def settings_from(
    params: Mapping[str, JSON],
    render: Render,
    location: Location,
    base_dir: Path,
    retries: int = 0,
    environ: Mapping[str, str] | None = None,
) -> AzureSettings:
    """Returns the AzureSettings of an auth block; raises AuthError for unusable values."""

    def field(name: str) -> str | None:
        value = params.get(name)
        return render(str(value)).strip() or None if value not in (None, "") else None

    env = os.environ if environ is None else environ
    credential = field("credential") or "default"
    if credential not in CREDENTIALS:
        raise AuthError(
            f"unknown azure credential '{credential}'",
            location=location,
            hint="one of: " + ", ".join(CREDENTIALS),
        )
    cloud_name = cloud(field("cloud"), location).name
    scope, resource = field("scope"), field("resource")
    if not scope and not resource:
        scope = to_scope(arm_audience(cloud_name))  # the SDKs' usual audience: ARM
    return AzureSettings(
        credential=credential,
        authority=authority_host(field("authorityHost"), env, cloud_name, location),
        cloud=cloud_name,
        tenant_id=field("tenantId"),
        client_id=field("clientId"),
        scope=scope,
        resource=None if scope else resource,
        client_secret=field("clientSecret"),
        certificate_file=field("certificateFile"),
        certificate_password=field("certificatePassword"),
        federated_token_file=field("federatedTokenFile"),
        base_dir=base_dir,
        location=location,
        retries=retries,
        environ=env,
    )


def _service_principal(settings: AzureSettings) -> TokenSource:
    kind, env = settings.credential, settings.environ
    if kind == "workload_identity":
        # As the SDK's WorkloadIdentityCredential: the webhook sets these for the pod.
        settings.tenant_id = settings.tenant_id or env.get("AZURE_TENANT_ID")
        settings.client_id = settings.client_id or env.get("AZURE_CLIENT_ID")
    needs = {"tenantId": settings.tenant_id, "clientId": settings.client_id}
    if kind == "client_secret":
        needs["clientSecret"] = settings.client_secret
    if kind == "certificate":
        needs["certificateFile"] = settings.certificate_file
    missing = [name for name, value in needs.items() if not value]
    if missing:
        raise settings.fail(f"azure credential {kind} needs {', '.join(missing)}")
    tenant, client = settings.tenant_id or "", settings.client_id or ""
    if kind == "client_secret":
        auth = secret_auth(settings.client_secret or "")
    elif kind == "certificate":
        auth = certificate_auth(settings, client, settings.certificate_file or "")
    else:
        auth = federated_auth(settings)
    return ConfidentialSource(kind, settings, tenant, client, auth)
