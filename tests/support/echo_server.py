"""A local stand-in for postman-echo.com and Newman's two harness servers (never online).

`start_echo_server()` starts, on 127.0.0.1, the echo API over HTTP and over HTTPS (a
trustme CA for postman-echo.com, httpbin.org and localhost), Newman's raw TCP echo (:4041)
and its redirect server (:4042). `EchoServers.connect_to` gives the `--connect-to` rules
that send the corpus' hosts there unchanged.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import os
import re
import socket
import socketserver
import ssl
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

USER, PASSWORD, REALM = "postman", "password", "Users"
OAUTH1_SECRETS = {"RKCGzna7bv9YD57c": "D+EdQ-gs$-%@2Nu7"}
HAWK_CREDENTIALS = {
    "dh37fgj492je": {
        "id": "dh37fgj492je",
        "key": "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn",
        "algorithm": "sha256",
    },
}
Reply = tuple[int, dict[str, str], bytes]


def _json(status: int, value: Any, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, body


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
        self.args = _args(split.query)
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
        """Returns the URL as the client addressed it (scheme from the socket, Host header)."""
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        return f"{scheme}://{self.headers.get('Host', '')}{self.path}"

    def route(self, path: str) -> Reply:
        """Returns the reply for `path`."""
        for pattern, name in ROUTES:
            match = re.fullmatch(pattern, path)
            if match:
                handler: Callable[..., Reply] = getattr(self, name)
                return handler(*match.groups())
        return _json(404, {"error": "not found", "path": path})

    def echo(self, *_: str) -> Reply:
        """Returns {args, data, files, form, headers, json, url} as postman-echo does."""
        return _json(200, {**self.request_fields(), "args": self.args, "url": self.url})

    def request_fields(self) -> dict[str, Any]:
        """Returns data, files, form, json and headers decoded from the request."""
        ctype = self.headers.get("Content-Type", "")
        data: Any = self.body.decode("utf-8", "replace")
        form: dict[str, Any] = {}
        files: dict[str, str] = {}
        parsed: Any = None
        if "application/x-www-form-urlencoded" in ctype:
            form, data = _args(data), ""
        elif "multipart/form-data" in ctype:
            form, files = _multipart(ctype, self.body)
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
        return _json(200, {"headers": {k.lower(): v for k, v in self.headers.items()}})

    def status(self, code: str) -> Reply:
        return _json(int(code), {"status": int(code)})

    def delay(self, seconds: str) -> Reply:
        time.sleep(min(float(seconds), 10) * self.delay_scale)
        return _json(200, {"delay": seconds})

    def basic_auth(self) -> Reply:
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") == expected:
            return _json(200, {"authenticated": True})
        return 401, {"Content-Type": "text/plain"}, b"Unauthorized"

    def digest_auth(self) -> Reply:
        if _digest_ok(self.command, self.headers.get("Authorization", "")):
            return _json(200, {"authenticated": True})
        nonce = base64.b64encode(os.urandom(24)).decode().rstrip("=")
        challenge = f'Digest realm="{REALM}", nonce="{nonce}", qop="auth"'
        return 401, {"WWW-Authenticate": challenge, "Content-Type": "text/plain"}, b"Unauthorized"

    def oauth1(self) -> Reply:
        form = _args(self.body.decode("utf-8", "replace"))
        if "application/x-www-form-urlencoded" not in self.headers.get("Content-Type", ""):
            form = {}
        ok, base = _oauth1_ok(self.command, self.url, self.headers.get("Authorization", ""), form)
        if ok:
            message = "OAuth-1.0a signature verification was successful"
            return _json(200, {"status": "pass", "message": message})
        return _json(
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
            return _json(401, {"message": f"Hawk authentication failed: {exc}"})
        return _json(200, {"message": "Hawk Authentication Successful"})

    def cookies(self) -> Reply:
        return _json(200, {"cookies": self.jar()})

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
        return _json(200, {"cookies": left}, {"Set-Cookie": gone})

    def response_headers(self) -> Reply:
        status, headers, body = _json(200, self.args)
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
        return _json(200, {"ip": self.client_address[0]})

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
        return _json(
            200,
            {
                "access_token": "vp7jxTwqgczoFHs0uIdOvv4VdBWmvCkbVbNBCuaTQ3JZplPS40Ba",
                "token_type": "Bearer",
            },
        )

    def oauth2_user(self) -> Reply:
        return _json(200, {"user_id": "1", "name": "Postman Echo"})


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


def _args(query: str) -> dict[str, Any]:
    """Returns query/form pairs; a repeated key becomes a list, as postman-echo shows it."""
    found: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in found:
            prior = found[key]
            found[key] = [*prior, value] if isinstance(prior, list) else [prior, value]
        else:
            found[key] = value
    return found


def _multipart(ctype: str, body: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
    form: dict[str, Any] = {}
    files: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename:
            mime = part.get_content_type()
            files[filename] = f"data:{mime};base64," + base64.b64encode(payload).decode()
        else:
            form[str(name)] = payload.decode("utf-8", "replace")
    return form, files


def _auth_params(header: str, scheme: str) -> dict[str, str]:
    if not header.lower().startswith(scheme.lower() + " "):
        return {}
    pairs = re.findall(r'([\w-]+)\s*=\s*(?:"([^"]*)"|([^\s,]*))', header[len(scheme) + 1 :])
    return {k: quoted or bare for k, quoted, bare in pairs}


def _digest_ok(method: str, header: str) -> bool:
    p = _auth_params(header, "Digest")
    if p.get("username") != USER or p.get("realm") != REALM or "response" not in p:
        return False
    ha1 = hashlib.md5(f"{USER}:{REALM}:{PASSWORD}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{p.get('uri', '')}".encode()).hexdigest()
    if p.get("qop"):
        parts = [ha1, p.get("nonce", ""), p.get("nc", ""), p.get("cnonce", ""), p["qop"], ha2]
    else:
        parts = [ha1, p.get("nonce", ""), ha2]
    return hmac.compare_digest(hashlib.md5(":".join(parts).encode()).hexdigest(), p["response"])


def _enc(value: str) -> str:
    return quote(value, safe="~-._")


def _oauth1_ok(method: str, url: str, header: str, form: dict[str, Any]) -> tuple[bool, str]:
    split = urlsplit(url)
    oauth = {k: unquote(v) for k, v in _auth_params(header, "OAuth").items()}
    params = [(k, v) for k, v in parse_qsl(split.query, keep_blank_values=True)]
    if not oauth:  # the parameters may travel in the query string instead
        oauth = {k: v for k, v in params if k.startswith("oauth_")}
    params = [(k, v) for k, v in params if k != "oauth_signature"]
    params += [
        (k, v)
        for k, v in oauth.items()
        if k not in ("realm", "oauth_signature") and (k, v) not in params
    ]
    params += [(k, str(v)) for k, v in form.items()]
    norm = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in params))
    base_url = f"{split.scheme}://{split.netloc.lower()}{split.path}"
    base = "&".join([method.upper(), _enc(base_url), _enc(norm)])
    secret = OAUTH1_SECRETS.get(oauth.get("oauth_consumer_key", ""), "")
    key = f"{_enc(secret)}&".encode()  # postman-echo's demo consumer has no token secret
    algo = oauth.get("oauth_signature_method", "HMAC-SHA1")
    if algo == "PLAINTEXT":
        expected = key.decode()
    else:
        digest = hashlib.sha256 if algo == "HMAC-SHA256" else hashlib.sha1
        expected = base64.b64encode(hmac.new(key, base.encode(), digest).digest()).decode()
    return hmac.compare_digest(expected, oauth.get("oauth_signature", "")), base


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
        return _json(
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
