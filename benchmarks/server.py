"""Local servers for the benchmarks (loopback only, never the bottleneck).

- `static_server()`: nginx from Debian's packages serving a small JSON file with keep-alive,
  on a high loopback port, configured from `nginx.conf` (beside this file) in a temp dir
  (pid, logs and temp paths there; `daemon off` under a subprocess we terminate). Without
  nginx it prints how to install it and falls back to a small asyncio HTTP/1.1 keep-alive
  server in a separate process (reported as the fallback).
- `delay_server(ms)`: a threaded Python server in a separate process that answers after `ms`
  milliseconds (nginx cannot delay a response without extra modules).

Run `python benchmarks/server.py` to start both and print their URLs (Ctrl-C stops them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"
BODY = b'{"value":[{"name":"rg1"},{"name":"rg2"},{"name":"rg3"}],"count":3}'
DATA_PATH = "/data.json"
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx", "/usr/local/sbin/nginx")
INSTALL_HINT = "apt-get update && apt-get install -y nginx"

NGINX_CONF = Path(__file__).resolve().parent / "nginx.conf"
"""The nginx configuration template (a file beside this one; `{...}` fields filled in)."""


@dataclass
class Server:
    """A running server: its base URL, what it is, and the process to stop."""

    url: str
    kind: str
    process: subprocess.Popen[bytes]

    @property
    def data_url(self) -> str:
        """Returns the URL of the JSON document."""
        return self.url + DATA_PATH


def free_port() -> int:
    """Returns a loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Returns once `port` accepts connections; raises RuntimeError if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"server on port {port} not ready after {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminates `process` (the one we started) and waits for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def find_nginx() -> str | None:
    """Returns the path of the nginx binary, or None."""
    for name in NGINX_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@contextlib.contextmanager
def static_server(*, allow_nginx: bool = True) -> Iterator[Server]:
    """Yields the fast JSON server (nginx, or the Python fallback), stopped afterwards."""
    nginx = find_nginx() if allow_nginx else None
    if nginx is None:
        if allow_nginx:
            print(f"note: nginx not found; install it with: {INSTALL_HINT}", file=sys.stderr)
        with _python_static() as server:
            yield server
        return
    with tempfile.TemporaryDirectory(prefix="runner-bench-nginx-") as tmp:
        os.chmod(tmp, 0o755)  # nginx workers may run as another user
        www = Path(tmp, "www")
        www.mkdir(mode=0o755)
        (www / DATA_PATH.lstrip("/")).write_bytes(BODY)
        port = free_port()
        conf = Path(tmp, "nginx.conf")
        template = NGINX_CONF.read_text()
        conf.write_text(template.format(tmp=tmp, host=HOST, port=port, path=DATA_PATH))
        cmd = [nginx, "-p", tmp + "/", "-e", f"{tmp}/error.log", "-c", str(conf)]
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_ready(port, process)
        except RuntimeError as exc:
            stop(process)
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            print(f"note: nginx failed ({exc}): {err.strip()[:300]}", file=sys.stderr)
            print("note: using the Python fallback server", file=sys.stderr)
            with _python_static() as server:
                yield server
            return
        try:
            yield Server(f"http://{HOST}:{port}", "nginx", process)
        finally:
            stop(process)


@contextlib.contextmanager
def _python_static() -> Iterator[Server]:
    port = free_port()
    cmd = [sys.executable, __file__, "--serve-static", str(port)]
    process = subprocess.Popen(cmd)
    try:
        wait_ready(port, process)
        yield Server(f"http://{HOST}:{port}", "python-asyncio (FALLBACK, not nginx)", process)
    finally:
        stop(process)


@contextlib.contextmanager
def delay_server(delay_ms: int) -> Iterator[Server]:
    """Yields a threaded server whose every response comes after `delay_ms` ms."""
    port = free_port()
    cmd = [sys.executable, __file__, "--serve-delay", str(port), str(delay_ms)]
    process = subprocess.Popen(cmd)
    try:
        wait_ready(port, process)
        yield Server(f"http://{HOST}:{port}", f"python-threaded (delay {delay_ms} ms)", process)
    finally:
        stop(process)


# --- the servers themselves (run in their own process) ---------------------------------------

_FIXED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\nConnection: keep-alive\r\n\r\n"
    + BODY
)


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers every request on a keep-alive connection with the fixed JSON response."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:].strip() or 0)
            if length:
                await reader.readexactly(length)
            writer.write(_FIXED)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


def serve_static(port: int) -> None:
    """Serves the fixed JSON response on 127.0.0.1:`port` until terminated."""

    async def main() -> None:
        server = await asyncio.start_server(_handle, HOST, port)
        async with server:
            await server.serve_forever()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        asyncio.run(main())


def serve_delay(port: int, delay_ms: int) -> None:
    """Serves the JSON response after `delay_ms` ms, one thread per connection."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in separate writes

        def do_GET(self) -> None:
            time.sleep(delay_ms / 1000)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer((HOST, port), Handler)
    httpd.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve-static", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-delay", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-nginx", action="store_true", help="use the Python fallback")
    args = parser.parse_args()
    if args.serve_static is not None:
        serve_static(args.serve_static)
        return
    if args.serve_delay is not None:
        serve_delay(*args.serve_delay)
        return
    with static_server(allow_nginx=not args.no_nginx) as fast, delay_server(50) as slow:
        print(f"static JSON ({fast.kind}): {fast.data_url}")
        print(f"50 ms endpoint ({slow.kind}): {slow.data_url}")
        print("Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
