"""HTTP: our request/response values and the one place that uses `requests`.

The run loop and the token step talk to a `Transport`; tests pass the real
`RequestsTransport` pointed at local servers, never a patched `requests`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping, MutableMapping, Sequence
from contextlib import nullcontext
from dataclasses import field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol
from urllib.parse import urlsplit

from runner.errors import InputError, TransportError
from runner.records import record
from runner.transport.deadline import deadline
from runner.transport.signing import RequestAuth, as_requests_auth
from runner.values import JSON
from runner.version import __version__

if TYPE_CHECKING:
    from http.cookiejar import Cookie, CookieJar

    import requests
    from requests.sessions import _Settings

_NOT_JSON = object()


Part = tuple[str | None, bytes | str] | tuple[str | None, bytes | str, str]
"""A multipart part: (file name or None for a field, content[, content type])."""


@record(hashable=False)
class HttpRequest:
    """A fully rendered request, ready to send."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    data: bytes | str | list[tuple[str, str]] | None = None
    files: list[tuple[str, Part]] | None = None
    timeout: float | None = None
    follow_redirects: bool = True
    max_redirects: int | None = None
    verify: bool | None = None
    auth: RequestAuth | None = None  # applied as the request is sent
    use_cookies: bool = True
    keep_method_on_redirect: bool = False
    referer_on_redirect: bool = False  # set Referer to the redirecting URL, as Postman does
    #: Mutual TLS: (certificate PEM, key PEM); None: the run's (--cert); False: none.
    client_cert: tuple[str, str] | Literal[False] | None = None

    def header(self, name: str) -> str | None:
        """Returns the first header called `name` (case-insensitive), or None."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        """Sets `name`, replacing any header of that name."""
        lowered = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lowered]
        self.headers.append((name, value))


class Hop(NamedTuple):
    """One redirect on the way to a response: what was asked and where it was sent on."""

    method: str
    url: str
    status: int
    location: str


@record(hashable=False)
class HttpResponse:
    """A response, fully read, with the time it took in milliseconds."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes
    elapsed_ms: float
    url: str = ""
    header_list: Sequence[tuple[str, str]] = ()
    #: The headers of the request this response answers (after redirects, the last one's).
    request_headers: Sequence[tuple[str, str]] = ()
    encoding: str | None = None
    #: The redirects followed before this response, in order.
    redirects: Sequence[Hop] = ()
    #: The cookies this response (and the redirects before it) set, in order.
    set_cookies: Sequence[Cookie] = ()
    #: The run's cookie jar after this response (None when the request used none).
    jar: CookieJar | None = None
    #: The method of the request this response answers (a redirect may have changed it).
    method: str = ""
    #: The headers of the request as first sent, before any redirect (() when none was
    #: followed: request_headers are its own).
    sent_headers: Sequence[tuple[str, str]] = ()

    @cached_property
    def text(self) -> str:
        """Returns the body decoded as text: the response's charset, else UTF-8.

        Without a charset, a text/* body that is not UTF-8 is read as ISO-8859-1 (HTTP/1.1's
        old default for text, which servers sending Latin-1 without a charset still rely on).
        """
        if self.encoding is None:
            try:
                return self.body.decode("utf-8")
            except UnicodeDecodeError:
                ctype = self.headers.get("Content-Type", "")
                if ctype.lower().startswith("text/"):
                    return self.body.decode("iso-8859-1")
                return self.body.decode("utf-8", errors="replace")
        try:
            return self.body.decode(self.encoding, errors="replace")
        except LookupError:  # a charset Python does not know: read it as UTF-8
            return self.body.decode("utf-8", errors="replace")

    @cached_property
    def _json(self) -> JSON | UnicodeDecodeError:
        try:
            return json.loads(self.body)
        except UnicodeDecodeError as exc:  # JSON is UTF-8 (RFC 8259): say so, not "not JSON"
            return exc
        except ValueError:
            return _NOT_JSON

    def utf8_problem(self) -> str | None:
        """Returns why the body cannot be JSON when it is not UTF-8, else None."""
        value = self._json
        return _not_utf8_reason(value) if isinstance(value, UnicodeDecodeError) else None

    def json(self) -> JSON:
        """Returns the parsed JSON body; raises ValueError when it is not JSON."""
        value = self._json
        if isinstance(value, UnicodeDecodeError):
            raise ValueError(_not_utf8_reason(value))
        if value is _NOT_JSON:
            raise ValueError(_not_json_reason(self))
        return value


def _not_utf8_reason(error: UnicodeDecodeError) -> str:
    """Returns why a JSON body could not be read: the first byte that is not UTF-8."""
    byte = error.object[error.start : error.start + 1].hex().upper()
    return (
        f"the response body is not valid UTF-8 (byte 0x{byte} at offset {error.start}), "
        "and JSON must be UTF-8: the server sent another encoding"
    )


def _not_json_reason(response: HttpResponse) -> str:
    # No body excerpt here: callers that show one mask it before they cut it.
    ctype = response.headers.get("Content-Type", "no Content-Type")
    if not response.body:
        return f"the response body is empty (status {response.status})"
    return f"the response body is not JSON ({ctype})"


class Transport(Protocol):
    """Sends requests; raises TransportError when no response could be had."""

    def send(self, request: HttpRequest) -> HttpResponse:
        """Returns the response to `request`."""
        ...

    def close(self) -> None:
        """Releases connections."""
        ...


def parse_connect_to(spec: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """Returns ((host, port), (host2, port2)) from curl's `HOST:PORT:HOST2:PORT2`.

    Raises:
        InputError: the text is not of that form.
    """
    parts = spec.rsplit(":", 3)
    try:
        host, port, host2, port2 = parts
        return (host.strip("[]").lower(), int(port)), (host2.strip("[]"), int(port2))
    except ValueError:
        raise InputError(
            f"--connect-to '{spec}' is not HOST:PORT:HOST2:PORT2",
            hint="e.g. --connect-to postman-echo.com:443:127.0.0.1:8443",
        ) from None


class RequestsTransport:
    """The real transport: one `requests.Session` for the whole run (connection reuse)."""

    def __init__(
        self,
        *,
        verify: bool | str = True,
        connect_to: Mapping[tuple[str, int], tuple[str, int]] | None = None,
        pool_size: int = 10,
        client_cert: tuple[str, str] | None = None,
        cookies: bool = True,
    ) -> None:
        import requests

        from runner.transport.connect import ConnectToAdapter
        from runner.transport.cookies import run_jar

        self.session = _session_class()()
        # --no-cookies: a jar that is off, so the run keeps no cookies and sends none.
        self.session.cookies = run_jar(enabled=cookies)
        # Servers and their logs see who called; a request's own User-Agent header wins.
        self.session.headers["User-Agent"] = f"runner/{__version__}"
        adapter = ConnectToAdapter(dict(connect_to or {}), pool_maxsize=max(pool_size, 10))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.verify = verify
        # Mutual TLS: (certificate PEM, key PEM) for every request that names none of its own.
        # Not the session's `cert`: a request could not then go without one.
        self.client_cert = client_cert
        self._requests = requests
        if verify is False:
            _quiet_insecure()

    def send(self, request: HttpRequest) -> HttpResponse:
        """Returns the response; raises TransportError with a one-line reason."""
        session = self.session
        if request.max_redirects is not None:
            session.max_redirects = request.max_redirects
        if request.verify is False:
            _quiet_insecure()
        redirects = session.redirects  # type: ignore[attr-defined]
        redirects.keep_method = request.keep_method_on_redirect
        redirects.referer = request.referer_on_redirect
        # Mutual TLS: the request's own certificate, or none (False), else the run's.
        cert = self.client_cert if request.client_cert is None else request.client_cert or None
        started = time.perf_counter()
        jar = session.cookies
        off = not request.use_cookies or not getattr(jar, "enabled", True)
        # The timeout is a deadline for the whole request, not only for each read.
        paused = getattr(jar, "paused", None) if off else None
        with deadline(request.timeout) as watched, paused() if paused else nullcontext():
            if watched is not None and watched.expired:  # the run's deadline has passed
                from runner.transport.failures import not_sent

                raise TransportError(not_sent(watched))
            try:
                seconds = watched.seconds if watched else None
                raw = self._request(session, request, cert, seconds)
                body = raw.content
            except (self._requests.RequestException, ValueError, OSError) as exc:
                # ValueError: e.g. a URL or header http.client cannot encode.
                from runner.transport.failures import describe_failure, timed_out

                if watched is not None and (watched.expired or watched.passed()):
                    raise TransportError(timed_out(request, exc, watched)) from exc
                bundle = self.verify if isinstance(self.verify, str) else None
                reason = describe_failure(exc, request, bundle, client_cert=cert is not None)
                raise TransportError(reason) from exc
        elapsed = (time.perf_counter() - started) * 1000.0
        return _response(raw, body, elapsed, None if off else jar)

    def _request(
        self,
        session: requests.Session,
        request: HttpRequest,
        cert: tuple[str, str] | None,
        seconds: float | None,
    ) -> requests.Response:
        """Returns the response of `session` to `request` (presenting the client certificate
        `cert`), its body not yet read; each socket operation waits at most `seconds` (the
        request's deadline, or the run's)."""
        headers = dict(_merge_headers(request.headers))
        literal = _literal_host(request.url)
        if literal is not None and not any(k.lower() == "host" for k in headers):
            headers["Host"] = literal
        return session.request(
            request.method,
            request.url,
            headers=headers,
            data=request.data,
            files=request.files,
            timeout=seconds,
            allow_redirects=request.follow_redirects,
            verify=self.verify if request.verify is None else request.verify,
            auth=as_requests_auth(request.auth),
            cert=cert,
        )

    @property
    def cookies(self) -> CookieJar:
        """Returns the run's cookie jar (what servers set, and scripts through pm.cookies)."""
        return self.session.cookies

    def close(self) -> None:
        """Closes every pooled connection."""
        self.session.close()


def _quiet_insecure() -> None:
    """Silences urllib3's per-request warning: --insecure was asked for explicitly."""
    import warnings

    from urllib3.exceptions import InsecureRequestWarning

    warnings.filterwarnings("ignore", category=InsecureRequestWarning)


@cache
def _session_class() -> type[requests.Session]:
    """Returns a requests.Session that reads proxy settings from the environment once per origin.

    `requests` scans the whole process environment for proxies (and checks no_proxy) on every
    request; the environment does not change during a run, so the result is kept per
    scheme+host (all that it depends on) and copied out for each request.
    """
    from http.cookiejar import CookieJar

    import requests

    class Session(requests.Session):
        def __init__(self) -> None:
            super().__init__()
            self._environment_settings: dict[tuple[object, ...], _Settings] = {}
            # Per-thread redirect behaviour of the request being sent (Postman's
            # followOriginalHttpMethod and Referer handling); threads share the session.
            self.redirects = threading.local()

        def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
            prepared = super().prepare_request(request)
            # requests copies the run's jar into a new one, under http.cookiejar's default
            # policy, to make the Cookie header (and the next hop's after a redirect): that
            # one gets the run jar's policy, and the header is made again under it (a host
            # without a dot would get none of its cookies). A Cookie header of the request's
            # own is left as it is: the jar adds nothing to it.
            jar = getattr(prepared, "_cookies", None)
            if isinstance(jar, CookieJar):
                jar.set_policy(self.cookies.get_policy())
                if not any(str(k).lower() == "cookie" for k in request.headers or {}):
                    prepared.headers.pop("Cookie", None)
                    prepared.prepare_cookies(jar)
            return prepared

        def rebuild_method(
            self, prepared_request: requests.PreparedRequest, response: requests.Response
        ) -> None:
            if not getattr(self.redirects, "keep_method", False):
                super().rebuild_method(prepared_request, response)

        def rebuild_auth(
            self, prepared_request: requests.PreparedRequest, response: requests.Response
        ) -> None:
            super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]
            if getattr(self.cookies, "is_off", bool)():
                # requests carries the cookies a redirect set to the next hop in a jar of the
                # request's own; a request without cookies sends none of those either.
                prepared_request.headers.pop("Cookie", None)
            if getattr(self.redirects, "referer", False):
                prepared_request.headers["Referer"] = response.url

        def merge_environment_settings(
            self,
            url: str | bytes | None,
            proxies: MutableMapping[str, str] | None,
            stream: bool | None,
            verify: bool | str | None,
            cert: str | tuple[str, str] | None,
        ) -> _Settings:
            if proxies:  # explicit proxies are merged in place by requests: not cached
                return super().merge_environment_settings(url, proxies, stream, verify, cert)
            parts = urlsplit(url)
            key = (
                parts.scheme,
                parts.netloc,
                stream,
                verify,
                cert,
                self.trust_env,
                tuple(self.proxies.items()),
                self.stream,
                self.verify,
                self.cert,
            )
            found = self._environment_settings.get(key)
            if found is None:
                found = super().merge_environment_settings(url, {}, stream, verify, cert)
                self._environment_settings[key] = found
            return {**found, "proxies": dict(found["proxies"])}

    return Session


_PLAIN_HOST = re.compile(r"[A-Za-z0-9.\-_:\[\]]*")


def _literal_host(url: str) -> str | None:
    """Returns the host of `url` as written when requests would percent-encode it, else None.

    An unresolved `{{baseUrl}}` host (Postman sends it as written) is quoted by requests to
    `%7B%7B…`, and http.client's Host header code then fails on the `%` with an assertion;
    given the Host header, it goes out (to a proxy, say) and fails or answers like any other.
    """
    host = urlsplit(url).netloc.rpartition("@")[2]
    return None if not host.isascii() or _PLAIN_HOST.fullmatch(host) else host


def _merge_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str | bytes]]:
    """Returns headers with repeated names joined by ', ' (requests takes a dict).

    Non-ASCII values go out as UTF-8 (as Postman sends them); http.client would try Latin-1.
    """
    merged: dict[str, tuple[str, str]] = {}
    for key, value in headers:
        lowered = key.lower()
        if lowered in merged:
            merged[lowered] = (merged[lowered][0], merged[lowered][1] + ", " + value)
        else:
            merged[lowered] = (key, value)
    return [(k, v if v.isascii() else v.encode("utf-8")) for k, v in merged.values()]


def _response(
    raw: requests.Response, body: bytes, elapsed: float, jar: CookieJar | None
) -> HttpResponse:
    header_list: list[tuple[str, str]] = []
    original = getattr(raw.raw, "headers", None)
    if original is not None and hasattr(original, "items"):
        header_list = [(str(k), str(v)) for k, v in original.items()]
    else:
        header_list = list(raw.headers.items())
    return HttpResponse(
        status=raw.status_code,
        reason=raw.reason or "",
        headers=raw.headers,
        body=body,
        elapsed_ms=elapsed,
        url=raw.url,
        header_list=header_list,
        request_headers=_headers_of(raw.request),
        encoding=raw.encoding
        if raw.encoding and "charset" in raw.headers.get("content-type", "")
        else None,
        # A digest challenge (401) answered on the way is in the history too, and no redirect.
        redirects=[_hop(hop) for hop in raw.history if hop.is_redirect],
        set_cookies=_set_cookies(raw),
        jar=jar,
        method=raw.request.method or "",
        sent_headers=_headers_of(raw.history[0].request) if raw.history else (),
    )


def _headers_of(request: requests.PreparedRequest) -> list[tuple[str, str]]:
    """Returns the headers `request` was sent with, as text."""
    return [(str(k), _text(v)) for k, v in request.headers.items()]


def _hop(raw: requests.Response) -> Hop:
    """Returns one redirect of a chain as --verbose shows it."""
    method = raw.request.method or ""
    return Hop(method, raw.url, raw.status_code, raw.headers.get("Location", ""))


def _set_cookies(raw: requests.Response) -> list[Cookie]:
    """Returns the cookies the responses of a chain set (none removed since), in order.

    Read as a jar would keep them (a cookie for another domain is refused; Max-Age=0
    removes one), into a jar of their own: the run's jar may be off for this request.
    """
    chain = [*raw.history, raw]
    if not any("set-cookie" in r.headers for r in chain):
        return []  # the common case costs one header look-up per response
    from requests.cookies import extract_cookies_to_jar

    from runner.transport.cookies import response_jar

    own = response_jar()  # keeps each cookie's Max-Age too, for `name[Max-Age]`
    for response in chain:
        extract_cookies_to_jar(own, response.request, response.raw)  # type: ignore[no-untyped-call]
    return list(own)


def _text(value: str | bytes) -> str:
    """Returns a header value as text (non-ASCII values were sent as UTF-8 bytes)."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def is_reset(error: TransportError) -> bool:
    """Returns True when the failure was a dropped connection (safe to retry)."""
    return "connection reset" in error.message
