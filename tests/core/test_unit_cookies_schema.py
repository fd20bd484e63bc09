"""Table-driven unit tests of the `cookies` subject and `cookie` capture, and of the
`schema` assertion's subject (runner/checks/{assertions,capture,query}.py).

Cookies are built as http.cookiejar makes them from a Set-Cookie header; each expected value
is written by hand from the README's cookies section (a cookie the response set wins over
the jar's; Expires is ISO 8601 UTC; Secure and HttpOnly are booleans).
"""

from __future__ import annotations

from http.cookiejar import Cookie, CookieJar
from typing import Any

import pytest
from requests.cookies import create_cookie

from runner.checks.assertions import cookie_value, evaluate, subject_value
from runner.checks.capture import extract
from runner.checks.query import NOTHING, parse_cookie_target
from runner.checks.schema import NotJson
from runner.errors import CaptureError, Location, RequestError
from runner.model import Capture, Check, Schema
from runner.transport.http import HttpResponse

from .test_unit_assertions import response

HERE = Location("unit.json")
URL = "https://api.example.test/app/users"
EXPIRES = 1_767_225_600  # 2026-01-01T00:00:00Z


def _cookie(name: str, value: str, **extra: Any) -> Cookie:
    """Returns a cookie as the jar keeps it (HttpOnly and SameSite as non-standard `rest`)."""
    rest = extra.pop("rest", {})
    return create_cookie(name, value, domain="api.example.test", rest=rest, **extra)


SET = (
    _cookie("sid", "from-response", path="/app", secure=True, expires=EXPIRES,
            rest={"HttpOnly": None, "SameSite": "Lax", "Max-Age": "3600"}),
    _cookie("flag", "", path="/"),
)  # fmt: skip


def _jar(*cookies: Cookie) -> CookieJar:
    jar = CookieJar()
    for cookie in cookies:
        jar.set_cookie(cookie)
    return jar


JAR = _jar(
    _cookie("sid", "from-jar", path="/"),
    _cookie("theme", "dark-root", path="/"),
    _cookie("theme", "dark-app", path="/app"),  # the longer path wins, as a browser sends it
    _cookie("other", "elsewhere", path="/admin"),
    create_cookie("foreign", "x", domain="other.test", path="/"),
)


def _response(set_cookies: tuple[Cookie, ...] = SET, jar: CookieJar | None = JAR) -> HttpResponse:
    return response({"ok": True}, url=URL, set_cookies=set_cookies, jar=jar)


@pytest.mark.parametrize(
    ("target", "parsed"),
    [
        ("sid", ("sid", "Value")),
        ("sid[Secure]", ("sid", "Secure")),
        ("sid[]", ("sid", "")),
        ("a b", ("a b", "Value")),
        ("", None),
        ("sid[Secure", None),
        ("[Secure]", None),
        ("sid[a][b]", None),
        ("si]d", None),
    ],
)
def test_cookie_targets(target: str, parsed: tuple[str, str] | None) -> None:
    assert parse_cookie_target(target) == parsed


@pytest.mark.parametrize(
    ("target", "value"),
    [
        ("sid", "from-response"),  # set by the response: wins over the jar's
        ("sid[Value]", "from-response"),
        ("sid[Domain]", "api.example.test"),
        ("sid[Path]", "/app"),
        ("sid[Expires]", "2026-01-01T00:00:00Z"),
        ("sid[Secure]", True),
        ("sid[HttpOnly]", True),
        ("sid[SameSite]", "Lax"),
        ("sid[Max-Age]", 3600),  # a number, as the response's jar keeps what was sent
        ("flag", ""),  # an empty value is a value
        ("flag[Secure]", False),
        ("flag[HttpOnly]", False),
        ("flag[Expires]", NOTHING),  # a session cookie has no expiry
        ("flag[SameSite]", NOTHING),
        ("flag[Max-Age]", NOTHING),
        ("theme[Max-Age]", NOTHING),  # from the jar: no Max-Age was sent with this response
        ("theme", "dark-app"),  # from the jar, the cookie the URL's path gets first
        ("other", NOTHING),  # the jar's, but for another path
        ("foreign", NOTHING),  # the jar's, but for another host
        ("nope", NOTHING),
        ("sid[", NOTHING),  # malformed: nothing, not a crash
    ],
)
def test_cookie_values(target: str, value: Any) -> None:
    found = cookie_value(target, _response())
    assert found is value if value is NOTHING else found == value


def test_without_a_jar_only_the_response_cookies_count() -> None:
    assert cookie_value("sid", _response(jar=None)) == "from-response"
    assert cookie_value("theme", _response(jar=None)) is NOTHING
    assert cookie_value("sid", _response(set_cookies=())) == "from-jar"


@pytest.mark.parametrize(
    ("target", "op", "expected", "passed"),
    [
        ("sid", "equals", "from-response", True),
        ("sid", "equals", "from-jar", False),
        ("sid[Secure]", "equals", True, True),
        ("sid[Expires]", "after", "2025-12-31T23:59:59Z", True),
        ("nope", "exists", True, False),
        ("nope", "exists", False, True),
        ("theme", "matches", "^dark", True),
    ],
)
def test_cookies_subject(target: str, op: str, expected: Any, passed: bool) -> None:
    check = Check("cookies", target, op, expected, HERE)
    result = evaluate(check, subject_value(check, _response()), expected)
    assert result.passed is passed


def test_a_cookie_capture_keeps_the_value_and_says_when_there_is_none() -> None:
    assert extract(Capture("s", "cookie", "sid", HERE), _response()) == "from-response"
    assert extract(Capture("s", "cookie", "sid[Secure]", HERE), _response()) is True
    with pytest.raises(CaptureError) as caught:
        extract(Capture("s", "cookie", "nope", HERE), _response())
    assert str(caught.value) == "capture s: no cookie 'nope' was set or is in the jar"


def test_a_header_capture_reads_the_named_header() -> None:
    resp = response({}, headers={"X-Id": "7"})
    assert extract(Capture("i", "header", "x-id", HERE), resp) == "7"
    with pytest.raises(CaptureError):
        extract(Capture("i", "header", None, HERE), resp)


SCHEMA = Schema({"type": "object", "required": ["ok"]}, "", "file:///unit/")


def test_the_schema_subject_is_the_whole_json_body() -> None:
    check = Check("schema", None, "schema", SCHEMA, HERE)
    assert subject_value(check, response({"ok": 1})) == {"ok": 1}
    assert evaluate(check, subject_value(check, response({"ok": 1})), SCHEMA).passed
    failed = evaluate(check, subject_value(check, response({"no": 1})), SCHEMA)
    assert not failed.passed
    assert failed.message.startswith("body does not match schema inline schema (1 error)")


def test_a_body_that_is_not_json_fails_a_schema_check_and_errs_a_jsonpath_one() -> None:
    not_json = response(text="<html>", headers={"Content-Type": "text/html"})
    check = Check("schema", None, "schema", SCHEMA, HERE)
    value = subject_value(check, not_json, mask=lambda text: text.replace("html", "***"))
    assert isinstance(value, NotJson)
    assert value == "the response body is not JSON (text/html): '<***>'"
    result = evaluate(check, value, SCHEMA)
    assert not result.passed and result.actual == "not JSON"
    with pytest.raises(RequestError):
        subject_value(Check("jsonpath", "$.a", "exists", True, HERE), not_json)


def test_a_schema_on_a_selection_checks_every_value_and_masks_messages() -> None:
    check = Check("jsonpath", "$.items[*]", "schema", Schema({"type": "integer"}, "", ""), HERE)
    body = response({"items": [1, "secret-x"]})
    result = evaluate(
        check, subject_value(check, body), None, mask=lambda t: t.replace("secret-x", "***")
    )
    assert not result.passed
    assert "[1]" in result.message and "secret-x" not in result.message
    assert result.expected == "matches inline schema"
