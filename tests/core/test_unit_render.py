"""Table-driven unit tests of turning a request template into an HttpRequest
(runner/resolve/render.py): URL and query, headers, method, timeouts, redirects, bodies."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from runner.auth import AuthPlan
from runner.errors import Location, RequestError, VariableError
from runner.model import Body, FilePart, Options, Request
from runner.resolve.render import Settings, find_file, missing_file, read_body_file, resolve
from runner.resolve.variables import Renderer, Scope
from runner.transport.http import HttpRequest

HERE = Location("c.json", "/items/0", ("r",))
VARS = {"host": "h.test", "id": 7, "flag": True, "obj": {"a": [1]}, "ct": "text/csv", "m": "put"}


def render(
    dialect: str = "native",
    settings: Settings = Settings(),  # noqa: B008  # frozen: safe as a default
    plan: AuthPlan | None = None,
    base_dirs: tuple[Path, ...] = (Path("."),),
    **fields: Any,
) -> HttpRequest:
    """Returns the rendered request for a Request built from `fields`."""
    request = Request(**{"name": "r", "method": "GET", "url": "http://<<host>>/x",
                         "location": HERE, **fields})  # fmt: skip
    if dialect == "postman":
        request = dataclasses.replace(request, url=request.url.replace("<<host>>", "{{host}}"))
    renderer = Renderer(Scope({"collection": dict(VARS)}), dialect)
    plan = plan or AuthPlan()
    return resolve(
        request,
        renderer,
        base_dirs=base_dirs,
        settings=settings,
        auth_headers=plan.headers,
        auth_query=plan.query,
        auth=plan.request_auth,
    )


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        ({}, "http://h.test/x"),
        ({"url": "<<host>>/x"}, "http://h.test/x"),  # no scheme: http://, as Postman and curl
        ({"url": "<<host>>/x?u=http://y"}, "http://h.test/x?u=http://y"),
        ({"url": "<<host>>/x?u=http://y?z"}, "http://h.test/x?u=http://y?z"),
        ({"url": "https://<<host>>"}, "https://h.test"),
        ({"query": (("q", "<<id>>"),)}, "http://h.test/x?q=7"),
        ({"url": "http://h/x?a=1", "query": (("b", "2"),)}, "http://h/x?a=1&b=2"),
        ({"url": "http://h/x#frag", "query": (("b", "2"),)}, "http://h/x?b=2#frag"),
        ({"url": "http://h/x?a=1#f", "query": (("b", "2"),)}, "http://h/x?a=1&b=2#f"),
        ({"query": (("sp ace", "a/b&c=d"),)}, "http://h.test/x?sp%20ace=a%2Fb%26c%3Dd"),
        ({"query": (("a", "1"), ("a", "2"))}, "http://h.test/x?a=1&a=2"),
    ],
)
def test_url_and_query(fields: dict[str, Any], url: str) -> None:
    assert render(**fields).url == url


def test_auth_query_and_headers_are_added_without_overriding_the_request() -> None:
    plan = AuthPlan(
        headers=[("Authorization", "Bearer t"), ("X-Extra", "e")], query=[("code", "c")]
    )
    http = render(plan=plan, query=(("q", "1"),), headers=(("authorization", "Basic u"),))
    assert http.url == "http://h.test/x?q=1&code=c"
    assert http.headers == [("authorization", "Basic u"), ("X-Extra", "e")]
    assert render(plan=plan).headers == [("Authorization", "Bearer t"), ("X-Extra", "e")]


def test_headers_method_and_overrides() -> None:
    http = render(method="<<m>>", headers=(("X-<<id>>", "<<flag>>"),))
    assert (http.method, http.headers) == ("PUT", [("X-7", "true")])
    over = render(
        method="get",
        url="http://ignored",
        headers=(("A", "1"),),
    )
    assert over.method == "GET"
    changed = resolve(
        Request("r", "GET", "http://a", HERE, headers=(("A", "1"),)),
        Renderer(Scope({"collection": dict(VARS)})),
        base_dirs=(Path("."),),
        settings=Settings(),
        url="http://<<host>>/new",
        method="delete",
        headers=[("B", "<<id>>")],
    )
    assert (changed.url, changed.method, changed.headers) == (
        "http://h.test/new",
        "DELETE",
        [("B", "7")],
    )


@pytest.mark.parametrize(
    ("request_ms", "run_ms", "seconds"),
    [(None, None, None), (1500, None, 1.5), (None, 250, 0.25), (1500, 250, 1.5), (0, 0, None)],
)
def test_timeouts(request_ms: int | None, run_ms: int | None, seconds: float | None) -> None:
    http = render(timeout_ms=request_ms, settings=Settings(timeout_ms=run_ms))
    assert http.timeout == seconds


@pytest.mark.parametrize(
    ("option", "setting", "follow"),
    [(None, True, True), (None, False, False), (False, True, False), (True, False, True)],
)
def test_redirects(option: bool | None, setting: bool, follow: bool) -> None:
    http = render(
        options=Options(follow_redirects=option), settings=Settings(follow_redirects=setting)
    )
    assert http.follow_redirects is follow


def test_transport_options_pass_through() -> None:
    options = Options(
        max_redirects=3, verify_tls=False, disable_cookies=True, follow_original_method=True
    )
    http = render(options=options)
    assert (http.max_redirects, http.verify, http.use_cookies, http.keep_method_on_redirect) == (
        3,
        False,
        False,
        True,
    )
    plain = render()
    assert (plain.max_redirects, plain.verify, plain.use_cookies) == (None, None, True)
    assert plain.keep_method_on_redirect is False


@pytest.mark.parametrize(
    ("dialect", "remove", "referer"),
    [("native", None, False), ("postman", None, True), ("postman", True, False)],
)
def test_referer_on_redirect_is_postmans_habit(
    dialect: str, remove: bool | None, referer: bool
) -> None:
    http = render(dialect, options=Options(remove_referer_on_redirect=remove))
    assert http.referer_on_redirect is referer


@pytest.mark.parametrize(
    ("body", "data", "content_type"),
    [
        (Body("json", {"n": "<<id>>", "s": "<<id>>!", "o": "<<obj>>"}),
         b'{"n": 7, "s": "7!", "o": {"a": [1]}}', "application/json"),
        (Body("json", ["é"], "application/vnd+json"), '["é"]'.encode(), "application/vnd+json"),
        (Body("form", (("a b", "<<id>>"), ("c", "&"))), "a+b=7&c=%26",
         "application/x-www-form-urlencoded"),
        (Body("raw", "id=<<id>>"), b"id=7", None),
        (Body("raw", "<<flag>>", "text/plain"), b"true", "text/plain"),
    ],
)  # fmt: skip
def test_bodies(body: Body, data: Any, content_type: str | None) -> None:
    http = render(method="POST", body=body)
    assert http.data == data
    assert http.header("Content-Type") == content_type
    assert http.files is None


def test_a_content_type_the_request_sets_wins() -> None:
    http = render(body=Body("json", {}), headers=(("content-type", "<<ct>>"),))
    assert http.headers == [("content-type", "text/csv")]


def test_file_and_multipart_bodies(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (second / "data.csv").write_bytes(b"x,y\n")
    (second / "blob").write_bytes(b"\x00\x01")
    dirs = (first, second)
    http = render(body=Body("file", "data.<<ct>>".replace("<<ct>>", "csv")), base_dirs=dirs)
    assert (http.data, http.header("Content-Type")) == (b"x,y\n", "text/csv")
    typed = render(body=Body("file", "blob", "application/x-b"), base_dirs=dirs)
    assert (typed.data, typed.header("Content-Type")) == (b"\x00\x01", "application/x-b")
    unknown = render(body=Body("file", "blob"), base_dirs=dirs)
    assert unknown.header("Content-Type") is None
    parts = Body(
        "multipart",
        (("f<<id>>", FilePart("data.csv")), ("g", FilePart("blob", "image/x")), ("t", "<<id>>")),
    )
    multi = render(body=parts, base_dirs=dirs)
    assert multi.files == [
        ("f7", ("data.csv", b"x,y\n", "text/csv")),
        ("g", ("blob", b"\x00\x01", "image/x")),
        ("t", (None, "7")),
    ]
    assert multi.header("Content-Type") is None and multi.data is None
    bare = render(body=Body("multipart", (("h", FilePart("blob")),)), base_dirs=dirs)
    assert bare.files == [("h", ("blob", b"\x00\x01", "application/octet-stream"))]


def test_body_files_are_found_in_order_and_missing_ones_are_errors(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "f").write_text("x")
    assert find_file("f", (tmp_path / "a", tmp_path / "b")) == tmp_path / "b" / "f"
    assert find_file("g", (tmp_path / "a", tmp_path / "b")) == tmp_path / "a" / "g"
    with pytest.raises(RequestError) as caught:
        render(body=Body("file", "nope.bin"), base_dirs=(tmp_path,))
    assert caught.value.message.startswith(f"cannot read body file {tmp_path / 'nope.bin'}: ")
    assert caught.value.location == HERE.child("body")
    with pytest.raises(RequestError):
        read_body_file(tmp_path / "b", HERE)  # a directory
    error = missing_file(tmp_path / "nope", HERE)
    assert error is not None and error.message == f"body file not found: {tmp_path / 'nope'}"
    assert error.hint == "paths are relative to the collection" and error.location == HERE
    assert missing_file(tmp_path / "b" / "f", HERE) is None
    assert missing_file(tmp_path / "b", HERE) is not None


def test_undefined_variable_is_located_at_the_url() -> None:
    with pytest.raises(VariableError) as caught:
        render(url="http://<<nohost>>/")
    assert caught.value.location == HERE.child("url")


@pytest.mark.parametrize(
    "body",
    [
        Body("json", {"k": ["<<nope>>"]}),
        Body("json", {"<<nope>>": 1}),
        Body("form", (("<<nope>>", "v"),)),
        Body("form", (("k", "<<nope>>"),)),
        Body("raw", "x<<nope>>"),
        Body("file", "<<nope>>.bin"),
        Body("multipart", (("<<nope>>", "v"),)),
        Body("multipart", (("k", "<<nope>>"),)),
        Body("multipart", (("k", FilePart("<<nope>>.bin")),)),
    ],
)
def test_undefined_variables_in_bodies_are_located_at_the_body(body: Body) -> None:
    with pytest.raises(VariableError) as caught:
        render(body=body)
    assert caught.value.location == HERE.child("body")


def test_an_unreadable_multipart_file_is_located_at_the_body(tmp_path: Path) -> None:
    (tmp_path / "dir.bin").mkdir()
    with pytest.raises(RequestError) as caught:
        render(body=Body("multipart", (("f", FilePart("dir.bin")),)), base_dirs=(tmp_path,))
    assert caught.value.location == HERE.child("body")


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"url": "http://<<nope>>"}, HERE.child("url")),
        ({"query": (("<<nope>>", "v"),)}, HERE),
        ({"query": (("k", "<<nope>>"),)}, HERE),
        ({"headers": (("<<nope>>", "v"),)}, HERE),
        ({"headers": (("k", "<<nope>>"),)}, HERE),
        ({"method": "<<nope>>"}, HERE),
    ],
)
def test_undefined_variables_are_located(fields: dict[str, Any], where: Location) -> None:
    with pytest.raises(VariableError) as caught:
        render(**fields)
    assert caught.value.location == where


def test_default_content_type_header_is_spelled_as_http_writes_it() -> None:
    assert render(body=Body("json", 1)).headers == [("Content-Type", "application/json")]
    assert render(body=Body("raw", "x", "text/x")).headers == [("Content-Type", "text/x")]


def test_the_auth_plans_transport_auth_is_passed_on() -> None:
    signer = object()
    assert render(plan=AuthPlan(request_auth=signer)).auth is signer  # type: ignore[arg-type]
    assert render().auth is None
