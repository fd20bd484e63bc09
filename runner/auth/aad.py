"""Entra ID (Azure AD) token errors in plain words: what the AADSTS code means, what to do."""

from __future__ import annotations

import re

from runner.values import JSON

AADSTS: dict[int, str] = {
    90002: "the tenant was not found: check tenantId (a GUID or a verified domain such as "
    "contoso.onmicrosoft.com) and that you use the right cloud's authority",
    700016: "the application (clientId) was not found in this tenant: check clientId, or the "
    "app is registered in another tenant, or it was deleted",
    7000215: "the client secret is wrong: use the secret's Value (shown once when created), "
    "not its Secret ID",
    7000222: "the client secret has expired: create a new secret under Certificates & secrets "
    "and update the pipeline's variable",
    7000218: "no client secret or client assertion was sent, and the app is a confidential "
    "client: set clientSecret (or use a certificate / workload identity)",
    70011: "the scope is invalid: v2 endpoints take scope=<resource>/.default for client "
    "credentials, e.g. https://management.azure.com/.default",
    1002012: "client credentials need a scope ending in /.default, e.g. "
    "https://graph.microsoft.com/.default",
    500011: "the resource (audience) was not found in the tenant: check the resource/scope URL, "
    "e.g. https://management.azure.com/ or https://graph.microsoft.com/",
    65001: "consent has not been granted: an administrator must grant admin consent for the "
    "app's API permissions",
    50034: "the user does not exist in this tenant: check the username (UPN)",
    50126: "wrong username or password",
    50076: "multi-factor authentication is required, which the password grant cannot do: use "
    "the device code flow or a service principal",
    50079: "the user must register for multi-factor authentication: the password grant cannot "
    "do that; use the device code flow",
    70000: "the grant is invalid or revoked (e.g. an expired or already-used refresh token): "
    "sign in again to get a new refresh token",
    9002313: "the request is malformed (invalid grant parameters)",
    700024: "the client assertion is outside its valid time range: check the clock and the "
    "assertion's nbf/exp (a few minutes' lifetime)",
    700027: "the client assertion's signature is invalid or its certificate is not registered on "
    "the app: upload the certificate (public part) to the app registration",
    700211: "no federated identity credential matches the token's issuer: check the issuer "
    "configured on the app's federated credential",
    700212: "no federated identity credential matches the token's audience: it must be "
    "api://AzureADTokenExchange",
    700213: "no federated identity credential matches the token's subject: the subject (e.g. "
    "repo:org/repo:ref:refs/heads/main) must match exactly, case-sensitively",
    7002138: "the federated credential matches only case-insensitively: issuer and subject are "
    "case-sensitive; fix the case on the app's federated credential",
    700021: "the client assertion's sub (and iss) must be the app's client id",
    700023: "the client assertion's aud must be the token endpoint URL it is sent to",
    700025: "the app is a public client: it must not send a client secret or assertion; "
    "use device_code (or make the app confidential)",
    50027: "the client assertion is not a valid JWT (malformed, or a required claim such as "
    "jti is missing)",
    900144: "a form field is missing, e.g. client_assertion_type "
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer with a client_assertion",
    70016: "the user has not finished signing in yet (device code): keep polling",
    70019: "the device code expired before the user signed in: start again",
}


def aadsts_code(payload: dict[str, JSON]) -> int | None:
    """Returns the first AADSTS code of an Entra ID error response, or None."""
    codes = payload.get("error_codes")
    if isinstance(codes, list) and codes and isinstance(codes[0], int):
        return codes[0]
    match = re.search(r"AADSTS(\d+)", str(payload.get("error_description", "")))
    return int(match.group(1)) if match else None


def describe_token_error(status: int, payload: dict[str, JSON]) -> tuple[str, str | None]:
    """Returns (message, hint) for an OAuth2 error response from a token endpoint."""
    error = str(payload.get("error") or f"HTTP {status}")
    description = str(payload.get("error_description") or "").replace("\r\n", "\n")
    first = description.split("\n", 1)[0].strip()
    message = f"token request failed: {status} {error}"
    if first:
        message += f": {first}"
    ids = [f"{k}={payload[k]}" for k in ("trace_id", "correlation_id") if payload.get(k)]
    if ids:
        message += f" ({', '.join(ids)})"
    code = aadsts_code(payload)
    hint = AADSTS.get(code) if code is not None else None
    missing = re.search(r"parameter: '([^']+)'", description) if code == 900144 else None
    if missing is not None and missing.group(1) != "client_assertion_type":
        name = missing.group(1)
        hint = f"the token request has no '{name}' (or it is empty): set it in the auth block"
    return message, hint


_GIST = re.compile(
    r"(?:failed|answered):? (\d{3}) ([a-z][a-z_]*)\b(?::\s*(?:(AADSTS\d+)\b[^\n]*|([^\n]*?)))?"
    r"(?: \(trace_id=.*)?$",
    re.MULTILINE,
)


def token_error_gist(message: str) -> str:
    """Returns the gist of a token failure for the requests that needed the token.

    `401 invalid_client AADSTS7000215` when Entra ID answered (its AADSTS code names the
    description), `400 invalid_grant: <description>` for another OAuth2 endpoint, else the
    message's first line: the token step's own report holds the whole text and the hint.
    """
    found = _GIST.search(message)
    if found is None:
        return message.split("\n", 1)[0]
    status, error, code, description = found.groups()
    if code:
        return f"{status} {error} {code}"
    return f"{status} {error}" + (f": {description}" if description else "")
