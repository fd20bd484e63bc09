"""Postman `url` (a string, or an object with raw/protocol/host/path/query/variable) → text.

For a URL object Newman (postman-collection's `Url`) ignores `raw` and builds the URL from
the structured parts, so we do the same when they are present: that is what is sent.
"""

from __future__ import annotations

import re

from runner.postman.fields import is_enabled, key_of, text
from runner.values import JSON


def url_text(url: JSON) -> str:
    """Returns the URL to send, path variables substituted, disabled query params left out."""
    if isinstance(url, str):
        return url
    if not isinstance(url, dict):
        return ""
    if "host" not in url and "path" not in url:
        base = text(url.get("raw"))
        return _with_path_variables(base, url.get("variable"))
    return _from_parts(url)


def _from_parts(url: dict[str, JSON]) -> str:
    """Returns the URL built from protocol, auth, host, port, path, query and hash."""
    out = ""
    protocol = text(url.get("protocol"))
    if protocol:
        out += protocol.removesuffix("://").removesuffix(":") + "://"
    out += _userinfo(url.get("auth")) + _host(url.get("host"))
    port = text(url.get("port"))
    if port:
        out += ":" + port
    path = _path(url.get("path"), url.get("variable"))
    if path:
        out += path if path.startswith("/") else "/" + path
    query = query_string(url.get("query"))
    if query is not None:
        out += "?" + query
    fragment = text(url.get("hash"))
    if fragment:
        out += "#" + fragment
    return out


def _userinfo(auth: JSON) -> str:
    if not isinstance(auth, dict) or not (auth.get("user") or auth.get("password")):
        return ""
    user = escape(text(auth.get("user")), "@:/?#")
    password = auth.get("password")
    return user + (":" + escape(text(password), "@/?#") if password else "") + "@"


def _host(host: JSON) -> str:
    if isinstance(host, list):
        return ".".join(text(h) for h in host)
    return text(host)


def _path(path: JSON, variables: JSON) -> str:
    if isinstance(path, str):
        segments = path.split("/")
    elif isinstance(path, list):
        segments = [text(p.get("value")) if isinstance(p, dict) else text(p) for p in path]
    else:
        return ""
    values = _variable_values(variables)
    resolved = [_segment(s, values) for s in segments]
    return "/".join(resolved)


def _segment(segment: str, values: dict[str, str]) -> str:
    if segment.startswith(":") and segment[1:] in values:
        return values[segment[1:]]
    return segment


def _variable_values(variables: JSON) -> dict[str, str]:
    # Path variables stay as written (`{{var}}` inside them is rendered at run time).
    if not isinstance(variables, list):
        return {}
    return {key_of(v): text(v.get("value")) for v in variables if isinstance(v, dict)}


def _with_path_variables(raw: str, variables: JSON) -> str:
    """Returns `raw` with `:name` path segments replaced from `variables`."""
    values = _variable_values(variables)
    if not values:
        return raw
    head, sep, tail = raw.partition("?")
    scheme, slashes, rest = head.rpartition("://")
    segments = [_segment(s, values) for s in rest.split("/")]
    return scheme + slashes + "/".join(segments) + sep + tail


def query_string(query: JSON) -> str | None:
    """Returns the enabled params joined as written (None when there is no query list)."""
    if not isinstance(query, list) or not query:
        return None
    enabled = [q for q in query if is_enabled(q)]
    if not enabled:
        return None
    return "&".join(_param(q) for q in enabled)


def _param(param: dict[str, JSON]) -> str:
    # A structured param may hold characters that would end it in a URL string: encode
    # them, as Postman's URL encoder does when it sends the request.
    key = escape(text(param.get("key")), "&=#")
    value = param.get("value")
    if value is None:
        return key
    return f"{key}={escape(text(value), '&#')}"


_REFERENCE = re.compile(r"(\{\{[^{}]*\}\})")


def escape(part: str, chars: str) -> str:
    """Returns `part` with `chars` percent-encoded, except inside `{{variable}}` references."""
    pieces = _REFERENCE.split(part)
    for index in range(0, len(pieces), 2):  # even indexes are outside references
        pieces[index] = "".join(f"%{ord(c):02X}" if c in chars else c for c in pieces[index])
    return "".join(pieces)
