"""A threaded stdlib HTTP(S) server on 127.0.0.1 for end-to-end tests of the core runner.

Real transport, never a patched `requests`. Every request is logged (`server.log`) so a
test can assert that nothing was sent. Routes:

- `/json`                 a JSON document (`DOC`), or `?status=N`
- `/echo` (any method)    method, path, query (lists), headers, body text, form, JSON, multipart
- `/status/N`             status N with a JSON body
- `/delay/MS`             answers after MS milliseconds (counts concurrent calls)
- `/redirect/N`           302 to /redirect/N-1, then to /json
- `/cookies/set?a=b`      Set-Cookie for each pair;  `/cookies` echoes the Cookie header
- `/cookies/raw?h=LINE`   a Set-Cookie header per `h` as written (`&to=PATH`: a 302 there)
- `/flaky/KEY/N/STATUS`   STATUS with `Retry-After: ?after` (0) for the first N calls of KEY,
                          then 200
- `/drop`                 closes the connection without answering
- `/text`                 a text/plain body
- `/dates`                JSON with past and future ISO 8601 date-times
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

DOC: dict[str, Any] = {
    "value": [
        {"name": "rg1", "location": "westeurope", "tags": {"env": "dev"}, "count": 3},
        {"name": "rg2", "location": "northeurope", "tags": {}, "count": 5},
    ],
    "total": 2,
    "ratio": 0.5,
    "enabled": True,
    "nothing": None,
    "label": "hello world",
    "@odata.nextLink": "https://example.invalid/next",
}


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = 0.0


@dataclass
class LocalServer:
    """A running server: its base URL, the requests it got, and per-test state."""

    url: str
    host: str
    port: int
    log: list[Seen] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    inflight: int = 0
    max_inflight: int = 0

    def paths(self) -> list[str]:
        """Returns the paths requested so far, in order."""
        with self.lock:
            return [s.path for s in self.log]

    def clear(self) -> None:
        """Forgets the log and counters."""
        with self.lock:
            self.log.clear()
            self.counters.clear()
            self.max_inflight = 0


Reply = tuple[int, dict[str, str], bytes]


def _json(status: int, value: Any, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(value).encode("utf-8")
    return status, {"Content-Type": "application/json", **(headers or {})}, body


class Handler(BaseHTTPRequestHandler):
    """Dispatches on the path's first segment."""

    protocol_version = "HTTP/1.1"
    server_version = "local"
    # Headers and body in one segment: no Nagle/delayed-ACK 40 ms stalls per request.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    state: LocalServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keeps test output quiet."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        seen = Seen(
            self.command,
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            {k: v for k, v in self.headers.items()},
            body,
            time.monotonic(),
        )
        with self.state.lock:
            self.state.log.append(seen)
        if self.path.startswith(("http://", "https://")):
            # Asked as a forward proxy: answer for the target, so tests see the detour.
            reply: Reply | None = _json(200, {"proxied": self.path}, {"X-Proxy": "local"})
            self._reply(reply)
            return
        segments = [s for s in parts.path.split("/") if s]
        route = segments[0] if segments else ""
        handler = ROUTES.get(route)
        if handler is None:
            reply = _json(404, {"error": "no route", "path": parts.path})
        else:
            try:
                reply = handler(self, seen, segments[1:])
            except (ValueError, IndexError) as exc:  # a malformed test URL: say so
                reply = _json(400, {"error": str(exc)})
        self._reply(reply)

    def _reply(self, reply: Reply | None) -> None:
        if reply is None:  # the connection was dropped on purpose
            return
        status, headers, payload = reply
        self.send_response(status)
        for key, value in headers.items():
            if key == "Set-Cookie*":
                for one in value.split("\n"):
                    self.send_header("Set-Cookie", one)
            else:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


def _r_json(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    status = int(seen.query.get("status", ["200"])[0])
    return _json(status, DOC)


def _r_echo(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    ctype = seen.headers.get("Content-Type", "")
    echo: dict[str, Any] = {
        "method": seen.method,
        "path": seen.path,
        "query": seen.query,
        "headers": seen.headers,
        "body": seen.body.decode("utf-8", "replace"),
        "json": None,
        "form": None,
        "files": None,
    }
    if ctype.startswith("application/json"):
        try:
            echo["json"] = json.loads(seen.body)
        except ValueError:
            echo["json"] = "<invalid>"
    elif ctype.startswith("application/x-www-form-urlencoded"):
        echo["form"] = dict(parse_qsl(seen.body.decode("utf-8")))
    elif ctype.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + seen.body
        )
        form: dict[str, str] = {}
        files: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename:
                files[str(name)] = {
                    "filename": filename,
                    "contentType": part.get_content_type(),
                    "content": payload.decode("utf-8", "replace"),
                }
            else:
                form[str(name)] = payload.decode("utf-8", "replace")
        echo["form"], echo["files"] = form, files
    return _json(200, echo)


def _r_status(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    code = int(rest[0]) if rest else 200
    return _json(code, {"status": code})


def _r_delay(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    ms = int(rest[0]) if rest else 100
    state = h.state
    with state.lock:
        state.inflight += 1
        state.max_inflight = max(state.max_inflight, state.inflight)
    try:
        time.sleep(ms / 1000)
    finally:
        with state.lock:
            state.inflight -= 1
    return _json(200, {"delayed": ms})


def _r_redirect(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    n = int(rest[0]) if rest else 1
    target = f"/redirect/{n - 1}" if n > 1 else "/json"
    return 302, {"Location": target}, b""


def _r_cookies(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    if rest and rest[0] == "set":
        pairs = [f"{k}={v[0]}; Path=/" for k, v in seen.query.items()]
        return _json(200, {"set": list(seen.query)}, {"Set-Cookie*": "\n".join(pairs)})
    if rest and rest[0] == "raw":
        headers = {"Set-Cookie*": "\n".join(seen.query.get("h", []))}
        if "to" in seen.query:
            return 302, {**headers, "Location": seen.query["to"][0]}, b""
        return _json(200, {"cookie": seen.headers.get("Cookie", "")}, headers)
    return _json(200, {"cookie": seen.headers.get("Cookie", "")})


def _r_flaky(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    key, times, status = rest[0], int(rest[1]), int(rest[2])
    with h.state.lock:
        count = h.state.counters.get(key, 0)
        h.state.counters[key] = count + 1
    if count < times:
        after = seen.query.get("after", ["0"])[0]
        return _json(status, {"error": "busy", "try": count + 1}, {"Retry-After": after})
    return _json(200, {"ok": True, "calls": count + 1})


def _r_drop(h: Handler, seen: Seen, rest: list[str]) -> None:
    h.close_connection = True
    try:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return None


def _r_text(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    return 200, {"Content-Type": "text/plain"}, b"plain text, not JSON"


def _r_ctype(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    ctype = seen.query.get("t", ["text/plain"])[0]
    body = seen.query.get("body", ["caf\u00e9"])[0].encode("latin-1", "replace")
    return 200, {"Content-Type": ctype}, body


def _r_dates(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    return _json(200, {"past": "2001-02-03T04:05:06Z", "future": "2999-01-01T00:00:00+00:00"})


def _r_peer(h: Handler, seen: Seen, rest: list[str]) -> Reply:
    """The client certificate the TLS connection presented: its e-mail identities, [] for
    none (an https server whose context asks for one)."""
    getpeercert = getattr(h.connection, "getpeercert", None)
    cert = getpeercert() if getpeercert is not None else None
    emails = [value for kind, value in (cert or {}).get("subjectAltName", ()) if kind == "email"]
    return _json(200, {"emails": emails})


ROUTES: dict[str, Callable[[Handler, Seen, list[str]], Reply | None]] = {
    "peer": _r_peer,
    "json": _r_json,
    "echo": _r_echo,
    "status": _r_status,
    "delay": _r_delay,
    "redirect": _r_redirect,
    "cookies": _r_cookies,
    "flaky": _r_flaky,
    "drop": _r_drop,
    "text": _r_text,
    "dates": _r_dates,
    "ctype": _r_ctype,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def serve(tls: ssl.SSLContext | None = None) -> Iterator[LocalServer]:
    """Yields a running server on a free loopback port (HTTPS when `tls` is given)."""
    server = _Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    scheme = "https" if tls else "http"
    state = LocalServer(f"{scheme}://127.0.0.1:{port}", "127.0.0.1", int(port))
    handler = type("BoundHandler", (Handler,), {"state": state})
    server.RequestHandlerClass = handler
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    with running(server):
        yield state


@contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[None]:
    """Serves `server` on a daemon thread for the duration of the block, then closes it."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """Returns a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
