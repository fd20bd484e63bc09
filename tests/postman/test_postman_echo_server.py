"""The local postman-echo stand-in answers the way the corpus cases expect."""

from __future__ import annotations

import json
import socket

import requests
from support.echo_server import EchoServers


def test_echo_endpoints_reflect_the_request(echo: EchoServers) -> None:
    got = requests.post(
        f"{echo.https}/post?a=1&a=2&b", json={"x": 1}, verify=echo.ca_file, timeout=5
    ).json()
    assert got["args"] == {"a": ["1", "2"], "b": ""}
    assert got["json"] == {"x": 1} and got["data"] == {"x": 1}
    assert got["url"] == f"{echo.https}/post?a=1&a=2&b"
    form = requests.put(
        f"{echo.http}/put", data={"k": "v"}, files={"f": ("a.txt", b"hi")}, timeout=5
    ).json()
    assert form["form"] == {"k": "v"} and form["files"] == {"a.txt": "data:text/plain;base64,aGk="}


def test_status_cookies_redirects_and_encodings(echo: EchoServers) -> None:
    assert requests.get(f"{echo.http}/status/418", timeout=5).status_code == 418
    with requests.Session() as session:
        assert session.get(f"{echo.http}/cookies/set?foo1=bar1&foo2=bar2", timeout=5).json() == {
            "cookies": {"foo1": "bar1", "foo2": "bar2"}
        }
        assert session.get(f"{echo.http}/cookies/delete?foo1", timeout=5).json() == {
            "cookies": {"foo2": "bar2"}
        }
    redirected = requests.get(f"{echo.http}/redirect/3", timeout=5)
    assert len(redirected.history) == 3 and redirected.url.endswith("/get")
    assert requests.get(f"{echo.http}/gzip", timeout=5).json()["gzipped"] is True
    assert requests.get(f"{echo.http}/deflate", timeout=5).json()["deflated"] is True
    headers = requests.get(f"{echo.http}/response-headers?X-Foo=bar", timeout=5).headers
    assert headers["X-Foo"] == "bar"
    assert requests.get(
        f"{echo.http}/basic-auth", auth=("postman", "password"), timeout=5
    ).json() == {"authenticated": True}


def test_newman_raw_echo_returns_the_request_bytes(echo: EchoServers) -> None:
    port = echo.port("raw")
    request = b'POSTMAN / HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n{ "foo": "bar" }'
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, body = reply.split(b"\r\n\r\n", 1)
    assert body == request
    raw_header = next(line for line in head.split(b"\r\n") if line.startswith(b"raw-request:"))
    assert json.loads(raw_header.split(b":", 1)[1]) == request.decode()


def test_newman_redirect_server(echo: EchoServers) -> None:
    followed = requests.get(f"{echo.redirect}/3", timeout=5)
    assert len(followed.history) == 3 and followed.json()["url"] == "/"
    moved = requests.put(f"{echo.redirect}/status/307", data="POSTMAN", timeout=5)
    assert moved.json() == {**moved.json(), "url": "/", "method": "PUT", "data": "POSTMAN"}


def test_connect_to_rules_cover_the_corpus_hosts(echo: EchoServers) -> None:
    rules = echo.connect_to
    assert f"postman-echo.com:443:127.0.0.1:{echo.port('https')}" in rules
    assert f"localhost:4041:127.0.0.1:{echo.port('raw')}" in rules
    assert f"localhost:4042:127.0.0.1:{echo.port('redirect')}" in rules
