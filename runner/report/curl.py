"""A request as the curl command that repeats it (secrets masked), for `--curl`.

The command carries what the request was sent with besides its method, URL, headers and
body: TLS (`-k`, `--cacert`, the client certificate), `--connect-to`, redirects (`-L`) and
HTTP Digest auth (`--digest -u 'user:***'`), so that it can be pasted as it is (a password
given back in place of `***`).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import field
from urllib.parse import urlsplit

from runner.records import record
from runner.results import EXEC, Exchange, uncapped
from runner.secrets import Masker
from runner.transport.client_cert import given_certificate

# Headers curl sets itself; repeating them only adds noise.
_IMPLIED = frozenset({"content-length", "connection", "accept-encoding", "host"})

_DEFAULT_PORTS = {"http": 80, "https": 443}


@record(hashable=False)
class RunConnection:
    """The run's own TLS and routing options, which a request uses unless it has its own."""

    #: False: --insecure; a path: --ca-bundle.
    verify: bool | str = True
    #: --cert's (certificate PEM, key PEM) files.
    client_cert: tuple[str, str] | None = None
    #: --connect-to: (host, port) to (host2, port2).
    connect_to: Mapping[tuple[str, int], tuple[str, int]] = field(default_factory=dict)


def curl_command(exchange: Exchange, masker: Masker, run: RunConnection | None = None) -> str:
    """Returns a shell-quoted curl command for what was sent, with every secret as ***.

    `run` holds the run's options (--insecure, --ca-bundle, --cert, --connect-to) that the
    request did not override. A step that ran a program (the Azure CLI's token) sent no
    request curl could repeat: it is a shell comment naming the program's command line, which
    a shell reads as nothing (run as it is, that command would print the token).
    """
    if exchange.method == EXEC:
        return f"# not an HTTP request: the token came from running {masker.mask(exchange.url)}"
    sending = exchange.sending
    parts = ["curl"]
    has_body = bool(exchange.request_body or exchange.request_parts)
    if exchange.method == "HEAD" and not has_body:
        parts.append("-I")  # -X HEAD would wait for a body that never comes
    elif exchange.method != ("POST" if has_body else "GET") or (
        # -X keeps the method over a 301/302/303, as followOriginalHttpMethod does; without
        # it curl turns a POST into a GET there, as requests does.
        sending.keep_method and sending.follow_redirects and exchange.method != "GET"
    ):
        parts += ["-X", exchange.method]
    parts.append(shlex.quote(masker.mask(exchange.url)))
    implied = _IMPLIED | {"content-type"} if exchange.request_parts else _IMPLIED
    if sending.digest_user is not None:
        # curl answers the challenge itself (--digest): a header one answer made is no use
        # to the next. The password is never shown, not even masked by value.
        implied |= {"authorization"}
        parts += ["--digest", "-u", shlex.quote(masker.mask(sending.digest_user) + ":***")]
    for name, value in masker.mask_headers(exchange.request_headers):
        if name.lower() not in implied:  # -F writes its own multipart Content-Type
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    cut = ""
    if exchange.request_body:
        data, whole = uncapped(masker.mask(exchange.request_body))
        parts += ["--data-raw", shlex.quote(data)]
        if whole is not None:  # said after the command, where the shell reads it as a comment
            cut = f"  # the body is cut: its first {len(data)} of {whole} characters"
    for part in exchange.request_parts:
        if part.filename is not None:
            field = f"{part.name}=@{part.filename}"
            field += f";type={part.content_type}" if part.content_type else ""
        else:
            field = f"{part.name}={part.preview or ''}"
        parts += ["-F", shlex.quote(masker.mask(field))]
    parts += (shlex.quote(masker.mask(option)) for option in _connection(exchange, run))
    return " ".join(parts) + cut


def _connection(exchange: Exchange, run: RunConnection | None) -> list[str]:
    """Returns the options for how `exchange` was sent (TLS, --connect-to, redirects),
    unquoted."""
    run = run or RunConnection()
    sending = exchange.sending
    urls = [exchange.url, *(hop.url for hop in exchange.redirects)]
    if exchange.final_request is not None:
        urls.append(exchange.final_request.url)
    options: list[str] = []
    if any(url.lower().startswith("https:") for url in urls):
        verify = run.verify if sending.verify is None else sending.verify
        if verify is False:
            options.append("-k")
        elif isinstance(verify, str):
            options += ["--cacert", verify]
        cert = run.client_cert if sending.client_cert is None else sending.client_cert
        if cert:
            options += _certificate(cert)
    for spec in _connect_to(run.connect_to, urls):
        options += ["--connect-to", spec]
    if sending.follow_redirects:
        options.append("-L")
        if sending.max_redirects is not None:
            options += ["--max-redirs", str(sending.max_redirects)]
        if sending.referer:
            options += ["--referer", ";auto"]
    return options


def _certificate(pem: tuple[str, str]) -> list[str]:
    """Returns curl's options for a client certificate: the files as they were given (the
    PEM files runner decrypted them into are gone after the run), a password as ***."""
    given = given_certificate(pem)
    # In --cert, ':' starts the password, so a ':' (and the '\' that escapes it) in the
    # file name is escaped.
    cert = given.cert.replace("\\", "\\\\").replace(":", "\\:")
    options = ["--cert", cert + (":***" if given.password else "")]
    if given.pkcs12:
        options += ["--cert-type", "P12"]
    if given.key is not None:
        options += ["--key", given.key]
    return options


def _connect_to(
    mapping: Mapping[tuple[str, int], tuple[str, int]], urls: Iterable[str]
) -> list[str]:
    """Returns the --connect-to rules (`HOST:PORT:HOST2:PORT2`) that apply to `urls`."""
    wanted = set()
    for url in urls:
        try:
            parts = urlsplit(url)
            port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 80)
        except ValueError:
            continue
        wanted.add(((parts.hostname or "").lower(), port))
    return [
        f"{_host(host)}:{port}:{_host(host2)}:{port2}"
        for (host, port), (host2, port2) in mapping.items()
        if (host, port) in wanted
    ]


def _host(host: str) -> str:
    """Returns `host` as curl reads it in --connect-to (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host
