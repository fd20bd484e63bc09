"""The run's cookie jar as Postman scripts see it: `pm.cookies` and `pm.cookies.jar()`.

The jar is the transport's own (requests keeps it per run), so a cookie a server set is
there for later requests and scripts, and a cookie a script sets goes out with the next
request to its domain, as in Newman.
"""

from __future__ import annotations

import time
from http.cookiejar import Cookie, CookieJar
from urllib.parse import urlsplit

from runner.values import JSON


def _target(url: str) -> tuple[str, str, bool]:
    """Returns (host, path, secure) of a URL (a bare host is taken as http://host/)."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    return (parts.hostname or "").lower(), parts.path or "/", parts.scheme == "https"


def _matches(cookie: Cookie, host: str, path: str, secure: bool) -> bool:
    """Returns True when `cookie` would be sent to host+path."""
    domain = cookie.domain.lower().lstrip(".")
    if host != domain and not (cookie.domain.startswith(".") and host.endswith("." + domain)):
        return False
    if not path.startswith(cookie.path or "/"):
        return False
    if cookie.secure and not secure:
        return False
    return cookie.expires is None or cookie.expires > time.time()


def cookies_for(jar: CookieJar, url: str) -> list[dict[str, JSON]]:
    """Returns the cookies the jar would send to `url`, as Postman's cookie objects."""
    host, path, secure = _target(url)
    return [as_json(c) for c in jar if _matches(c, host, path, secure)]


def as_json(cookie: Cookie) -> dict[str, JSON]:
    """Returns a cookie as postman-collection's Cookie properties."""
    return {
        "name": cookie.name,
        "value": cookie.value,
        "domain": cookie.domain,
        "path": cookie.path,
        "secure": cookie.secure,
        "httpOnly": cookie.has_nonstandard_attr("HttpOnly"),
        "expires": cookie.expires,
    }


def jar_operation(jar: CookieJar, request: dict[str, JSON]) -> JSON:
    """Performs one `pm.cookies.jar()` call ({op, url, name, value}); returns its result.

    Raises ValueError for a call Postman rejects (no URL, no cookie name).
    """
    op, url = str(request.get("op")), str(request.get("url") or "")
    host, path, secure = _target(url)
    if not host:
        raise ValueError(f"CookieJar.{op}: a URL is required")
    name = request.get("name")
    if op in ("set", "get", "unset") and not name:
        raise ValueError(f"CookieJar.{op}: a cookie name is required")
    mine = [c for c in jar if _matches(c, host, path, secure)]
    if op == "get":
        found = [c for c in mine if c.name == name]
        return found[0].value if found else None
    if op == "getAll":
        return [as_json(c) for c in mine]
    if op == "set":
        cookie = _cookie(host, str(name), request.get("value"))
        jar.set_cookie(cookie)
        return as_json(cookie)
    gone = [c for c in mine if op == "clear" or c.name == name]
    for cookie in gone:
        jar.clear(cookie.domain, cookie.path, cookie.name)
    return None


def _cookie(host: str, name: str, value: JSON) -> Cookie:
    """Returns a host-only cookie for `host` (value: text, or Postman's cookie object)."""
    fields = value if isinstance(value, dict) else {"value": value}
    text = fields.get("value")
    path = str(fields.get("path") or "/")
    return Cookie(
        version=0,
        name=name,
        value="" if text is None else str(text),
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path=path,
        path_specified=True,
        secure=bool(fields.get("secure")),
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={"HttpOnly": ""} if fields.get("httpOnly") else {},
    )
