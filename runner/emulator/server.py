"""The threaded stdlib HTTP server: reads requests, routes them, writes JSON."""

from __future__ import annotations

import contextlib
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from runner.emulator.messages import JSON_TYPE, Request, Response, parse_query
from runner.emulator.routes import route
from runner.emulator.state import EmulatorState

MAX_BODY = 1 << 20


class EmulatorServer(ThreadingHTTPServer):
    """A threaded server whose handlers share one EmulatorState."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        state: EmulatorState,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.state = state
        self.ssl_context = ssl_context

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Serve one connection; with TLS, the handshake runs here, in the connection's thread.

        Wrapping the listening socket instead would run every handshake in the accept loop,
        where one slow or plain-http client stalls all others.
        """
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(_Handler.timeout)
        try:
            wrapped = self.ssl_context.wrap_socket(request, server_side=True)
        except OSError:  # ssl.SSLError included: a plain-http client, a bad handshake
            with contextlib.suppress(OSError):
                request.close()
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            with contextlib.suppress(OSError):
                wrapped.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client drops its connection mid-request."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "runner-emulator"
    # Headers and body leave in one write, without Nagle: no 40 ms delayed-ACK stall per
    # request on keep-alive connections.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: EmulatorServer
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 30

    def do_GET(self) -> None:
        """Handle any method: the routes decide what each path accepts."""
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def version_string(self) -> str:
        """Return the Server header value."""
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no line per request on stderr."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer protocol errors (bad request line, unknown method) with JSON too."""
        self.close_connection = True
        body = {"error": {"code": "BadRequest", "message": message or f"HTTP {code}"}}
        self._send(Response(code, body))

    def _handle(self) -> None:
        body = self._body()
        if body is None:
            self.send_error(400, "The request body could not be read.")
            return
        request = self._request(body)
        try:
            response = route(self.server.state, request)
        except Exception as exc:  # never let one request take the server down
            detail = f"{type(exc).__name__}: {exc}"
            response = Response(500, {"error": {"code": "InternalError", "message": detail}})
        self._send(response)

    def _body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._chunked()
        raw = self.headers.get("Content-Length") or "0"
        if not raw.strip().isdigit() or int(raw) > MAX_BODY:
            return None
        return self.rfile.read(int(raw))

    def _chunked(self) -> bytes | None:
        data = b""
        while len(data) <= MAX_BODY:
            size_line = self.rfile.readline(100).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                return None
            chunk = self.rfile.read(size + 2)[:size]
            if size == 0:
                return data
            data += chunk
        return None

    def _request(self, body: bytes) -> Request:
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        # Every URL the emulator writes (nextLink, discovery, assertion audience) uses the
        # scheme and host the client used, so https and --connect-to stand-ins stay intact.
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        return Request(
            method=self.command,
            path=parts.path or "/",
            query=parse_query(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=f"{scheme}://{host}",
        )

    def _send(self, response: Response) -> None:
        payload = response.encoded()
        self.send_response(response.status)
        if response.body is not None:
            text = isinstance(response.body, str)
            self.send_header("Content-Type", "text/plain; charset=utf-8" if text else JSON_TYPE)
        if response.status != 204:
            self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
