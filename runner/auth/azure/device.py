"""The device code flow: show a code and a URL, then poll until the user has signed in.

The prompt goes to stderr (stdout may be a report). Once signed in, a refresh token (when
one was issued) renews the token without asking the user again.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from runner.auth.azure.common import (
    TIMEOUT,
    AzureSettings,
    cache_key,
    finish,
    label,
    payload_of,
    record,
    token_from,
)
from runner.auth.azure.confidential import post_form
from runner.auth.base import Token
from runner.errors import AuthError, TransportError
from runner.results import Attempt, ItemResult
from runner.transport.http import HttpRequest, Transport

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# The Azure CLI's public client id: what the Azure SDKs use when no clientId is given.
AZURE_CLI_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
SLOW_DOWN_STEP = 5.0


def _print_prompt(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class DeviceCodeSource:
    """Delegated tokens for the user who signs in on another device."""

    settings: AzureSettings
    prompt: Callable[[str], None] = _print_prompt
    sleep: Callable[[float], None] = field(default=time.sleep)

    @property
    def client_id(self) -> str:
        """Returns the public client that signs the user in."""
        return self.settings.client_id or AZURE_CLI_CLIENT

    @property
    def tenant(self) -> str:
        """Returns the tenant to sign in to (`organizations` when none is given)."""
        return self.settings.tenant_id or "organizations"

    def __post_init__(self) -> None:
        # Plain attributes, as the TokenSource protocol declares them.
        self.key: tuple[str, ...] = cache_key("device_code", self.settings, self.client_id)
        self.label: str = label("device_code", self.settings, self.settings.client_id)

    def scope(self) -> str:
        """Returns the v2 scope, with offline_access so the token can be renewed silently."""
        scope = self.settings.v2_scope()
        return scope if "offline_access" in scope.split() else scope + " offline_access"

    def endpoint(self, name: str) -> str:
        """Returns the v2 endpoint URL `name` (`token` or `devicecode`)."""
        return f"{self.settings.authority}/{self.tenant}/oauth2/v2.0/{name}"

    def fetch(self, transport: Transport, previous: Token | None, result: ItemResult) -> Token:
        """Returns a token, by refresh token when possible, else by a new device code."""
        if previous is not None and previous.refresh_token:
            fields = {
                "grant_type": "refresh_token",
                "client_id": self.client_id,
                "refresh_token": previous.refresh_token,
                "scope": self.scope(),
            }
            try:
                return post_form(transport, self.endpoint("token"), fields, self.settings, result)
            except AuthError:
                result.attempts.append(Attempt(result.status, None, "refresh token refused", 0))
        return self.sign_in(transport, result)

    def sign_in(self, transport: Transport, result: ItemResult) -> Token:
        """Returns the token after the user signed in with a new device code."""
        started = time.time()
        code = self.start(transport, result)
        self.prompt(str(code.get("message") or _fallback_message(code)))
        interval = _number(code.get("interval"), 5.0)
        deadline = started + _number(code.get("expires_in"), 900.0)
        fields = {
            "grant_type": DEVICE_GRANT,
            "client_id": self.client_id,
            "device_code": str(code.get("device_code", "")),
        }
        while True:
            if time.time() > deadline:
                raise self.expired()
            self.sleep(interval)
            try:
                return post_form(transport, self.endpoint("token"), fields, self.settings, result)
            except AuthError as exc:
                error = _error_of(result.exchange.response_body if result.exchange else None)
                if error not in ("authorization_pending", "slow_down"):
                    raise self.explain(error, exc) from None
            if error == "slow_down":
                interval += SLOW_DOWN_STEP
            result.attempts.append(Attempt(result.status, None, error, interval * 1000))

    def start(self, transport: Transport, result: ItemResult) -> dict[str, object]:
        """Returns the devicecode endpoint's answer (device_code, user_code, message…)."""
        url = self.endpoint("devicecode")
        body = urlencode({"client_id": self.client_id, "scope": self.scope()})
        headers = [("Content-Type", "application/x-www-form-urlencoded")]
        record(result, "POST", url, headers)
        try:
            response = transport.send(HttpRequest("POST", url, headers, body, timeout=TIMEOUT))
        except TransportError as exc:
            raise self.settings.fail(f"device code request failed: {exc.message}") from None
        finish(result, response)
        if response.status >= 400:
            token_from(response, self.settings)  # raises the explained AADSTS error
        payload = payload_of(response)
        if not payload.get("device_code"):
            raise self.settings.fail(f"{url} answered without a device_code")
        return dict(payload)

    def expired(self) -> AuthError:
        """Returns the error for a code that expired before the user signed in."""
        return self.settings.fail(
            "device code expired before sign-in completed",
            hint="run again and finish signing in within the time the prompt gives",
        )

    def explain(self, error: str, exc: AuthError) -> AuthError:
        """Returns the device flow's terminal answers in plain words, else `exc`.

        The endpoint's own words (`error`, AADSTS code, description) stay in the message:
        the plain words come first, and what to do is the hint.
        """
        if error == "expired_token":
            return self.settings.fail(
                f"device code expired before sign-in completed: {exc.message}",
                hint="run again and finish signing in within the time the prompt gives",
            )
        if error == "authorization_declined":
            return self.settings.fail(
                f"device code sign-in was declined by the user: {exc.message}",
                hint="sign in again and accept the request",
            )
        return exc


def _error_of(body: str | None) -> str:
    try:
        payload = json.loads(body or "")
    except ValueError:
        return ""
    return str(payload.get("error", "")) if isinstance(payload, dict) else ""


def _number(value: object, default: float) -> float:
    try:
        return float(str(value))
    except ValueError:
        return default


def _fallback_message(code: dict[str, object]) -> str:
    uri = code.get("verification_uri") or code.get("verification_url")
    return f"To sign in, open {uri} and enter the code {code.get('user_code')}"
