"""A local stand-in for postman-echo.com and Newman's two harness servers (never online).

`start_echo_server()` starts, on 127.0.0.1, the echo API over HTTP and over HTTPS (a
trustme CA for postman-echo.com, httpbin.org and localhost), Newman's raw TCP echo (:4041)
and its redirect server (:4042). `EchoServers.connect_to` gives the `--connect-to` rules
that send the corpus' hosts there unchanged. The endpoints are in `support.echo_handlers`.
"""

from __future__ import annotations

import os
import socketserver
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from support.echo_handlers import EchoHandler
from support.echo_newman import RawEchoHandler, RedirectHandler

__all__ = ["EchoHandler", "EchoServers", "echo_server", "start_echo_server"]


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class EchoServers:
    """The running servers' base URLs; `stop()` shuts them all down."""

    http: str
    https: str
    raw: str
    redirect: str
    ca_file: str
    _stops: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def port(self, which: str) -> int:
        """Returns the port of `http`, `https`, `raw` or `redirect`."""
        return int(str(getattr(self, which)).rsplit(":", 1)[1])

    @property
    def connect_to(self) -> list[str]:
        """Returns `--connect-to` rules for the hosts the corpus addresses."""
        secure, plain = self.port("https"), self.port("http")
        rules = [f"{host}:443:127.0.0.1:{secure}" for host in ("postman-echo.com", "httpbin.org")]
        rules += [f"{host}:80:127.0.0.1:{plain}" for host in ("postman-echo.com", "httpbin.org")]
        for host in ("localhost", "127.0.0.1", "127.1"):
            rules.append(f"{host}:4041:127.0.0.1:{self.port('raw')}")
            rules.append(f"{host}:4042:127.0.0.1:{self.port('redirect')}")
        return rules

    def stop(self) -> None:
        """Stops every server."""
        for stop in self._stops:
            stop()


def _serve(server: socketserver.BaseServer) -> Callable[[], None]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop


def _tls_context(folder: str) -> tuple[ssl.SSLContext, str]:
    import trustme  # test dependency

    ca = trustme.CA()
    cert = ca.issue_cert("postman-echo.com", "httpbin.org", "localhost", "127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = os.path.join(folder, "echo-ca.pem")
    ca.cert_pem.write_to_path(ca_file)
    return context, ca_file


def start_echo_server(delay_scale: float = 1.0) -> EchoServers:
    """Starts every server on free 127.0.0.1 ports; returns their URLs and `stop`."""
    handler = type("Echo", (EchoHandler,), {"delay_scale": delay_scale})
    plain = _HTTPServer(("127.0.0.1", 0), handler)
    secure = _HTTPServer(("127.0.0.1", 0), handler)
    folder = tempfile.mkdtemp(prefix="echo-tls-")
    context, ca_file = _tls_context(folder)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    redirect = _HTTPServer(("127.0.0.1", 0), RedirectHandler)
    raw = _TCPServer(("127.0.0.1", 0), RawEchoHandler)
    servers = EchoServers(
        http=f"http://127.0.0.1:{plain.server_address[1]}",
        https=f"https://127.0.0.1:{secure.server_address[1]}",
        raw=f"http://127.0.0.1:{raw.server_address[1]}",
        redirect=f"http://127.0.0.1:{redirect.server_address[1]}",
        ca_file=ca_file,
    )
    servers._stops.extend(_serve(s) for s in (plain, secure, redirect, raw))
    return servers


@contextmanager
def echo_server(delay_scale: float = 1.0) -> Iterator[EchoServers]:
    """Runs the servers for the duration of a `with` block."""
    servers = start_echo_server(delay_scale)
    try:
        yield servers
    finally:
        servers.stop()
