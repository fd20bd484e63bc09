"""Service principal sign-in with the client credentials grant.

One source, three ways to prove the client: a secret, a certificate-signed assertion, or a
federated token (workload identity). The form POST and its parsing are oauth2's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from runner.auth.azure.assertion import (
    assertion_form,
    federated_path,
    load_signer,
    read_federated_token,
)
from runner.auth.azure.common import (
    TIMEOUT,
    AzureSettings,
    cache_key,
    label,
    mask_response,
    token_from,
)
from runner.auth.azure.github import github_configured, github_token
from runner.auth.base import Token
from runner.auth.oauth2 import post_token
from runner.results import ItemResult
from runner.transport.http import HttpRequest, Transport

# Returns the form fields that authenticate the client, given the token endpoint URL.
ClientAuth = Callable[[Transport, str], dict[str, str]]


@dataclass
class ConfidentialSource:
    """Client credentials for `client_id` in `tenant`, authenticated by `client_auth`."""

    kind: str
    settings: AzureSettings
    tenant: str
    client_id: str
    client_auth: ClientAuth

    def __post_init__(self) -> None:
        # Plain attributes, as the TokenSource protocol declares them.
        self.key: tuple[str, ...] = cache_key(self.kind, self.settings, self.client_id)
        self.label: str = label(self.kind, self.settings, self.client_id)

    def fetch(self, transport: Transport, previous: Token | None, result: ItemResult) -> Token:
        """Returns a new token; raises AuthError with the AADSTS explanation."""
        url = self.settings.token_url(self.tenant)
        fields = {"grant_type": "client_credentials", "client_id": self.client_id}
        fields.update(self.settings.audience_form())
        fields.update(self.client_auth(transport, url))
        return post_form(transport, url, fields, self.settings, result)


def post_form(
    transport: Transport,
    url: str,
    fields: dict[str, str],
    settings: AzureSettings,
    result: ItemResult,
) -> Token:
    """Returns the Token from a form POST to `url`; records it on `result`, tokens masked."""
    body = urlencode(fields)
    request = HttpRequest(
        "POST",
        url,
        headers=[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ],
        data=body,
        timeout=TIMEOUT,
    )
    result.method, result.url = "POST", url
    try:
        response = post_token(transport, request, result, settings.retries, body)
    finally:
        mask_response(result)
    return token_from(response, settings)


def secret_auth(secret: str) -> ClientAuth:
    """Returns a ClientAuth sending `secret` as client_secret."""
    return lambda _transport, _url: {"client_secret": secret}


def certificate_auth(settings: AzureSettings, client_id: str, pem: str) -> ClientAuth:
    """Returns a ClientAuth signing a fresh assertion with the PEM's key at each call.

    The file is read at each acquisition, so a renewed certificate is picked up.
    """

    def fields(_transport: Transport, url: str) -> dict[str, str]:
        signer = load_signer(settings.path(pem), settings.certificate_password)
        return assertion_form(signer.assertion(client_id, url))

    return fields


def federated_auth(settings: AzureSettings) -> ClientAuth:
    """Returns a ClientAuth sending the federated token file's current content, else (in
    GitHub Actions) the job's OIDC token."""

    def fields(transport: Transport, _url: str) -> dict[str, str]:
        path = federated_path(settings)
        if path is None and github_configured(settings.environ):
            return assertion_form(github_token(transport, settings.environ))
        if path is None:
            raise settings.fail(
                "workload identity needs a federated token: set federatedTokenFile or "
                "AZURE_FEDERATED_TOKEN_FILE (or run in GitHub Actions with id-token: write)",
                hint="in Kubernetes the workload identity webhook sets AZURE_FEDERATED_TOKEN_FILE; "
                "in GitHub Actions give the job `permissions: id-token: write`",
            )
        return assertion_form(read_federated_token(path))

    return fields
