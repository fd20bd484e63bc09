"""The `default` credential: the first source that is configured, as the Azure SDKs do.

Order: a service principal named by `AZURE_*` variables (secret, certificate, federated
token file), managed identity (App Service endpoint, else the VM metadata endpoint probed
with a short timeout), the Azure CLI. A source that is not configured is skipped; one that
is configured but fails stops the chain (falling through to another identity would hide
the real problem). The error lists every source and why it was skipped or failed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from runner.auth.azure.cli import AzureCliSource
from runner.auth.azure.common import AzureSettings, Unavailable, cache_key, label
from runner.auth.azure.confidential import (
    ClientAuth,
    ConfidentialSource,
    certificate_auth,
    federated_auth,
    secret_auth,
)
from runner.auth.azure.github import github_configured
from runner.auth.azure.managed import ManagedIdentitySource
from runner.auth.base import Token, TokenSource
from runner.errors import AuthError
from runner.results import ItemResult
from runner.transport.http import Transport

SP_SECRETS = ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE")


@dataclass
class DefaultSource:
    """Tries environment, managed identity and Azure CLI in turn."""

    settings: AzureSettings

    def __post_init__(self) -> None:
        # Plain attributes, as the TokenSource protocol declares them.
        self.key: tuple[str, ...] = cache_key("default", self.settings, self.settings.client_id)
        self.label: str = label("default", self.settings, self.settings.client_id)

    def fetch(self, transport: Transport, previous: Token | None, result: ItemResult) -> Token:
        """Returns a token from the first configured source; raises AuthError listing all."""
        tried: list[str] = []
        for name, find in (
            ("environment", self.environment),
            ("managed identity", self.managed),
            ("Azure CLI", lambda: AzureCliSource(self.settings)),
        ):
            try:
                source = find()
                token = source.fetch(transport, previous, result)
            except Unavailable as exc:
                tried.append(f"{name}: skipped, {exc.message}")
                continue
            except AuthError as exc:
                tried.append(f"{name}: failed, {exc.message}")
                raise self.failure(tried, exc.hint) from None
            # Shown with --verbose: why the sources before this one were passed over.
            result.console.extend(f"default credential: {line}" for line in tried)
            result.console.append(f"default credential: using {name}")
            return token
        raise self.failure(tried, _SETUP_HINT)

    def failure(self, tried: list[str], hint: str | None) -> AuthError:
        """Returns the chain's error, one line per source tried."""
        return self.settings.fail("default credential: " + "; ".join(tried), hint=hint)

    def environment(self) -> TokenSource:
        """Returns the service principal named by AZURE_* variables; raises Unavailable."""
        env, settings = self.settings.environ, self.settings
        tenant = env.get("AZURE_TENANT_ID") or settings.tenant_id
        client = env.get("AZURE_CLIENT_ID") or settings.client_id
        kind, auth = self.client_auth()
        if not tenant or not client:
            missing = " and ".join(
                n for n, v in (("AZURE_TENANT_ID", tenant), ("AZURE_CLIENT_ID", client)) if not v
            )
            raise Unavailable(f"{kind} is set but not {missing}")
        return ConfidentialSource(kind, replace(settings, tenant_id=tenant), tenant, client, auth)

    def client_auth(self) -> tuple[str, ClientAuth]:
        """Returns the credential kind and client auth the AZURE_* variables configure."""
        env, settings = self.settings.environ, self.settings
        client = env.get("AZURE_CLIENT_ID") or settings.client_id or ""
        if env.get("AZURE_CLIENT_SECRET"):
            return "AZURE_CLIENT_SECRET", secret_auth(env["AZURE_CLIENT_SECRET"])
        if env.get("AZURE_CLIENT_CERTIFICATE_PATH"):
            pem = str(Path(env["AZURE_CLIENT_CERTIFICATE_PATH"]).expanduser().resolve())
            password = env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD")
            with_password = replace(settings, certificate_password=password)
            return "AZURE_CLIENT_CERTIFICATE_PATH", certificate_auth(with_password, client, pem)
        if env.get("AZURE_FEDERATED_TOKEN_FILE"):
            plain = replace(settings, federated_token_file=None)
            return "AZURE_FEDERATED_TOKEN_FILE", federated_auth(plain)
        if github_configured(env):
            plain = replace(settings, federated_token_file=None)
            return "GitHub Actions OIDC", federated_auth(plain)
        raise Unavailable(" / ".join(SP_SECRETS) + " not set")

    def managed(self) -> TokenSource:
        """Returns the managed identity source (user-assigned when a client id is known)."""
        client = self.settings.environ.get("AZURE_CLIENT_ID") or self.settings.client_id
        return ManagedIdentitySource(self.settings, client)


_SETUP_HINT = (
    "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or "
    "AZURE_CLIENT_CERTIFICATE_PATH / AZURE_FEDERATED_TOKEN_FILE), run on Azure with a managed "
    "identity, or run az login"
)
