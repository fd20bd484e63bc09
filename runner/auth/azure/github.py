"""GitHub Actions OIDC: the job's federated token, asked for directly (no token file).

In a job with `permissions: id-token: write`, GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL and
ACTIONS_ID_TOKEN_REQUEST_TOKEN; the token for audience `api://AzureADTokenExchange` is then
the workload identity's client assertion, so a workflow needs no secret and no extra step.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from runner.auth.azure.common import TIMEOUT, payload_of
from runner.errors import AuthError, TransportError
from runner.transport.http import HttpRequest, Transport

EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
URL_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_URL"
TOKEN_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
_HINT = "the workflow job needs `permissions: id-token: write`"


def github_configured(environ: Mapping[str, str]) -> bool:
    """Returns True inside a GitHub Actions job that may ask for an OIDC token."""
    return bool(environ.get(URL_VARIABLE) and environ.get(TOKEN_VARIABLE))


def github_token(transport: Transport, environ: Mapping[str, str]) -> str:
    """Returns the job's OIDC token for Entra ID's token exchange audience.

    Raises:
        AuthError: GitHub could not be reached or gave no token.
    """
    base = environ[URL_VARIABLE]
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}audience={quote(EXCHANGE_AUDIENCE, safe='')}"
    headers = [
        ("Authorization", f"bearer {environ[TOKEN_VARIABLE]}"),
        ("Accept", "application/json"),
    ]
    try:
        response = transport.send(HttpRequest("GET", url, headers, timeout=TIMEOUT))
    except TransportError as exc:
        raise AuthError(f"GitHub Actions OIDC token request failed: {exc.message}") from None
    value = payload_of(response).get("value")
    if response.status != 200 or not isinstance(value, str) or not value:
        raise AuthError(
            f"GitHub Actions OIDC token request answered {response.status} without a token",
            hint=_HINT,
        )
    return value
