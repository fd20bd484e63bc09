"""Managed identity: the App Service / Functions endpoint, else the VM metadata endpoint.

`AZURE_POD_IDENTITY_AUTHORITY_HOST` (as in the Azure SDKs) replaces the metadata endpoint's
base URL `http://169.254.169.254`, e.g. to point it at the local emulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from runner.auth.aad import AADSTS, aadsts_code
from runner.auth.azure.common import (
    TIMEOUT,
    AzureSettings,
    Unavailable,
    cache_key,
    finish,
    payload_of,
    record,
    token_from,
)
from runner.auth.base import Token
from runner.errors import AuthError, TransportError
from runner.results import ItemResult
from runner.transport.http import HttpRequest, HttpResponse, Transport

IMDS_HOST = "http://169.254.169.254"
IMDS_PATH = "/metadata/identity/oauth2/token"
IMDS_VERSION = "2018-02-01"
APP_SERVICE_VERSION = "2019-08-01"
_OFF_AZURE = (
    "managed identity works only on Azure (App Service, Functions, VMs, AKS); elsewhere use "
    "another credential"
)
PROBE_TIMEOUT = 1.0  # off Azure nothing answers at 169.254.169.254: do not hang the run


def imds_base(settings: AzureSettings) -> str:
    """Returns the metadata endpoint's base URL (the override, or 169.254.169.254)."""
    override = settings.environ.get("AZURE_POD_IDENTITY_AUTHORITY_HOST", "").strip()
    return (override or IMDS_HOST).rstrip("/")


def app_service_configured(settings: AzureSettings) -> bool:
    """Returns True when IDENTITY_ENDPOINT and IDENTITY_HEADER are both set."""
    env = settings.environ
    return bool(env.get("IDENTITY_ENDPOINT") and env.get("IDENTITY_HEADER"))


@dataclass
class ManagedIdentitySource:
    """A system-assigned identity, or the user-assigned one whose client id is `client_id`."""

    settings: AzureSettings
    client_id: str | None = None
    timeout: float = TIMEOUT

    def __post_init__(self) -> None:
        # Plain attributes, as the TokenSource protocol declares them.
        who = self.client_id or "managed_identity"
        self.key: tuple[str, ...] = cache_key("managed_identity", self.settings, self.client_id)
        self.label: str = f"token: {who} → {self.settings.scope or self.settings.resource}"

    def request(self) -> HttpRequest:
        """Returns the token request for the endpoint this host offers."""
        env, query = self.settings.environ, {"resource": self.settings.v1_resource()}
        if app_service_configured(self.settings):
            query["api-version"] = APP_SERVICE_VERSION
            url, headers = env["IDENTITY_ENDPOINT"], [("X-IDENTITY-HEADER", env["IDENTITY_HEADER"])]
        else:
            query["api-version"] = IMDS_VERSION
            url, headers = imds_base(self.settings) + IMDS_PATH, [("Metadata", "true")]
        if self.client_id:
            query["client_id"] = self.client_id
        separator = "&" if "?" in url else "?"
        headers.append(("Accept", "application/json"))
        return HttpRequest("GET", url + separator + urlencode(query), headers, timeout=self.timeout)

    def fetch(self, transport: Transport, previous: Token | None, result: ItemResult) -> Token:
        """Returns a new token; raises AuthError saying which endpoint failed and why."""
        request = self.request()
        record(result, "GET", request.url, request.headers)
        where = self.endpoint_name()
        if not app_service_configured(self.settings):
            self.probe(transport)
        try:
            response = transport.send(request)
        except TransportError as exc:
            raise self.settings.fail(
                f"managed identity: {where} is not reachable: {exc.message}",
                hint=_OFF_AZURE,
            ) from None
        finish(result, response)
        if response.status >= 400:
            raise self.error(response, where)
        return token_from(response, self.settings)

    def probe(self, transport: Transport) -> None:
        """Returns when something answers at the metadata endpoint; raises Unavailable.

        Off Azure nothing answers at 169.254.169.254 and a connection attempt would hang
        until the timeout: a short probe first keeps the run moving.
        """
        url = imds_base(self.settings) + IMDS_PATH
        # Any HTTP answer (even 400 without the Metadata header) means an endpoint is there.
        probe = HttpRequest("GET", url, [], timeout=PROBE_TIMEOUT, follow_redirects=False)
        try:
            transport.send(probe)
        except TransportError as exc:
            raise Unavailable(
                f"no managed identity endpoint: IDENTITY_ENDPOINT is not set and the VM metadata "
                f"endpoint ({imds_base(self.settings)}) is not reachable ({exc.message})",
                location=self.settings.location,
                hint=_OFF_AZURE,
            ) from None

    def endpoint_name(self) -> str:
        """Returns which endpoint is used, for messages."""
        if app_service_configured(self.settings):
            return "the App Service endpoint (IDENTITY_ENDPOINT)"
        return f"the VM metadata endpoint ({imds_base(self.settings)})"

    def error(self, response: HttpResponse, where: str) -> AuthError:
        """Returns the AuthError for an error answer of either endpoint style."""
        payload = payload_of(response)
        # App Service answers {statusCode, message}; IMDS answers {error, error_description}.
        detail = payload.get("error_description") or payload.get("message") or response.reason
        error = payload.get("error")
        who = f"user-assigned identity {self.client_id}" if self.client_id else "system identity"
        status = f"{response.status} {error}" if error else str(response.status)
        message = f"managed identity: {where} answered {status}: {detail}"
        code = aadsts_code(payload)
        hint = (AADSTS.get(code) if code is not None else None) or (
            f"is the {who} assigned to this resource, and the resource "
            f"{self.settings.v1_resource()} right?"
        )
        # A VM without that identity answers 400: like the SDKs, the default chain moves on.
        imds = not app_service_configured(self.settings)
        kind = Unavailable if imds and response.status == 400 else AuthError
        return kind(message, location=self.settings.location, hint=hint)
