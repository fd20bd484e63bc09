"""A local stand-in for ARM's long-running operations, on 127.0.0.1, for the `lro` tests.

Each operation is named by a key in the path; its query sets how it goes:
`polls` (how many polls answer "still running", default 1), `end` (Succeeded, Failed,
Canceled), `after` (the Retry-After header, seconds; absent when not given); for PUT/PATCH
`header` (the monitor's header, default Azure-AsyncOperation) and `monitor` (its host,
default 127.0.0.1; `localhost` is another origin on the same server), and `resource` (a
`resourceLocation` the succeeded status names).

- `PUT|PATCH /async/KEY`   201 + Azure-AsyncOperation `/ops/KEY?...`; GET /async/KEY is the
                           resource (`provisioningState: Succeeded`)
- `POST /action/KEY`       202 + Azure-AsyncOperation `/ops/KEY?...` + Location `/output/KEY`
- `DELETE /loc/KEY`        202 + Location `/results/KEY?...`
- `GET /ops/KEY`           `{"status": "InProgress"}` for `polls` polls, then `{"status": end}`
                           (with an ARM error when Failed or Canceled)
- `GET /results/KEY`       202 for `polls` polls, then 200 `{"deleted": KEY}`
- `GET /output/KEY`        200 `{"output": KEY}`
- `PUT /body/KEY`          201 with `provisioningState: Creating` and no monitor header;
                           GET /body/KEY says Creating for `polls` polls, then `end`
- `POST /token`            an OAuth2 token response (`access_token` TOKEN)

Every request is logged with its arrival time (`time.monotonic()`) and headers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "lro-access-token-7f3a9c1e"


@dataclass
class Hit:
    """One request the server got."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float


@dataclass
class OperationServer:
    """The running server: its URL and what it was asked."""

    url: str
    log: list[Hit] = field(default_factory=list)
    polls: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hits(self, prefix: str) -> list[Hit]:
        """Returns the requests whose path starts with `prefix`, in order."""
        with self.lock:
            return [h for h in self.log if h.path.startswith(prefix)]


def _handler(state: OperationServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _answer(self, status: int, body: object, headers: dict[str, str]) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            hit = Hit(self.command, parts.path, query, dict(self.headers), time.monotonic())
            with state.lock:
                state.log.append(hit)
            _, kind, *rest = parts.path.split("/")
            key = rest[0] if rest else ""
            pace = {"Retry-After": query["after"]} if "after" in query else {}
            kept = ("polls", "end", "after", "resource")
            passed = urlencode({k: v for k, v in query.items() if k in kept})
            method = self.command
            if method == "POST" and kind == "token":
                self._answer(200, {"access_token": TOKEN, "token_type": "Bearer",
                                   "expires_in": 3600}, {})  # fmt: skip
            elif method in ("PUT", "PATCH") and kind == "async":
                # ?monitor=localhost names the status monitor by another origin (same server).
                base = state.url.replace("127.0.0.1", query.get("monitor", "127.0.0.1"))
                header = query.get("header", "Azure-AsyncOperation")
                headers = {header: f"{base}/ops/{key}?{passed}", **pace}
                self._answer(201, {"name": key, "properties": {"provisioningState": "Accepted"}},
                             headers)  # fmt: skip
            elif method == "GET" and kind == "async":
                self._answer(200, {"name": key, "properties": {"provisioningState": "Succeeded"}},
                             {})  # fmt: skip
            elif method == "POST" and kind == "action":
                headers = {"Azure-AsyncOperation": f"/ops/{key}?{passed}",
                           "Location": f"/output/{key}", **pace}  # fmt: skip
                self._answer(202, None, headers)
            elif method == "DELETE" and kind == "loc":
                self._answer(202, None, {"Location": f"/results/{key}?{passed}", **pace})
            elif method == "GET" and kind in ("ops", "results"):
                self._poll(kind, key, query, pace)
            elif method == "PUT" and kind == "body":
                self._answer(201, {"name": key, "properties": {"provisioningState": "Creating"}},
                             {})  # fmt: skip
            elif method == "GET" and kind == "body":
                with state.lock:
                    count = state.polls[key] = state.polls.get(key, 0) + 1
                running = count <= int(query.get("polls", "1"))
                now = "Creating" if running else query.get("end", "Succeeded")
                self._answer(200, {"name": key, "properties": {"provisioningState": now}}, {})
            elif method == "GET" and kind == "output":
                self._answer(200, {"output": key}, {})
            else:
                self._answer(404, {"error": {"code": "NotFound", "message": self.path}}, {})

        def _poll(self, kind: str, key: str, query: dict[str, str], pace: dict[str, str]) -> None:
            with state.lock:
                count = state.polls[key] = state.polls.get(key, 0) + 1
            running = count <= int(query.get("polls", "1"))
            if kind == "results":
                if running:
                    self._answer(202, None, {"Location": self.path, **pace})
                else:
                    self._answer(200, {"deleted": key}, {})
                return
            end = query.get("end", "Succeeded")
            body: dict[str, object] = {"id": key, "status": "InProgress" if running else end}
            if not running and "resource" in query:
                body["resourceLocation"] = query["resource"]
            if not running and end in ("Failed", "Canceled"):
                body["error"] = {
                    "code": "ScopeLocked",
                    "message": f"The scope '{key}' cannot perform write operation because "
                    "it is locked.",
                }
            self._answer(200, body, pace if running else {})

        do_GET = do_PUT = do_PATCH = do_POST = do_DELETE = _handle

    return Handler


@contextmanager
def serve_operations() -> Iterator[OperationServer]:
    """Runs the server on 127.0.0.1 (a free port) for the block."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = OperationServer(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
