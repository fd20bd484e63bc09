"""A retried request's time is the time of all its attempts, not only the last one."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import run_cli, write_json

SLOW_MS = 400


class _SlowThenOk(BaseHTTPRequestHandler):
    """The first call answers 503 after SLOW_MS; the next ones answer 200 at once."""

    calls = 0

    def do_GET(self) -> None:
        type(self).calls += 1
        if type(self).calls == 1:
            time.sleep(SLOW_MS / 1000)
            status, body = 503, b'{"error": "busy"}'
        else:
            status, body = 200, b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_then_ok() -> Iterator[str]:
    _SlowThenOk.calls = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _SlowThenOk)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/busy"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_retried_request_time_counts_every_attempt(tmp_path, slow_then_ok):
    path = write_json(
        tmp_path / "c.json",
        {"name": "t", "items": [{"name": "busy", "url": slow_then_ok, "assert": {"status": 200}}]},
    )
    report = tmp_path / "r.json"
    result = run_cli("run", path, "--retry", "1", "--json", report)
    assert result.code == 0, result.text
    (item,) = json.loads(report.read_text())["results"]
    assert [a["status"] for a in item["attempts"]] == [503]
    # The slow 503 is part of the request's time (it used to be overwritten by the last 200's).
    assert item["elapsed_ms"] >= SLOW_MS
