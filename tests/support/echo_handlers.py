"""postman-echo's endpoints, answered from the request alone."""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import ssl
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from support.echo_parts import (
    HAWK_CREDENTIALS,
    PASSWORD,
    REALM,
    USER,
    Reply,
    args,
    digest_ok,
    json_reply,
    multipart,
    oauth1_ok,
)


class EchoHandler(BaseHTTPRequestHandler):
    """postman-echo's endpoints; the reply is built from the request alone."""

    protocol_version = "HTTP/1.1"
    server_version = "echo"
    # Headers and body go out in separate writes: without this, delayed ACKs add 40 ms.
    disable_nagle_algorithm = True
    delay_scale = 1.0

    def log_message(self, format: str, *args: Any) -> None:
        """Keeps test output quiet."""

    def __getattr__(self, name: str) -> Any:
        # Every method, custom ones (POSTMAN, PROPFIND…) included, goes to one handler.
        if name.startswith("do_"):
            return self.handle_any
        raise AttributeError(name)

    def handle_any(self) -> None:
        """Reads the body, routes the path and writes the reply."""
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        self.args = args(split.query)
        status, headers, payload = self.route(split.path)
        self.send_response(status)
        for name, value in headers.items():
            for one in value.split("\n"):
                self.send_header(name, one)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    @property
    def url(self) -> str:
        """Returns the URL as the client addressed it (scheme from the socket, Host header).

        A default port in the Host header is left out, as postman-echo shows it.
        """
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        host = self.headers.get("Host", "").removesuffix(":443" if scheme == "https" else ":80")
        return f"{scheme}://{host}{self.path}"

    def route(self, path: str) -> Reply:
        """Returns the reply for `path`."""
        for pattern, name in ROUTES:
            match = re.fullmatch(pattern, path)
            if match:
                handler: Callable[..., Reply] = getattr(self, name)
                return handler(*match.groups())
        return json_reply(404, {"error": "not found", "path": path})

    def echo(self, *_: str) -> Reply:
        """Returns {args, data, files, form, headers, json, url} as postman-echo does."""
        return json_reply(200, {**self.request_fields(), "args": self.args, "url": self.url})

    def request_fields(self) -> dict[str, Any]:
        """Returns data, files, form, json and headers decoded from the request."""
        ctype = self.headers.get("Content-Type", "")
        data: Any = self.body.decode("utf-8", "replace")
        form: dict[str, Any] = {}
        files: dict[str, str] = {}
        parsed: Any = None
        if "application/x-www-form-urlencoded" in ctype:
            form, data = args(data), ""
        elif "multipart/form-data" in ctype:
            form, files = multipart(ctype, self.body)
            data = ""
        elif "json" in ctype:
            try:
                parsed = json.loads(data)
                data = parsed
            except ValueError:
                parsed = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        return {"data": data, "files": files, "form": form, "headers": headers, "json": parsed}

    def headers_only(self) -> Reply:
        return json_reply(200, {"headers": {k.lower(): v for k, v in self.headers.items()}})

    def status(self, code: str) -> Reply:
        return json_reply(int(code), {"status": int(code)})

    def delay(self, seconds: str) -> Reply:
        time.sleep(min(float(seconds), 10) * self.delay_scale)
        return json_reply(200, {"delay": seconds})

    def basic_auth(self) -> Reply:
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") == expected:
            return json_reply(200, {"authenticated": True})
        return 401, {"Content-Type": "text/plain"}, b"Unauthorized"

    def digest_auth(self) -> Reply:
        if digest_ok(self.command, self.headers.get("Authorization", "")):
            return json_reply(200, {"authenticated": True})
        nonce = base64.b64encode(os.urandom(24)).decode().rstrip("=")
        challenge = f'Digest realm="{REALM}", nonce="{nonce}", qop="auth"'
        return 401, {"WWW-Authenticate": challenge, "Content-Type": "text/plain"}, b"Unauthorized"

    def oauth1(self) -> Reply:
        form = args(self.body.decode("utf-8", "replace"))
        if "application/x-www-form-urlencoded" not in self.headers.get("Content-Type", ""):
            form = {}
        ok, base = oauth1_ok(self.command, self.url, self.headers.get("Authorization", ""), form)
        if ok:
            message = "OAuth-1.0a signature verification was successful"
            return json_reply(200, {"status": "pass", "message": message})
        return json_reply(
            401,
            {
                "status": "fail",
                "message": "HMAC-SHA1 verification failed",
                "base_uri": self.url,
                "signing_base": base,
            },
        )

    def hawk(self) -> Reply:
        import mohawk  # a declared dependency of the runner

        def lookup(sender_id: str) -> dict[str, str]:
            return HAWK_CREDENTIALS[sender_id]

        try:
            mohawk.Receiver(
                lookup,
                self.headers.get("Authorization", ""),
                self.url,
                self.command,
                content=self.body,
                content_type=self.headers.get("Content-Type", ""),
                accept_untrusted_content=True,
            )
        except Exception as exc:
            return json_reply(401, {"message": f"Hawk authentication failed: {exc}"})
        return json_reply(200, {"message": "Hawk Authentication Successful"})

    def cookies(self) -> Reply:
        return json_reply(200, {"cookies": self.jar()})

    def jar(self) -> dict[str, str]:
        """Returns the cookies the request carries."""
        parts = self.headers.get("Cookie", "").split(";")
        return dict(part.strip().split("=", 1) for part in parts if "=" in part)

    def cookies_set(self) -> Reply:
        cookies = "\n".join(f"{k}={v}; Path=/" for k, v in self.args.items())
        return 302, {"Location": "/cookies", "Set-Cookie": cookies}, b""

    def cookies_delete(self) -> Reply:
        # Answered directly, not by a redirect: a client whose jar empties would otherwise
        # resend the old Cookie header on the redirect (Newman's request library does).
        left = {k: v for k, v in self.jar().items() if k not in self.args}
        gone = "\n".join(
            f"{k}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" for k in self.args
        )
        return json_reply(200, {"cookies": left}, {"Set-Cookie": gone})

    def response_headers(self) -> Reply:
        status, headers, body = json_reply(200, self.args)
        headers.update({k: v if isinstance(v, str) else "\n".join(v) for k, v in self.args.items()})
        return status, headers, body

    def redirect(self, count: str) -> Reply:
        left = int(count) - 1
        return 302, {"Location": f"/redirect/{left}" if left > 0 else "/get"}, b""

    def redirect_to(self) -> Reply:
        target = self.args.get("url", "/get")
        return int(self.args.get("status_code", 302)), {"Location": str(target)}, b""

    def utf8(self) -> Reply:
        html = "<html><body>∮ E⋅da = Q, ΑΒΓΔ, 日本語, Ünïcödé</body></html>"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode("utf-8")

    def compressed(self, kind: str) -> Reply:
        key = "gzipped" if kind == "gzip" else "deflated"
        raw = json.dumps(
            {key: True, "headers": dict(self.headers.items()), "method": self.command}
        ).encode()
        packed = gzip.compress(raw) if kind == "gzip" else zlib.compress(raw)
        return 200, {"Content-Type": "application/json", "Content-Encoding": kind}, packed

    def typed(self, kind: str) -> Reply:
        if kind == "xml":
            return 200, {"Content-Type": "application/xml"}, b'<?xml version="1.0"?><a>1</a>'
        return 200, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>ok</body></html>"

    def ip(self) -> Reply:
        return json_reply(200, {"ip": self.client_address[0]})

    def time_now(self) -> Reply:
        now = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())
        return 200, {"Content-Type": "text/html; charset=utf-8"}, now.encode()

    def stream(self, count: str) -> Reply:
        lines = [json.dumps({"id": i, "url": self.url}) for i in range(min(int(count), 100))]
        return 200, {"Content-Type": "application/json"}, "\n".join(lines).encode()

    def bytes_(self, count: str) -> Reply:
        return (
            200,
            {"Content-Type": "application/octet-stream"},
            os.urandom(min(int(count), 1 << 20)),
        )

    def oauth2_token(self) -> Reply:
        return json_reply(
            200,
            {
                "access_token": "vp7jxTwqgczoFHs0uIdOvv4VdBWmvCkbVbNBCuaTQ3JZplPS40Ba",
                "token_type": "Bearer",
            },
        )

    def oauth2_user(self) -> Reply:
        return json_reply(200, {"user_id": "1", "name": "Postman Echo"})


ROUTES: list[tuple[str, str]] = [
    (r"/(?:get|post|put|patch|delete|head|options)/?", "echo"),
    (r"/headers", "headers_only"),
    (r"/status/(\d{3})", "status"),
    (r"/delay/(\d+(?:\.\d+)?)", "delay"),
    (r"/basic-auth", "basic_auth"),
    (r"/digest-auth", "digest_auth"),
    (r"/oauth1", "oauth1"),
    (r"/auth/hawk", "hawk"),
    (r"/cookies", "cookies"),
    (r"/cookies/set", "cookies_set"),
    (r"/cookies/delete", "cookies_delete"),
    (r"/response-headers", "response_headers"),
    (r"/redirect/(\d+)", "redirect"),
    (r"/redirect-to", "redirect_to"),
    (r"/encoding/utf8", "utf8"),
    (r"/(gzip|deflate)", "compressed"),
    (r"/type/(html|xml)", "typed"),
    (r"/ip", "ip"),
    (r"/time/now", "time_now"),
    (r"/stream/(\d+)", "stream"),
    (r"/bytes/(\d+)", "bytes_"),
    (r"/oauth2/token", "oauth2_token"),
    (r"/oauth2/user/info", "oauth2_user"),
]
