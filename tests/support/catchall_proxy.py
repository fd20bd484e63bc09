"""A catch-all stand-in for every host a real-world collection calls: an HTTP(S) proxy on
127.0.0.1 that answers every request itself and never forwards one.

Newman and runner are pointed at it the same way (`HTTP_PROXY`/`HTTPS_PROXY`, an empty
`NO_PROXY`), so they send the very same requests to the same place: `http://` URLs arrive
in absolute form, `https://` ones through a `CONNECT` tunnel whose TLS certificate is
minted for the tunnel's host by a trustme CA (`ca_file`: trust it with `--ca-bundle` and
`NODE_EXTRA_CA_CERTS`). Nothing is resolved or contacted beyond loopback: the clients hand
the proxy the host name, and the proxy answers from the request alone.

The answer is deterministic, nothing in it depends on time or on the client: 200 with the
JSON `{"method", "url", "body"}` of what was asked (headers are left out because each tool
adds its own User-Agent and Postman-Token). `log` lists (method, url) of every request.
"""

from __future__ import annotations

import json
import os
import socketserver
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class _Certificates:
    """TLS server contexts, one per host, each with a certificate minted by one CA."""

    def __init__(self, folder: str) -> None:
        import trustme  # test dependency

        self.ca = trustme.CA()
        self.ca_file = os.path.join(folder, "catchall-ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def context(self, host: str) -> ssl.SSLContext:
        """Returns a server context whose certificate names `host`."""
        with self._lock:
            found = self._contexts.get(host)
            if found is None:
                try:
                    cert = self.ca.issue_cert(host)
                except (ValueError, UnicodeError):
                    # Not a host name (an unresolved `{{var}}`): a certificate for another
                    # name, which the client refuses as it would a real mismatch.
                    cert = self.ca.issue_cert("invalid-host.test")
                found = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                cert.configure_cert(found)
                self._contexts[host] = found
            return found


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "catchall"
    disable_nagle_algorithm = True
    certificates: _Certificates
    log: list[tuple[str, str]]
    tunnel: str | None = None  # "host:port" once a CONNECT made this an HTTPS tunnel

    def log_message(self, format: str, *args: Any) -> None:
        """Keeps test output quiet."""

    def __getattr__(self, name: str) -> Any:
        # Every method, custom ones (PROPFIND, PURGE…) included, goes to one handler.
        if name.startswith("do_"):
            return self.handle_any
        raise AttributeError(name)

    def do_CONNECT(self) -> None:
        """Opens the tunnel: TLS with a certificate for the host, then requests inside it."""
        host = self.path.rpartition(":")[0].strip("[]")
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = self.certificates.context(host).wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True  # the client refused the certificate
            return
        self.connection = tls
        self.rfile = tls.makefile("rb")
        self.wfile = socketserver._SocketWriter(tls)  # type: ignore[attr-defined]
        self.tunnel = self.path
        # handle() goes on reading requests, now from inside the tunnel (even after an
        # HTTP/1.0 CONNECT, which is what Python's http.client sends).
        self.close_connection = False

    def finish(self) -> None:
        """Closes the tunnel's TLS socket too (the server closes only the plain one)."""
        try:
            super().finish()
        finally:
            if self.tunnel is not None:
                self.connection.close()

    def handle_any(self) -> None:
        """Reads the request and answers with what was asked, as JSON."""
        body = self._body()
        if self.tunnel is not None:
            host = self.headers.get("Host") or self.tunnel
            url = f"https://{host}{self.path}"
        elif urlsplit(self.path).scheme:
            url = self.path  # absolute form: the proxy was asked for it
        else:
            url = f"http://{self.headers.get('Host', '')}{self.path}"
        self.log.append((self.command, url))
        payload = json.dumps(
            {"method": self.command, "url": url, "body": body.decode("utf-8", "replace")},
            ensure_ascii=False,
        ).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _body(self) -> bytes:
        """Returns the request body (Content-Length or chunked)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class CatchAllProxy:
    """The running proxy: its URL, the CA file to trust, the request log; `stop()` ends it."""

    url: str
    ca_file: str
    log: list[tuple[str, str]] = field(default_factory=list)
    _server: _Server | None = field(default=None, repr=False)

    @property
    def environment(self) -> dict[str, str]:
        """Returns the variables that send every request of a client through the proxy."""
        proxies = {name: self.url for name in ("HTTP_PROXY", "HTTPS_PROXY")}
        proxies |= {name.lower(): self.url for name in proxies}
        return proxies | {"NO_PROXY": "", "no_proxy": ""}

    @property
    def connect_to(self) -> list[str]:
        """Returns no `--connect-to` rules: the proxy variables send everything here."""
        return []

    def stop(self) -> None:
        """Stops serving and closes the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def start_catchall_proxy() -> CatchAllProxy:
    """Starts the proxy on a free 127.0.0.1 port; returns it."""
    certificates = _Certificates(tempfile.mkdtemp(prefix="catchall-tls-"))
    log: list[tuple[str, str]] = []
    handler = type("Bound", (_Handler,), {"certificates": certificates, "log": log})
    server = _Server(("127.0.0.1", 0), handler)
    proxy = CatchAllProxy(
        f"http://127.0.0.1:{server.server_address[1]}", certificates.ca_file, log, server
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return proxy
