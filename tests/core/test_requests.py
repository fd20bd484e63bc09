"""Issue 3 point 4: body kinds, query lists, headers, auth inheritance, redirects, cookies,
skip, proxies from the environment."""

from __future__ import annotations

import base64
import json

from support.local_server import serve

from .conftest import run_cli, write_json


def test_json_body_default_content_type(server, coll):
    path = coll(
        {
            "name": "j",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {"json": {"a": [1, "x", None], "é": True}},
        }
    )
    assert run_cli("run", path).code == 0
    seen = server.log[0]
    assert seen.headers["Content-Type"] == "application/json"
    assert json.loads(seen.body) == {"a": [1, "x", None], "é": True}


def test_form_body_urlencoded(server, coll):
    path = coll(
        {
            "name": "f",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {"form": {"user": "<<who>>", "note": "a&b=c d", "n": 3, "on": True}},
        },
        variables={"who": "ada"},
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    seen = server.log[0]
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen.body == b"user=ada&note=a%26b%3Dc+d&n=3&on=true"


def test_multipart_body_with_file(tmp_path, server, coll):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "report.csv").write_text("a,b\n1,2\n")
    path = coll(
        {
            "name": "m",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {
                "multipart": {
                    "title": "<<title>>",
                    "upload": {"file": "files/report.csv"},
                    "typed": {"file": "files/report.csv", "contentType": "text/x-custom"},
                }
            },
            "assert": {
                "jsonpath": {
                    "$.form.title": "Q3",
                    "$.files.upload.filename": "report.csv",
                    "$.files.upload.content": "a,b\n1,2\n",
                    "$.files.typed.contentType": "text/x-custom",
                }
            },
        },
        variables={"title": "Q3"},
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    assert server.log[0].headers["Content-Type"].startswith("multipart/form-data; boundary=")


def test_raw_body_with_content_type(server, coll):
    path = coll(
        {
            "name": "r",
            "method": "PUT",
            "url": f"{server.url}/echo",
            "body": {"raw": "<x><<v>></x>", "contentType": "application/xml"},
        },
        variables={"v": "1"},
    )
    assert run_cli("run", path).code == 0
    assert server.log[0].body == b"<x>1</x>"
    assert server.log[0].headers["Content-Type"] == "application/xml"
    assert server.log[0].method == "PUT"


def test_file_body_relative_to_collection(tmp_path, server):
    sub = tmp_path / "project"
    (sub / "data").mkdir(parents=True)
    (sub / "data" / "payload.bin").write_bytes(b"\x00\x01binary\xff")
    path = write_json(
        sub / "c.json",
        {
            "name": "c",
            "items": [
                {
                    "name": "f",
                    "method": "POST",
                    "url": f"{server.url}/echo",
                    "body": {"file": "data/payload.bin", "contentType": "application/octet-stream"},
                }
            ],
        },
    )
    assert run_cli("run", path).code == 0
    assert server.log[0].body == b"\x00\x01binary\xff"
    assert server.log[0].headers["Content-Type"] == "application/octet-stream"


def test_query_lists_and_url_query_kept(server, coll):
    path = coll(
        {
            "name": "q",
            "url": f"{server.url}/echo?fixed=1",
            "query": {"tag": ["a", "b c", "<<x>>"], "n": 5, "empty": ""},
        },
        variables={"x": "ä&"},
    )
    assert run_cli("run", path).code == 0
    assert server.log[0].query == {
        "fixed": ["1"],
        "tag": ["a", "b c", "ä&"],
        "n": ["5"],
        "empty": [""],
    }


def test_headers_rendered(server, coll):
    path = coll(
        {
            "name": "h",
            "url": f"{server.url}/echo",
            "headers": {"X-Trace": "t-<<id>>", "Accept": "application/json", "X-Num": 7},
        },
        variables={"id": "42"},
    )
    assert run_cli("run", path).code == 0
    h = server.log[0].headers
    assert h["X-Trace"] == "t-42" and h["Accept"] == "application/json" and h["X-Num"] == "7"


def test_default_method_is_get_and_lowercase_method_works(server, coll):
    path = coll(
        {"name": "a", "url": f"{server.url}/echo"},
        {"name": "b", "method": "delete", "url": f"{server.url}/echo"},
    )
    assert run_cli("run", path).code == 0
    assert [s.method for s in server.log] == ["GET", "DELETE"]


def test_auth_inheritance_collection_folder_request(server, coll):
    path = coll(
        {"name": "col", "url": f"{server.url}/echo"},
        {
            "name": "F",
            "auth": {"type": "basic", "username": "ada", "password": "pw1"},
            "items": [
                {"name": "folder", "url": f"{server.url}/echo"},
                {"name": "inherit", "url": f"{server.url}/echo", "auth": {"type": "inherit"}},
                {
                    "name": "key-h",
                    "url": f"{server.url}/echo",
                    "auth": {
                        "type": "apikey",
                        "in": "header",
                        "name": "X-Api-Key",
                        "value": "<<k>>",
                    },
                },
                {
                    "name": "key-q",
                    "url": f"{server.url}/echo",
                    "auth": {"type": "apikey", "in": "query", "name": "code", "value": "<<k>>"},
                },
                {"name": "none", "url": f"{server.url}/echo", "auth": {"type": "none"}},
            ],
        },
        {
            "name": "own header",
            "url": f"{server.url}/echo",
            "headers": {"Authorization": "Custom x"},
        },
        auth={"type": "bearer", "token": "<<tok>>"},
        variables={"tok": "col-token", "k": "k-123"},
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    auth = [s.headers.get("Authorization") for s in server.log]
    expected_basic = "Basic " + base64.b64encode(b"ada:pw1").decode()
    assert auth == [
        "Bearer col-token",
        expected_basic,
        expected_basic,
        None,
        None,
        None,
        "Custom x",
    ]
    assert server.log[3].headers["X-Api-Key"] == "k-123"
    assert server.log[4].query == {"code": ["k-123"]}


def test_skip_is_reported_and_not_sent(tmp_path, server, coll):
    path = coll(
        {"name": "skipped", "url": f"{server.url}/echo", "skip": True},
        {"name": "sent", "url": f"{server.url}/echo"},
    )
    result = run_cli("run", path, "--junit", tmp_path / "j.xml")
    assert result.code == 0
    assert len(server.log) == 1
    assert "skipped (skipped: skip: true)" in result.out
    assert "<skipped" in (tmp_path / "j.xml").read_text()


def test_redirects_followed(server, coll):
    path = coll(
        {
            "name": "r",
            "url": f"{server.url}/redirect/3",
            "assert": {"status": 200, "jsonpath": {"$.total": 2}},
        }
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    assert server.paths() == ["/redirect/3", "/redirect/2", "/redirect/1", "/json"]


def test_redirects_not_followed_when_asked(server, coll):
    path = coll(
        {
            "name": "r",
            "url": f"{server.url}/redirect/1",
            "followRedirects": False,
            "assert": {"status": 302, "headers": {"Location": "/json"}},
        }
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    assert server.paths() == ["/redirect/1"]


def test_cookies_kept_across_requests(server, coll):
    path = coll(
        {"name": "set", "url": f"{server.url}/cookies/set?session=s1&theme=dark"},
        {
            "name": "echo",
            "url": f"{server.url}/cookies",
            "assert": {"jsonpath": {"$.cookie": {"contains": "session=s1"}}},
        },
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    assert "theme=dark" in server.log[1].headers["Cookie"]


def test_proxy_from_environment(server, coll, monkeypatch):
    with serve() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        path = coll(
            {
                "name": "via proxy",
                "url": "http://service.example.invalid/json",
                "assert": {
                    "headers": {"X-Proxy": "local"},
                    "jsonpath": {"$.proxied": "http://service.example.invalid/json"},
                },
            }
        )
        result = run_cli("run", path)
        assert result.code == 0, result.text
        assert len(proxy.log) == 1


def test_no_proxy_bypasses_proxy(server, coll, monkeypatch):
    with serve() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        path = coll({"name": "direct", "url": f"{server.url}/json", "assert": {"status": 200}})
        result = run_cli("run", path)
        assert result.code == 0, result.text
        assert proxy.log == []
        assert server.paths() == ["/json"]


def test_url_without_scheme_gets_http(server, coll):
    path = coll({"name": "r", "url": f"127.0.0.1:{server.port}/json", "assert": {"status": 200}})
    assert run_cli("run", path).code == 0


def test_non_ascii_headers_and_urls(server, coll):
    path = coll(
        {"name": "euro header", "url": f"{server.url}/echo", "headers": {"X-Price": "€ 5"}},
        {"name": "euro url", "url": f"{server.url}/echo/€?q=€"},
        {"name": "fragment", "url": f"{server.url}/echo#frag", "query": {"a": "1"}},
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    # http.server reads header bytes as Latin-1: the value went out as UTF-8.
    assert server.log[0].headers["X-Price"].encode("latin-1").decode("utf-8") == "€ 5"
    assert server.log[1].path == "/echo/%E2%82%AC" and server.log[1].query == {"q": ["€"]}
    assert server.log[2].query == {"a": ["1"]}


def test_non_ascii_credentials_are_masked_and_shown_as_text(tmp_path, server, coll):
    path = coll({"name": "r", "url": f"{server.url}/echo", "assert": {"status": 500},
                 "auth": {"type": "bearer", "token": "tøken-ünïcode"},
                 "headers": {"X-Note": "naïve"}})  # fmt: skip
    result = run_cli("run", path, "--verbose", "--json", tmp_path / "r.json")
    assert result.code == 1
    assert "> X-Note: naïve" in result.out
    assert "> Authorization: ***" in result.out
    report = (tmp_path / "r.json").read_text()
    assert "tøken-ünïcode" not in result.out + report
