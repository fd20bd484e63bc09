"""Newman's two harness servers: the raw echo (:4041) and the redirect server (:4042)."""

from __future__ import annotations

import json
import re
import socket
import socketserver

from support.echo_handlers import EchoHandler
from support.echo_parts import Reply, json_reply


class RedirectHandler(EchoHandler):
    """Newman's redirect server (:4042): `/{n}` redirects n times, `/status/{code}` → Location /."""

    def route(self, path: str) -> Reply:
        """Returns a redirect, a status with `Location: /`, or the request as JSON."""
        if re.fullmatch(r"/\d+", path):
            left = int(path[1:]) - 1
            return 302, {"Location": f"/{left}" if left > 0 else "/"}, b""
        match = re.fullmatch(r"/status/(\d{3})", path)
        if match:
            return int(match.group(1)), {"Location": "/"}, b""
        fields = self.request_fields()
        return json_reply(
            200,
            {
                "url": self.path,
                "method": self.command,
                "headers": fields["headers"],
                "data": self.body.decode("utf-8", "replace"),
            },
        )


class RawEchoHandler(socketserver.BaseRequestHandler):
    """Newman's raw echo (:4041): 200 with the request's raw bytes as body and header."""

    def handle(self) -> None:
        """Reads one request (headers, then Content-Length bytes) and echoes it."""
        sock: socket.socket = self.request
        sock.settimeout(5)
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = sock.recv(65536)
            if not chunk:
                return
            raw += chunk
        head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        match = re.search(r"(?im)^content-length:\s*(\d+)", head)
        expected = len(head) + 4 + (int(match.group(1)) if match else 0)
        while len(raw) < expected:
            chunk = sock.recv(65536)
            if not chunk:
                break
            raw += chunk
        text = raw.decode("utf-8", "replace")
        quoted = json.dumps(text, ensure_ascii=True)
        body = b"" if head.startswith("HEAD ") else raw
        reply = (
            f"HTTP/1.1 200 OK\r\nraw-request: {quoted}\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        sock.sendall(reply + body)
