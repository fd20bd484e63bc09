"""Misbehaving servers on 127.0.0.1 for the fault tests: what real networks do to a run.

- `/trickle/N/MS`   200 with a Content-Length of N bytes, one byte every MS milliseconds
- `/stall/MS`       headers at once, then the whole body after MS milliseconds
- `/retry-after/S`  503 with `Retry-After: S` on the first call of each `?key=`, then 200
- `/encode?v=V`     JSON holding V in base64, alone and as a Basic `user:V` credential

`refusing_proxy()` is the address of a proxy that refuses every connection (a closed port).
Each request is logged with the monotonic time it arrived, so tests can measure pauses.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from support.local_server import closed_port, running


@dataclass
class FaultServer:
    """A running fault server: its base URL and (path, arrival time) of every request."""

    url: str
    arrivals: list[tuple[str, float]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        """Forgets what was received."""
        with self.lock:
            self.arrivals.clear()
            self.calls.clear()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: FaultServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keeps test output quiet."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        with self.state.lock:
            self.state.arrivals.append((parts.path, time.monotonic()))
        segments = [s for s in parts.path.split("/") if s]
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        route = segments[0] if segments else ""
        if route == "trickle":
            self._trickle(int(segments[1]), int(segments[2]))
        elif route == "stall":
            self._headers(200, 2)
            time.sleep(int(segments[1]) / 1000)
            self.wfile.write(b"{}")
        elif route == "retry-after":
            key = query.get("key", "")
            with self.state.lock:
                count = self.state.calls.get(key, 0)
                self.state.calls[key] = count + 1
            if count == 0:
                self._json(503, {"error": "busy"}, {"Retry-After": segments[1]})
            else:
                self._json(200, {"ok": True})
        elif route == "encode":
            value = query.get("v", "").encode("utf-8")
            self._json(
                200,
                {
                    "alone": base64.b64encode(value).decode(),
                    "basic": "Basic " + base64.b64encode(b"ada:" + value).decode(),
                },
            )
        else:
            self._json(404, {"error": "no route"})

    do_POST = do_GET

    def _headers(self, status: int, length: int, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.flush()

    def _json(self, status: int, value: Any, extra: dict[str, str] | None = None) -> None:
        body = json.dumps(value).encode()
        self._headers(status, len(body), extra)
        self.wfile.write(body)

    def _trickle(self, size: int, every_ms: int) -> None:
        self._headers(200, size)
        try:
            for _ in range(size):
                time.sleep(every_ms / 1000)
                self.wfile.write(b"x")
                self.wfile.flush()
        except OSError:  # the client gave up: that is what the test wants
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def serve_faults() -> Iterator[FaultServer]:
    """Yields a running fault server on a free loopback port."""
    server = _Server(("127.0.0.1", 0), _Handler)
    state = FaultServer(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = type("Bound", (_Handler,), {"state": state})
    with running(server):
        yield state


def refusing_proxy() -> str:
    """Returns the URL of a proxy that refuses connections (nothing listens on its port)."""
    return f"http://127.0.0.1:{closed_port()}"
