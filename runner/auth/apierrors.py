"""Azure API errors in plain words: ARM and Microsoft Graph error JSON → what to do.

Shown under a failed assertion so a nightly check says *why* (missing role, wrong
audience, missing permission) instead of a bare 401/403.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable

from runner.transport.http import HttpResponse
from runner.values import JSON

ARM_HINTS = {
    "AuthenticationFailed": "no valid token was sent: check the request's auth",
    "InvalidAuthenticationToken": "the token was rejected: is it a token for ARM "
    "(resource https://management.azure.com/ or scope https://management.azure.com/.default)?",
    "InvalidAuthenticationTokenAudience": "the token is for another audience: request it for "
    "https://management.azure.com/ (v1 resource) or https://management.azure.com/.default (v2)",
    "ExpiredAuthenticationToken": "the token expired before it was used",
    "InvalidAuthenticationTokenTenant": "the token is from another tenant than the "
    "subscription's: use the subscription's tenantId",
    "AuthorizationFailed": "the service principal has no role allowing this on that scope: "
    "assign a role such as Reader on the subscription or resource group",
    "SubscriptionNotFound": "the subscription does not exist or the principal cannot see it: "
    "check subscriptionId and the role assignment",
    "ResourceGroupNotFound": "the resource group does not exist in this subscription",
    "MissingApiVersionParameter": "ARM needs ?api-version=…, e.g. 2020-09-01 for resource groups",
    "InvalidApiVersionParameter": "this api-version is not supported for the resource type",
    "TooManyRequests": "throttled: retry later (--retry N honours Retry-After)",
}
GRAPH_HINTS = {
    "Authorization_RequestDenied": "the app lacks the application permission: grant e.g. "
    "User.Read.All (users) or Application.Read.All (applications) and give admin consent",
    "InvalidAuthenticationToken": "the token was rejected: is it a Graph token (scope "
    "https://graph.microsoft.com/.default), and not expired?",
    "Authorization_IdentityNotFound": "the app's service principal was not found in the tenant",
    "Request_ResourceNotFound": "the object does not exist",
}


def explain(response: HttpResponse, mask: Callable[[str], str] = str) -> str | None:
    """Returns a plain-words hint for an ARM or Graph error response, or None.

    The API's message is masked with `mask` before it is shortened.
    """
    try:
        payload = json.loads(response.body)
    except ValueError:
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return None
    code = str(error.get("code", ""))
    message = mask(str(error.get("message", "")))
    hint = GRAPH_HINTS.get(code) if "innerError" in error else None
    hint = hint or ARM_HINTS.get(code) or GRAPH_HINTS.get(code)
    if hint is None:
        return f"{code}: {message[:200]}" if code else None
    detail = _detail(code, message, response)
    return f"{code}: {hint}" + (f" ({detail})" if detail else "")


def _detail(code: str, message: str, response: HttpResponse) -> str:
    """Returns the specifics worth showing: the principal/action/scope, or the audiences."""
    if code == "AuthorizationFailed":
        action = re.search(r"action '([^']+)'", message)
        scope = re.search(r"scope '([^']+)'", message)
        client = re.search(r"client '([^']+)'", message)
        parts = [
            f"principal {client.group(1)}" if client else "",
            f"action {action.group(1)}" if action else "",
            f"scope {scope.group(1)}" if scope else "",
        ]
        return ", ".join(p for p in parts if p)
    if code == "InvalidAuthenticationTokenAudience":
        return message[:200]
    return ""


def token_claims(token: str) -> dict[str, JSON]:
    """Returns the decoded (unverified) payload of a JWT, or {} when it is not one."""
    parts = token.split(".")
    if len(parts) < 2:
        return {}
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}
