"""Federated identity credentials: matching a workload's token to an app's records."""

from __future__ import annotations

from datetime import datetime

from runner.emulator.config import App, FederatedCredential
from runner.emulator.errors import EntraError
from runner.values import JSON

CLOCK_SKEW = 300


def verify_federated(app: App, claims: dict[str, JSON], now: datetime) -> FederatedCredential:
    """Return the federated credential matching the token; raise 7002xx otherwise.

    Issuer and subject match case-sensitively, as in Entra ID; a match that only holds
    case-insensitively is AADSTS7002138.
    """
    issuer, subject = str(claims.get("iss", "")), str(claims.get("sub", ""))
    exact = [c for c in app.federated if c.issuer == issuer and c.subject == subject]
    if not exact:
        raise _mismatch(app, issuer, subject)
    audiences = claims.get("aud")
    sent = audiences if isinstance(audiences, list) else [audiences]
    credential = next((c for c in exact if any(a in c.audiences for a in sent)), None)
    if credential is None:
        raise EntraError(
            700212,
            "invalid_request",
            f"No matching federated identity record found for presented assertion audience "
            f"'{', '.join(str(a) for a in sent)}'. Expected one of "
            f"'{', '.join(exact[0].audiences)}'.",
        )
    check_time_range(claims, now)
    return credential


def _mismatch(app: App, issuer: str, subject: str) -> EntraError:
    folded = [
        c
        for c in app.federated
        if c.issuer.lower() == issuer.lower() and c.subject.lower() == subject.lower()
    ]
    if folded:
        return EntraError(
            7002138,
            "invalid_client",
            f"No matching federated identity record found for presented assertion subject "
            f"'{subject}' and issuer '{issuer}'. A record matches only when compared "
            "case-insensitively; matching is case-sensitive.",
        )
    if not any(c.issuer == issuer for c in app.federated):
        return EntraError(
            700211,
            "invalid_request",
            f"No matching federated identity record found for presented assertion issuer "
            f"'{issuer}'. Please check your federated identity credential Subject, Audience "
            "and Issuer against the presented assertion.",
        )
    return EntraError(
        700213,
        "invalid_client",
        f"No matching federated identity record found for presented assertion subject "
        f"'{subject}'. Please check your federated identity credential Subject, Audience and "
        "Issuer against the presented assertion.",
    )


def check_time_range(claims: dict[str, JSON], now: datetime) -> None:
    """Raise AADSTS700024 unless now lies within the assertion's nbf..exp (with skew)."""
    stamp = now.timestamp()
    exp, nbf = claims.get("exp"), claims.get("nbf", 0)
    if (
        not isinstance(exp, int | float)
        or not isinstance(nbf, int | float)
        or stamp > exp + CLOCK_SKEW
        or stamp < nbf - CLOCK_SKEW
    ):
        raise EntraError(
            700024,
            "invalid_client",
            "Client assertion is not within its valid time range. Ensure that the assertion "
            f"is valid now ({int(stamp)}): nbf={nbf}, exp={exp}.",
        )
