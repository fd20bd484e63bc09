"""The run's cookie jar: on or off (per run, per request), a cookie by name for the `cookies`
assertion and capture, `--cookie-jar` files, and the jar as Postman scripts see it
(`pm.cookies` and `pm.cookies.jar()`).

The jar is the transport's own (requests keeps it per run), so a cookie a server set is
there for later requests and scripts, and a cookie a script sets goes out with the next
request to its domain, as in Newman.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import cache
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from runner.errors import InputError
from runner.values import JSON

if TYPE_CHECKING:
    from http.client import HTTPResponse
    from urllib.request import Request

    from requests.cookies import RequestsCookieJar


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
        "httpOnly": _extra(cookie, "HttpOnly") is not None,
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


# --- A host name without a dot (localhost, an intranet name), as curl and browsers take it ---


class HostPolicy(DefaultCookiePolicy):
    """http.cookiejar's policy, except for a request to a host name without a dot.

    http.cookiejar takes such a host NAME as `NAME.local` (RFC 2965): it keeps NAME's
    host-only cookies under `NAME.local` and sends NAME neither those curl writes for it
    nor its `Domain=NAME` ones. As curl and browsers do, this policy keeps them under NAME
    and sends NAME exactly its host-only cookies and the `Domain=NAME` ones.

    And for every host, a host-only cookie (one set without `Domain`) goes out to its host
    alone, as curl and browsers send it (RFC 6265), not to the host's subdomains too.
    """

    def __init__(self) -> None:
        super().__init__(strict_ns_domain=DefaultCookiePolicy.DomainStrictNonDomain)

    def set_ok(self, cookie: Cookie, request: Request) -> bool:
        """Returns True when the jar keeps `cookie`, which a response to `request` set
        (a dotless host's host-only cookie is then renamed to the host)."""
        host = dotless_host(request)
        if host is None:
            return super().set_ok(cookie, request)
        if cookie.domain_specified and cookie.domain.lower().lstrip(".") != host:
            return False  # e.g. Domain=local: curl refuses it too
        if not super().set_ok(cookie, request):
            return False
        if not cookie.domain_specified:
            cookie.domain = host  # not http.cookiejar's `NAME.local`
        return True

    def return_ok_domain(self, cookie: Cookie, request: Request) -> bool:
        """Returns True when `cookie`'s domain lets it go out with `request`."""
        host = dotless_host(request)
        if host is None:
            return super().return_ok_domain(cookie, request)
        return cookie.domain.lower().lstrip(".") == host


def dotless_host(request: Request) -> str | None:
    """Returns the host name `request` goes to when it has no dot (nor is an IPv6
    address), else None."""
    host = urlsplit(request.get_full_url()).hostname or ""
    return host if host and "." not in host and ":" not in host else None


# --- The run's jar: on, off for the whole run (--no-cookies), or off for one request ---


def run_jar(enabled: bool = True) -> RequestsCookieJar:
    """Returns a new jar for a run's session; not `enabled`: it sends and keeps nothing."""
    jar = _run_jar_class()()
    jar.enabled = enabled  # type: ignore[attr-defined]
    return jar


@cache
def _run_jar_class() -> type[RequestsCookieJar]:
    """Returns the jar class of a run's session (requests is imported only when a run starts).

    requests reads a session's jar by iterating it (to copy the cookies a request sends) and
    writes it through `extract_cookies`; a jar that is off yields nothing and keeps nothing.
    Off is a switch of the whole jar (--no-cookies) or of the current thread while it sends
    a request with `"cookies": false` (requests under --parallel share one session).
    """
    from requests.cookies import RequestsCookieJar

    class RunJar(RequestsCookieJar):
        def __init__(self) -> None:
            super().__init__(policy=HostPolicy())
            self.enabled = True
            self._paused = threading.local()

        def is_off(self) -> bool:
            """Returns True while the jar neither sends nor keeps cookies."""
            return not self.enabled or getattr(self._paused, "on", False)

        @contextmanager
        def paused(self) -> Iterator[None]:
            """Within the block, this thread's requests neither send nor keep cookies."""
            self._paused.on = True
            try:
                yield
            finally:
                self._paused.on = False

        def __iter__(self) -> Iterator[Cookie]:  # type: ignore[override]
            return iter(()) if self.is_off() else super().__iter__()

        def extract_cookies(self, response: Any, request: Any) -> None:
            if not self.is_off():
                super().extract_cookies(response, request)

        def set_cookie(self, cookie: Cookie, *args: Any, **kwargs: Any) -> None:
            if self.enabled:  # --no-cookies: not even pm.cookies.jar().set keeps one
                super().set_cookie(cookie, *args, **kwargs)

    return RunJar


# --- A cookie by name: what the response set, else what the jar holds for its URL ---


def find_cookie(
    name: str, set_by_response: Sequence[Cookie], jar: CookieJar | None, url: str
) -> Cookie | None:
    """Returns the cookie `name`: the last one the response (or a redirect before it) set,
    else the one the jar would send to `url` (the longest path first), else None.

    A cookie the response removed (Max-Age=0, an Expires in the past) is not found.
    """
    for cookie in reversed(set_by_response):
        if cookie.name == name:
            return cookie
    if jar is None or getattr(jar, "is_off", lambda: False)():
        return None
    host, path, secure = _target(url)
    found = [c for c in jar if c.name == name and _matches(c, host, path, secure)]
    return max(found, key=lambda c: len(c.path or "")) if found else None


def response_jar() -> CookieJar:
    """Returns a jar for the cookies responses set, each keeping the Max-Age it was sent with
    (http.cookiejar turns a Max-Age into an Expires and keeps no Max-Age)."""
    return _SentCookieJar()


class _SentCookieJar(CookieJar):
    def __init__(self) -> None:
        super().__init__(HostPolicy())

    def make_cookies(self, response: HTTPResponse, request: Request) -> Sequence[Cookie]:
        cookies = super().make_cookies(response, request)
        sent = _max_ages(response.info().get_all("Set-Cookie") or [])
        for cookie in cookies:
            if sent.get(cookie.name) is not None:
                cookie.set_nonstandard_attr("Max-Age", str(sent[cookie.name]))
        return cookies


def _max_ages(set_cookies: Iterable[str]) -> dict[str, int | None]:
    """Returns cookie name → the Max-Age its Set-Cookie header sent (None: none was sent).

    The first Max-Age of a header counts and the last header for a name, as http.cookiejar
    reads them.
    """
    found: dict[str, int | None] = {}
    for header in set_cookies:
        name, *attrs = header.split(";")
        seconds = None
        for attr in attrs:
            key, _, value = attr.partition("=")
            if key.strip().lower() == "max-age":
                with suppress(ValueError):  # http.cookiejar drops the cookie anyway
                    seconds = int(value.strip())
                break
        found[name.partition("=")[0].strip()] = seconds
    return found


def attribute(cookie: Cookie, name: str) -> JSON | None:
    """Returns attribute `name` (one of ATTRIBUTES) of `cookie`, None when it has none.

    Expires is an ISO 8601 UTC date-time (so `before`/`after` compare it); Max-Age the
    number of seconds the response's Set-Cookie sent (none for a cookie from the jar);
    Secure and HttpOnly are booleans; SameSite is the text the server sent.
    """
    if name == "Value":
        return cookie.value
    if name == "Domain":
        return cookie.domain
    if name == "Path":
        return cookie.path
    if name == "Expires":
        if cookie.expires is None:
            return None
        moment = datetime.fromtimestamp(cookie.expires, tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if name == "Secure":
        return bool(cookie.secure)
    extra = _extra(cookie, name)
    if name == "Max-Age":
        return int(extra) if extra is not None else None
    if name == "HttpOnly":
        return extra is not None
    return extra


def _extra(cookie: Cookie, name: str) -> str | None:
    """Returns a non-standard attribute (HttpOnly, SameSite) whatever its case, else None."""
    lowered = name.lower()
    rest: dict[str, str] = getattr(cookie, "_rest", {})
    for key, value in rest.items():
        if key.lower() == lowered:
            return value or ""
    return None


# --- --cookie-jar FILE: a Netscape cookies.txt, as curl and Hurl read and write it ---


def load_jar(path: Path) -> list[Cookie]:
    """Returns the unexpired cookies of a cookies.txt file (none when it does not exist).

    Raises:
        InputError: the file cannot be read or is not in the Netscape format.
    """
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"--cookie-jar {path}: cannot read it ({getattr(exc, 'strerror', None) or exc})",
            hint="give a readable cookies.txt file, or a new path to create one",
        ) from None
    try:
        cookies = _parse_netscape(text)
    except ValueError as exc:  # its text names the line at fault, never a cookie's value
        raise InputError(
            f"--cookie-jar {path} is not a Netscape cookies file: {exc}",
            hint="write it as curl -c or hurl --cookie-jar do: one line per cookie of 7 "
            "tab-separated fields (domain, include subdomains TRUE/FALSE, path, secure "
            "TRUE/FALSE, expiry as Unix seconds or 0, name, value), '#' lines being "
            "comments; or delete the file to start with no cookies",
        ) from None
    now = time.time()
    return [c for c in cookies if c.expires is None or c.expires > now]


def _parse_netscape(text: str) -> list[Cookie]:
    """Returns the cookies of a cookies.txt text, as curl reads it: '#' lines (the
    '# Netscape HTTP Cookie File' line too, which curl does not require) and blank ones are
    skipped, '#HttpOnly_' marks an HttpOnly cookie, an expiry of 0 (or none) a session one.

    Raises:
        ValueError: a line is not in the format (the message names it).
    """
    cookies: list[Cookie] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        http_only = line.startswith("#HttpOnly_")
        if http_only:
            line = line[len("#HttpOnly_") :]
        elif not line.strip() or line.lstrip().startswith(("#", "$")):
            continue
        fields = line.split("\t")
        if len(fields) != 7:
            raise ValueError(f"line {number} has {len(fields)} tab-separated fields, not 7")
        domain, subdomains, path, secure, expires, name, value = fields
        if subdomains not in ("TRUE", "FALSE") or secure not in ("TRUE", "FALSE"):
            raise ValueError(f"line {number}: the 2nd and 4th fields must be TRUE or FALSE")
        if (subdomains == "TRUE") != domain.startswith("."):
            raise ValueError(
                f"line {number}: the 2nd field is TRUE exactly when the domain starts with '.'"
            )
        if expires and not expires.isdigit():
            raise ValueError(f"line {number}: the expiry (5th field) is not a number of seconds")
        seconds = int(expires or 0) or None  # curl's 0: a session cookie
        cookies.append(
            Cookie(
                version=0,
                name=name or value,  # an empty name: a cookie set without '=' (`flag`)
                value=value if name else None,
                port=None,
                port_specified=False,
                domain=domain,
                domain_specified=subdomains == "TRUE",
                domain_initial_dot=domain.startswith("."),
                path=path,
                path_specified=False,
                secure=secure == "TRUE",
                expires=seconds,
                discard=seconds is None,
                comment=None,
                comment_url=None,
                rest={"HttpOnly": ""} if http_only else {},
            )
        )
    return cookies


def save_jar(cookies: Iterable[Cookie], path: Path) -> None:
    """Writes `cookies` (session cookies too, expired ones not) to `path` as curl -c does.

    Written beside and then moved into place, so a reader never sees half a file.
    """
    now = time.time()
    lines = [_NETSCAPE_LINE, "# Written by runner --cookie-jar, as curl -c writes it.", ""]
    lines += [_netscape_line(c) for c in cookies if c.expires is None or c.expires > now]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(temporary, path)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temporary)


_NETSCAPE_LINE = "# Netscape HTTP Cookie File"


def _netscape_line(cookie: Cookie) -> str:
    """Returns the cookies.txt line of `cookie`, as curl writes it.

    A session cookie's expiry is 0: curl reads a line with an empty expiry as no cookie.
    A cookie without a value (`Set-Cookie: flag`) has an empty name field, as in
    http.cookiejar's files.
    """
    name, value = (cookie.name, cookie.value) if cookie.value is not None else ("", cookie.name)
    return "\t".join(
        (
            ("#HttpOnly_" if _extra(cookie, "HttpOnly") is not None else "") + cookie.domain,
            "TRUE" if cookie.domain.startswith(".") else "FALSE",
            cookie.path,
            "TRUE" if cookie.secure else "FALSE",
            str(int(cookie.expires or 0)),
            name,
            value,
        )
    )
