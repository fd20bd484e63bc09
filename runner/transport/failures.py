"""Why a request got no response, in one clear sentence that names the right party.

requests and urllib3 wrap the real cause in layers of pool and retry text
(`HTTPSConnectionPool(host=…): Max retries exceeded with url: … (Caused by …)`); this
module finds the cause and says who refused, timed out or sent what.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from runner.transport.deadline import Deadline
from runner.transport.http import HttpRequest

_POOL_PREFIX = re.compile(r"^\s*<?[\w.]+(?: object at 0x[0-9a-f]+>)?\(host='[^']*', port=\d+\): ")
_CAUSED_BY = re.compile(r"\(Caused by \w+\((.*)\)\)\s*$", re.DOTALL)


def host_port(url: str) -> str:
    """Returns `host:port` of `url`, with the scheme's default port when none is given
    (`url` itself when it cannot be parsed, e.g. `http://[::1/`)."""
    try:
        target = urlsplit(url)
        return f"{target.hostname}:{target.port or (443 if target.scheme == 'https' else 80)}"
    except ValueError:
        return url


def describe_failure(
    exc: Exception,
    request: HttpRequest,
    ca_bundle: str | None = None,
    *,
    client_cert: bool = False,
) -> str:
    """Returns a one-line reason why `request` got no response.

    `ca_bundle` is the --ca-bundle file, if one was given: a TLS hint then talks about it
    instead of suggesting the option again. `client_cert`: whether the request presented a
    client certificate (a TLS hint then does not suggest giving one).
    """
    import requests

    where = host_port(request.url)
    text = str(exc)
    if isinstance(exc, requests.exceptions.ProxyError):
        return _proxy_reason(request, where, text)
    if isinstance(exc, requests.exceptions.SSLError):
        return _tls_reason(where, text, ca_bundle, client_cert)
    if isinstance(exc, requests.exceptions.Timeout):
        return timed_out(request, exc, None)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or "IncompleteRead" in text:
        return f"the response from {where} was cut off: {_incomplete(text)}"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return f"too many redirects from {request.url}"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return f"invalid URL {request.url!r}: {cause(exc)}"
    if type(exc) is ValueError:  # urllib's own parse errors ("Invalid IPv6 URL")
        return f"invalid URL {request.url!r}: {exc}"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return _connection_reason(text, where) or f"could not connect to {where}: {cause(exc)}"
    return f"request to {where} failed: {cause(exc)}"


def cause(exc: BaseException) -> str:
    """Returns the innermost reason of a requests/urllib3 error, without the pool's text."""
    text = str(exc)
    for _ in range(5):  # "Pool(...): Max retries exceeded … (Caused by X('Pool(...): why'))"
        inner = _CAUSED_BY.search(text)
        if inner is None:
            break
        text = inner.group(1).strip().strip("'\"")
    text = _POOL_PREFIX.sub("", text)
    return re.sub(r"\s+", " ", text).strip() or type(exc).__name__


def timed_out(request: HttpRequest, exc: Exception, watched: Deadline | None) -> str:
    """Returns the reason for a request that ran out of time (its timeout is a deadline, or
    the run's deadline came first and cut it off)."""
    import requests

    doing = (
        "connecting to" if isinstance(exc, requests.exceptions.ConnectTimeout) else "waiting for"
    )
    if watched is not None and watched.run is not None:
        waited = round(watched.seconds * 1000)
        where = host_port(request.url)
        return f"cut off by the {watched.run.label} after {waited} ms {doing} {where}"
    limit = f"{round((request.timeout or 0) * 1000)} ms" if request.timeout else "the timeout"
    return f"timed out after {limit} {doing} {host_port(request.url)}"


def not_sent(watched: Deadline) -> str:
    """Returns the reason for a request not sent: the run's deadline had passed."""
    label = watched.run.label if watched.run is not None else "deadline"
    return f"not sent: the {label} had passed"


def _proxy_reason(request: HttpRequest, where: str, text: str) -> str:
    """Names the proxy, not the target, when the proxy is what failed."""
    proxy, variable = _proxy_for(request.url)
    named = f"the proxy {proxy}" + (f" (from {variable})" if variable else "")
    tunnel = re.search(r"Tunnel connection failed: (\d{3}[^'\")]*)", text)
    if tunnel:
        return f"{named} would not connect to {where}: it answered {tunnel[1].strip()}"
    why = _connection_reason(text, proxy)
    if why and why.startswith("connection refused"):
        return f"connection refused by {named}, on the way to {where}"
    if why and why.startswith("DNS"):
        return f"DNS lookup failed for {named}, on the way to {where}"
    return f"{named} failed on the way to {where}: {cause(Exception(text))}"


def _proxy_for(url: str) -> tuple[str, str | None]:
    """Returns (the proxy's host:port, the environment variable that set it) for `url`."""
    scheme = urlsplit(url).scheme
    for name in (f"{scheme}_proxy", "all_proxy"):
        for variable in (name.upper(), name):
            value = os.environ.get(variable)
            if value:
                return host_port(value if "://" in value else f"http://{value}"), variable
    return "(unknown)", None


_ALERT = re.compile(r"\b(?:sslv3|tlsv1[0-3]?) alert ([a-z ]+?)(?= \(|['\")]|$)")
"""The TLS alert the server sent, as OpenSSL words it: `tlsv13 alert certificate required`."""

# Alerts a server sends about the client certificate it was shown (a client sends these
# about the server's, but runner's own verification fails with CERTIFICATE_VERIFY_FAILED).
_CLIENT_CERT_ALERTS = frozenset(
    {
        "bad certificate",
        "unsupported certificate",
        "certificate revoked",
        "certificate expired",
        "certificate unknown",
        "unknown ca",
    }
)

_CLOSED = "the server closed the connection in the TLS handshake (EOF)"
_GIVE_CERT = "give one with --cert FILE, or a `certificate` setting in the collection"


def _client_cert_reason(text: str, presented: bool) -> str | None:
    """Returns why a handshake failed when the client certificate is the likely cause (the
    server demands one and none was presented, or refused the one presented), else None."""
    found = _ALERT.search(text)
    alert = found[1] if found else ""
    said = f'TLS alert "{alert}"'
    eof = "EOF occurred in violation of protocol" in text
    if presented:
        if alert == "certificate required" or alert in _CLIENT_CERT_ALERTS:
            return f"the server did not accept the client certificate ({said})"
        if eof:
            return f"{_CLOSED}: it may not accept the client certificate"
        return None
    if alert == "certificate required":  # TLS 1.3's way to refuse a missing certificate
        return f"the server requires a client certificate ({said}): {_GIVE_CERT}"
    if alert == "handshake failure":  # TLS 1.2's, among other reasons
        return (
            f"the server refused the TLS handshake ({said}): it may require a client "
            f"certificate ({_GIVE_CERT}), or share no TLS version or cipher with runner"
        )
    if eof:
        # A TLS 1.3 server checks the client certificate at the end of the handshake:
        # without one, many just close the connection, and the client sees only EOF.
        return f"{_CLOSED}: it may require a client certificate: {_GIVE_CERT}"
    return None


def _tls_reason(where: str, text: str, ca_bundle: str | None, client_cert: bool) -> str:
    mismatch = re.search(r"hostname '([^']+)' doesn't match (.+?)(?:\"|\)\)|$)", text)
    openssl_mismatch = re.search(r"Hostname mismatch, certificate is not valid for '([^']+)'", text)
    if mismatch or openssl_mismatch:
        names = re.findall(r"'([^']+)'", mismatch[2]) if mismatch else []
        host = mismatch[1] if mismatch else openssl_mismatch[1] if openssl_mismatch else ""
        valid = f": it is for {', '.join(names)}" if names else ""
        return (
            f"TLS error with {where}: the certificate is not valid for {host}{valid} "
            "(check the host in the URL; --insecure skips the check)"
        )
    if "CERTIFICATE_VERIFY_FAILED" in text:
        # e.g. "…: unable to get local issuer certificate", "…: self-signed certificate"
        why = re.search(r"certificate verify failed: (.+?)(?: \(_ssl|[\")]|$)", text)
        reason = why.group(1).strip().rstrip(".,") if why else ""
        detail = "certificate verify failed" + (f" ({reason})" if reason else "")
        if ca_bundle:
            hint = f"the CA bundle {ca_bundle} does not hold the CA that signed it; or --insecure"
        else:
            hint = "use --ca-bundle FILE, or --insecure"
        return f"TLS error with {where}: {detail} ({hint})"
    refused = _client_cert_reason(text, client_cert)
    return f"TLS error with {where}: {refused or cause(Exception(text))}"


def _incomplete(text: str) -> str:
    got = re.search(r"IncompleteRead\((\d+) bytes read, (\d+) more expected", text)
    if got is None:
        return "the connection closed before the whole body arrived"
    read, missing = int(got[1]), int(got[2])
    return f"the connection closed after {read} of {read + missing} bytes"


def _connection_reason(text: str, where: str) -> str | None:
    if (
        "Name or service not known" in text
        or "NameResolutionError" in text
        or "getaddrinfo" in text
    ):
        return f"DNS lookup failed for {where.rsplit(':', 1)[0]}"
    if "Connection refused" in text:
        return f"connection refused by {where}"
    if "reset" in text.lower() or "RemoteDisconnected" in text or "aborted" in text.lower():
        return f"connection reset by {where}"
    return None
