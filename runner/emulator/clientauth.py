"""Authenticates the client of a token request: secret, certificate assertion or none."""

from __future__ import annotations

import hmac
from datetime import datetime

from runner.emulator.assertions import verify_assertion
from runner.emulator.config import App, Secret
from runner.emulator.errors import EntraError
from runner.emulator.messages import Request

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def authenticate(app: App, form: dict[str, str], request: Request, now: datetime) -> str:
    """Return the ``appidacr`` value ("0" public, "1" secret, "2" assertion) or raise."""
    secret = form.get("client_secret") or None
    assertion = form.get("client_assertion") or None
    if app.public_client:
        if secret or assertion:
            raise EntraError(
                700025,
                "invalid_client",
                "Client is public so neither 'client_assertion' nor 'client_secret' should be "
                "presented.",
            )
        return "0"
    if secret is not None:
        check_secret(app, secret, now)
        return "1"
    if assertion is not None:
        if form.get("client_assertion_type") != JWT_BEARER:
            raise EntraError(
                900144,
                "invalid_request",
                "The request body must contain the following parameter: "
                f"'client_assertion_type' with the value '{JWT_BEARER}'.",
            )
        verify_assertion(app, assertion, request.url, now)
        return "2"
    raise EntraError(
        7000218,
        "invalid_client",
        "The request body must contain the following parameter: 'client_assertion' or "
        "'client_secret'.",
    )


def check_secret(app: App, value: str, now: datetime) -> Secret:
    """Return the matching, unexpired secret; raise AADSTS7000215 or 7000222."""
    match = next((s for s in app.secrets if hmac.compare_digest(s.value, value)), None)
    if match is None:
        raise EntraError(
            7000215,
            "invalid_client",
            "Invalid client secret provided. Ensure the secret being sent in the request is the "
            f"client secret value, not the client secret ID, for a secret added to app "
            f"'{app.client_id}'.",
        )
    if now >= match.end or now < match.start:
        raise EntraError(
            7000222,
            "invalid_client",
            f"The provided client secret keys for app '{app.client_id}' are expired. Visit the "
            "Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or "
            "consider using certificate credentials for added security.",
        )
    return match
