"""The Entra ID / OAuth 2 token pre-request script pattern → a native `oauth2` auth block.

The pattern (Azure's Postman samples, the oav-generated collections): `pm.sendRequest` POSTs
a form with grant_type, client_id, client_secret and resource or scope to
`…/oauth2/token` or `…/oauth2/v2.0/token`, and the callback stores `access_token` in a
variable that a bearer auth or an `Authorization: Bearer {{…}}` header then uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from runner.postman.jsexpr import call, closing
from runner.postman.jsplit import split_top, string_value
from runner.values import JSON

_TOKEN_URL = re.compile(r"oauth2/(?:v2\.0/)?token")
_GETTER = re.compile(
    r"(?:pm\.(?:environment|collectionVariables|globals|variables|iterationData)\.get"
    r"|postman\.get(?:Environment|Global)Variable)\(\s*(\"[^\"]*\"|'[^']*')\s*\)"
)
_STORED = re.compile(
    r"\.set(?:EnvironmentVariable|GlobalVariable)?\(\s*(\"[^\"]*\"|'[^']*')\s*,"
    r"\s*[\w$.]+(?:\.access_token|\[\s*[\"']access_token[\"']\s*\])\s*\)"
)
_FIELDS = {
    "grant_type": "grantType",
    "client_id": "clientId",
    "client_secret": "clientSecret",
    "scope": "scope",
    "resource": "resource",
    "refresh_token": "refreshToken",
    "username": "username",
    "password": "password",
}


@dataclass(frozen=True)
class TokenScript:
    """The auth block a token script stands for, and the variable it stored the token in."""

    auth: dict[str, JSON]
    token_variable: str


def token_request(code: str, known: Mapping[str, JSON]) -> TokenScript | None:
    """Returns the oauth2 block for a statement holding the token `pm.sendRequest`, or None."""
    start = code.find("pm.sendRequest(")
    stored = _STORED.search(code)
    if start < 0 or stored is None:
        return None
    parsed = call(code[start:], "pm.sendRequest")
    if parsed is None or not parsed[0]:
        return None
    props = _props(parsed[0][0])
    url = template(props.get("url", ""), known)
    if url is None or not _TOKEN_URL.search(url):
        return None
    form = _form(props.get("body", ""), known)
    if form is None or "grant_type" not in form or "client_id" not in form:
        return None
    auth: dict[str, JSON] = {"type": "oauth2", "grantType": form["grant_type"], "tokenUrl": url}
    for key, native in _FIELDS.items():
        if key in form and key != "grant_type":
            auth[native] = form[key]
    return TokenScript(auth, string_value(stored.group(1)) or "bearerToken")


def _props(literal: str) -> dict[str, str]:
    """Returns the top-level properties of an object literal as expression texts."""
    literal = literal.strip()
    if not literal.startswith("{") or closing(literal, 0) != len(literal) - 1:
        return {}
    out: dict[str, str] = {}
    for prop in split_top(literal[1:-1], ","):
        key, sep, rest = prop.partition(":")
        name = string_value(key)
        if sep:
            out[name if name is not None else key.strip()] = rest.strip()
    return out


def _form(body: str, known: Mapping[str, JSON]) -> dict[str, str] | None:
    """Returns the urlencoded fields of a sendRequest body, as native templates."""
    entries = _props(body).get("urlencoded", "").strip()
    if not entries.startswith("["):
        return None
    form: dict[str, str] = {}
    for entry in split_top(entries[1:-1], ","):
        props = _props(entry)
        key = string_value(props.get("key", ""))
        if props.get("disabled") == "true" or key is None:
            continue
        value = template(props.get("value", ""), known)
        if value is None:
            return None
        form[key] = value
    return form


def template(expr: str, known: Mapping[str, JSON]) -> str | None:
    """Returns a string expression as a native template: literals, `pm.*.get("x")` → <<x>>."""
    fallback = split_top(expr.replace("||", "\x00"), "\x00")
    if len(fallback) == 2:
        # `pm.collectionVariables.get("resource") || "https://…"`: the variable when it is
        # defined with a value, else the literal.
        first = _GETTER.fullmatch(fallback[0].strip())
        name = string_value(first.group(1)) if first else None
        if name is not None and known.get(name) not in (None, ""):
            return f"<<{name}>>"
        return template(fallback[1], known)
    out = ""
    for term in split_top(expr, "+"):
        text = string_value(term)
        getter = _GETTER.fullmatch(term.strip())
        if text is not None:
            out += re.sub(r"\{\{([^{}]+)\}\}", r"<<\1>>", text)
        elif getter is not None:
            out += f"<<{string_value(getter.group(1))}>>"
        else:
            return None
    return out
