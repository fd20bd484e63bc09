"""Pointing requests at the oauth2 block that replaced a token pre-request script."""

from __future__ import annotations

from runner.postman.token_script import TokenScript
from runner.values import JSON

TOKEN_VARIABLE = "bearerToken"
"""The variable the native oauth2 step fills after each acquisition (contract section 3)."""


def use_token(node: dict[str, JSON], token: TokenScript, where: str) -> list[str]:
    """Puts the oauth2 block on `node`; drops the bearer uses it replaces. Returns warnings."""
    node["auth"] = dict(token.auth)
    ref = f"<<{token.token_variable}>>"
    for child in node.get("items", []):
        _drop_bearer(child, ref)
    _drop_header(node, ref)
    warnings = [f"{where}: token pre-request script replaced by an oauth2 auth block"]
    if token.token_variable != TOKEN_VARIABLE:
        warnings.append(
            f"{where}: the token script stored the token in {token.token_variable!r}; the "
            f"oauth2 step stores it in {TOKEN_VARIABLE!r}: update other uses of {ref}"
        )
    return warnings


def _drop_bearer(node: dict[str, JSON], ref: str) -> None:
    """Removes bearer auth and Authorization headers that used the token (they now inherit)."""
    auth = node.get("auth")
    if isinstance(auth, dict) and auth.get("type") == "bearer" and auth.get("token") == ref:
        del node["auth"]
    if _drop_header(node, ref) and node.get("auth") == {"type": "none"}:
        # The header carried the token while auth was "none": the oauth2 block takes over.
        del node["auth"]
    for child in node.get("items", []):
        _drop_bearer(child, ref)


def _drop_header(node: dict[str, JSON], ref: str) -> bool:
    """Removes an `Authorization: Bearer <token>` header; returns True if there was one."""
    headers = node.get("headers")
    if not isinstance(headers, dict):
        return False
    for name in list(headers):
        if name.lower() == "authorization" and headers[name].strip() == f"Bearer {ref}":
            del headers[name]
            if not headers:
                del node["headers"]
            return True
    return False
