"""What every Azure credential shares: its settings, cache key, report label and recording."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runner.auth.azure.clouds import to_resource, to_scope
from runner.auth.base import Token
from runner.auth.oauth2 import parse_token_response
from runner.errors import AuthError, Location
from runner.results import Exchange, ItemResult
from runner.secrets import MASK, Masker
from runner.transport.http import HttpResponse
from runner.values import JSON

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TIMEOUT = 30.0


class Unavailable(AuthError):
    """The credential is not set up on this machine (no az, no identity endpoint).

    The `default` chain skips such a source and tries the next one.
    """


@dataclass
class AzureSettings:
    """The rendered fields of one `azure` auth block, plus where to resolve files and env."""

    credential: str
    authority: str
    cloud: str
    tenant_id: str | None = None
    client_id: str | None = None
    scope: str | None = None
    resource: str | None = None
    client_secret: str | None = None
    certificate_file: str | None = None
    certificate_password: str | None = None
    federated_token_file: str | None = None
    base_dir: Path = field(default_factory=Path.cwd)
    location: Location | None = None
    retries: int = 0
    environ: Mapping[str, str] = field(default_factory=dict)

    def v2_scope(self) -> str:
        """Returns the scope, converting `resource` when only that was given."""
        return self.scope or to_scope(self.resource or "")

    def v1_resource(self) -> str:
        """Returns the resource, converting `scope` when only that was given."""
        return self.resource or to_resource(self.scope or "")

    def token_url(self, tenant: str) -> str:
        """Returns the v2 token endpoint when a scope is set, else the v1 endpoint."""
        if self.scope:
            return f"{self.authority}/{tenant}/oauth2/v2.0/token"
        return f"{self.authority}/{tenant}/oauth2/token"

    def audience_form(self) -> dict[str, str]:
        """Returns the form field naming the audience: `scope` (v2) or `resource` (v1)."""
        return {"scope": self.scope} if self.scope else {"resource": self.v1_resource()}

    def path(self, name: str) -> Path:
        """Returns `name` resolved against the collection's folder."""
        return (self.base_dir / Path(name).expanduser()).resolve()

    def fail(self, message: str, hint: str | None = None) -> AuthError:
        """Returns an AuthError at this auth block's location."""
        return AuthError(message, location=self.location, hint=hint)


def cache_key(kind: str, settings: AzureSettings, client: str | None) -> tuple[str, ...]:
    """Returns the TokenCache key: credential kind + authority + tenant + client + audience."""
    audience = settings.scope or settings.resource or ""
    tenant = settings.tenant_id or ""
    return ("azure", kind, settings.authority, tenant, client or "", audience)


def label(kind: str, settings: AzureSettings, client: str | None) -> str:
    """Returns the report name, `token: <clientId or credential kind> → <scope or resource>`."""
    return f"token: {client or kind} → {settings.scope or settings.resource}"


_BODY_MASKER = Masker()


def masked_body(text: str) -> str:
    """Returns a response body with token fields (access_token, refresh_token…) masked."""
    try:
        payload = json.loads(text)
    except ValueError:
        return text
    return json.dumps(_BODY_MASKER.mask_value(payload))


def mask_response(result: ItemResult) -> None:
    """Masks the token fields of the response body recorded on `result`."""
    if result.exchange is not None and result.exchange.response_body:
        result.exchange.response_body = masked_body(result.exchange.response_body)


def record(result: ItemResult, method: str, url: str, headers: list[tuple[str, str]]) -> None:
    """Starts the exchange recorded on `result`, credential headers masked."""
    shown = [(k, MASK if k.lower() in _SECRET_HEADERS else v) for k, v in headers]
    result.method, result.url = method, url
    result.exchange = Exchange(method, url, shown)


_SECRET_HEADERS = frozenset({"authorization", "x-identity-header"})


def finish(result: ItemResult, response: HttpResponse) -> None:
    """Records the response's status, headers and (masked) body on `result`."""
    result.status, result.reason = response.status, response.reason
    result.elapsed_ms += response.elapsed_ms
    if result.exchange is not None:
        result.exchange.response_headers = list(response.header_list)
        # Masked before it is cut: a cut JSON body would not parse, and nothing would be masked.
        result.exchange.response_body = masked_body(response.text)[:4000]


def token_from(response: HttpResponse, settings: AzureSettings, hint: str | None = None) -> Token:
    """Returns the Token in a token response; raises AuthError, with `hint` when it has none."""
    try:
        return parse_token_response(response, settings.location)
    except AuthError as exc:
        if exc.hint is None and hint:
            exc.hint = hint
        raise


def payload_of(response: HttpResponse) -> dict[str, JSON]:
    """Returns the response's JSON object, or {} when it is not one."""
    try:
        value = json.loads(response.body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
