"""The `oauth2` auth type: the Postman pre-request token script, done right.

A form-encoded POST to the token endpoint (v1 with `resource`, v2 with `scope`, or any
OAuth2 server); both response dialects are read (v1 strings with `expires_on`, v2 numbers).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from runner.auth.aad import describe_token_error
from runner.auth.base import Token
from runner.errors import AuthError, Location, TransportError
from runner.records import record
from runner.results import Attempt, Exchange, ItemResult
from runner.secrets import MASK, Masker, mask_form
from runner.transport.deadline import sleep_within_run
from runner.transport.http import HttpRequest, HttpResponse, Transport
from runner.values import JSON

Render = Callable[[str], str]

GRANTS = ("client_credentials", "refresh_token", "password")


@record(hashable=False)
class OAuth2Source:
    """An OAuth2 token source with its fields rendered."""

    token_url: str
    grant: str
    client_id: str
    client_secret: str | None
    scope: str | None
    resource: str | None
    refresh_token: str | None
    username: str | None
    password: str | None
    extra: Mapping[str, str]
    location: Location
    retries: int = 0
    timeout: float | None = 30.0

    @property
    def key(self) -> tuple[str, ...]:
        """Returns the cache key: token URL + client + audience + grant."""
        audience = self.scope or self.resource or ""
        return ("oauth2", self.token_url, self.client_id, audience, self.grant, self.username or "")

    @property
    def label(self) -> str:
        """Returns the report name, `token: <clientId> → <scope or resource>`."""
        return f"token: {self.client_id} → {self.scope or self.resource or self.token_url}"

    def form(self, previous: Token | None) -> dict[str, str]:
        """Returns the form fields of the token request."""
        fields = {"grant_type": self.grant, "client_id": self.client_id}
        if self.client_secret:
            fields["client_secret"] = self.client_secret
        if self.scope:
            fields["scope"] = self.scope
        if self.resource:
            fields["resource"] = self.resource
        if self.grant == "refresh_token":
            # Refresh tokens rotate: the newest one returned wins over the configured one.
            newest = previous.refresh_token if previous else None
            fields["refresh_token"] = newest or self.refresh_token or ""
        if self.grant == "password":
            fields["username"] = self.username or ""
            fields["password"] = self.password or ""
        fields.update(self.extra)
        return fields

    def fetch(self, transport: Transport, previous: Token | None, result: ItemResult) -> Token:
        """Returns a new token; raises AuthError with the endpoint's error explained."""
        body = urlencode(self.form(previous))
        request = HttpRequest(
            "POST",
            self.token_url,
            headers=[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ],
            data=body,
            timeout=self.timeout,
        )
        result.url = self.token_url
        response = post_token(transport, request, result, self.retries, body)
        return parse_token_response(response, self.location)


def post_token(
    transport: Transport, request: HttpRequest, result: ItemResult, retries: int, body: str
) -> HttpResponse:
    """Returns the token endpoint's response, retrying 429/5xx up to `retries` times."""
    from runner.transport.retry import retry_delay

    result.exchange = Exchange("POST", request.url, list(request.headers), body)
    attempt = 0
    while True:
        try:
            response = transport.send(request)
        except TransportError as exc:
            raise AuthError(f"token request failed: {exc.message}") from exc
        result.status, result.reason = response.status, response.reason
        result.elapsed_ms += response.elapsed_ms
        delay = retry_delay(response, attempt, retries)
        if delay is None:
            break
        reason = f"HTTP {response.status}, waited {delay.describe()}"
        result.attempts.append(Attempt(response.status, None, reason, delay.ms))
        # Cut short at the run's deadline (--timeout): the next try then is not sent.
        sleep_within_run(delay.ms / 1000)
        attempt += 1
    result.exchange.request_body = mask_form(body)
    result.exchange.response_headers = list(response.header_list)
    result.exchange.response_body = masked_token_body(response.text)[:4000]
    return response


_TOKEN_FIELD = re.compile(
    r"""(["']?(?:access_token|refresh_token|id_token)["']?\s*[:=]\s*["']?)([^"'&,}\s]+)"""
)


def masked_token_body(text: str) -> str:
    """Returns a token response body with its tokens masked (JSON, or text that is not)."""
    try:
        payload = json.loads(text)
    except ValueError:
        return _TOKEN_FIELD.sub(lambda m: m.group(1) + MASK, text)
    return json.dumps(Masker().mask_value(payload))


def parse_token_response(response: HttpResponse, location: Location | None) -> Token:
    """Returns the Token in a token endpoint response (v1 or v2 dialect).

    Raises:
        AuthError: an error status, a body that is not JSON, or no access_token.
    """
    try:
        payload = json.loads(response.body)
    except ValueError:
        ctype = response.headers.get("Content-Type", "no Content-Type")
        status = f"{response.status} {response.reason}".strip()
        raise AuthError(
            f"token endpoint answered {status} with a body that is not JSON ({ctype})",
            location=location,
            hint=_unavailable_hint(response.status)
            or "check tokenUrl: it should end in /oauth2/token (v1) or /oauth2/v2.0/token (v2)",
        ) from None
    if not isinstance(payload, dict):
        raise AuthError("token endpoint answered JSON that is not an object", location=location)
    if response.status >= 400:
        message, hint = describe_token_error(response.status, payload)
        raise AuthError(message, location=location, hint=hint or _unavailable_hint(response.status))
    access = payload.get("access_token")
    if not isinstance(access, str) or not access:
        raise AuthError(
            f"token endpoint answered {response.status} without an access_token",
            location=location,
            hint="is tokenUrl the token endpoint? fields received: " + ", ".join(sorted(payload)),
        )
    return Token(
        value=access,
        expires_at=expiry(payload),
        refresh_token=payload.get("refresh_token") or None,
        response=payload,
    )


def _unavailable_hint(status: int) -> str | None:
    """Returns what to do about a throttled or failing token endpoint, else None."""
    if status == 429:
        return (
            "the token endpoint is throttling requests: try again later; --retry N "
            "retries it, honouring Retry-After"
        )
    if status >= 500:
        return (
            f"the token endpoint had a server error ({status}): try again later; "
            "--retry N retries 503 and 429 answers"
        )
    return None


def expiry(payload: Mapping[str, JSON], now: float | None = None) -> float:
    """Returns the expiry (epoch seconds) from `expires_on` (v1) or `expires_in` (both)."""
    now = time.time() if now is None else now
    on = payload.get("expires_on")
    if on not in (None, ""):
        try:
            return float(on)
        except (TypeError, ValueError):
            pass
    into = payload.get("expires_in")
    try:
        return now + float(into)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return now + 3600.0


def build_oauth2(params: Mapping[str, JSON], render: Render, location: Location) -> OAuth2Source:
    """Returns the OAuth2Source for an `oauth2` auth block, its fields rendered.

    Raises:
        AuthError: a required field is missing or the grant is unknown.
    """
    grant = render(str(params.get("grantType", "client_credentials")))
    if grant not in GRANTS:
        raise AuthError(f"unknown grantType '{grant}'", location=location, hint=", ".join(GRANTS))

    def field(name: str) -> str | None:
        value = params.get(name)
        return render(str(value)) if value not in (None, "") else None

    token_url, client_id = field("tokenUrl"), field("clientId")
    if not token_url or not client_id:
        raise AuthError("oauth2 needs tokenUrl and clientId", location=location)
    extra = {k: render(str(v)) for k, v in (params.get("extraParams") or {}).items()}
    return OAuth2Source(
        token_url=token_url,
        grant=grant,
        client_id=client_id,
        client_secret=field("clientSecret"),
        scope=field("scope"),
        resource=field("resource"),
        refresh_token=field("refreshToken"),
        username=field("username"),
        password=field("password"),
        extra=extra,
        location=location,
    )
