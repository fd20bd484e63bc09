"""Table-driven unit tests of reading values out of responses: JSONPath queries
(runner/checks/query.py) and captures into variables (runner/checks/capture.py)."""

from __future__ import annotations

from typing import Any

import pytest

from runner.checks.capture import extract
from runner.checks.query import (
    NOTHING,
    Selection,
    compile_regex,
    is_multi,
    jsonpath_error,
    jsonpath_value,
    jsonpath_values,
    regex_error,
)
from runner.errors import CaptureError, Location
from runner.model import Capture

from .test_unit_assertions import response

HERE = Location("c.json")


@pytest.mark.parametrize(
    ("expr", "multi"),
    [
        ("$", False),
        ("$.a", False),
        ("$.a.b", False),
        ("$.a[0]", False),
        ("$.a[-1]", False),
        ("$['@odata.nextLink']", False),
        ("$['a:b']", False),  # a quoted key, not a slice
        ('$["a,b"]', False),  # a quoted key, not a union
        ("$['a..b']", False),
        ("$['*']", False),
        ("$.a.`len`", False),
        ("$.a[*]", True),
        ("$.*", True),
        ("$..a", True),
        ("$.a[?(@.b == 1)]", True),
        ("$.a[?(@.b == 'x:y')]", True),
        ("$.a[0:2]", True),
        ("$.a[1:]", True),
        ("$.a[:1]", True),
        ("$.a[-1:]", True),
        ("$.a[0,2]", True),
        ("$['a','b']", True),
        ("$.a['k:1', 'k']", True),
        ("$.x.(b,c)", True),  # jsonpath-ng's union of names
        ("$.a[?b > 0]", True),  # jsonpath-ng's filter without parentheses
        ("$.x.(b)", False),
        ("$['?']", False),
        ("($.a)|($.b)", True),  # jsonpath-ng's union of whole paths
        ("$['a|b']", False),
    ],
)
def test_which_paths_select_several_values(expr: str, multi: bool) -> None:
    assert is_multi(expr) is multi


DOC: dict[str, Any] = {
    "a": {"b": None, "c": [10, 20, 30], "d": [[1, 2]]},
    "flag": False,
    "a:b": "colon",
    "list": [{"id": 1}, {"id": 2}],
    "@odata.nextLink": "https://next",
}


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("$.flag", False),
        ("$.a.b", None),  # a JSON null is a value, not nothing
        ("$.a.c", [10, 20, 30]),
        ("$.a.c[1]", 20),
        ("$.a.c[-1]", 30),
        ("$.a.d[0]", [1, 2]),
        ("$['a:b']", "colon"),
        ("$['@odata.nextLink']", "https://next"),
        ("$.a.c.`len`", 3),
        ("$", DOC),
        ("$.missing", NOTHING),
        ("$.a.b.deeper", NOTHING),  # through a null
        ("$.a.c.x", NOTHING),  # a name on a list
        ("$.flag.x", NOTHING),
        ("$.a.c[7]", NOTHING),
        # several values: a Selection, even of one value or of none
        ("$.a.c[*]", Selection([10, 20, 30])),
        ("$.a.c[0:1]", Selection([10])),
        ("$.a.d[0:1]", Selection([[1, 2]])),
        ("$.a.c[0,2]", Selection([10, 30])),
        ("$.list[?(@.id > 1)].id", Selection([2])),
        ("$.list[?(@.id > 5)].id", Selection([])),
        ("$..id", Selection([1, 2])),
        ("$.a.(b,c)", Selection([None, [10, 20, 30]])),
        ("$.list[?id > 1]", Selection([{"id": 2}])),
    ],
)
def test_jsonpath_value(expr: str, value: Any) -> None:
    found = jsonpath_value(expr, DOC)
    if value is NOTHING:
        assert found is NOTHING
    else:
        assert found == value
        assert isinstance(found, Selection) is isinstance(value, Selection)


def test_fast_path_only_walks_objects() -> None:
    assert jsonpath_value("$.a", [1]) is NOTHING
    assert jsonpath_value("$.a", "text") is NOTHING
    assert jsonpath_value("$.a.b", {"a": {"b": 0}}) == 0
    assert jsonpath_values("$.a[*]", {"a": [1, 2]}) == [1, 2]
    assert jsonpath_values("$.zz", {}) == []


@pytest.mark.parametrize(
    ("expr", "valid"),
    [("$.a", True), ("$.a[?(@.b > 1)]", True), ("$.a[", False), ("$..[", False), ("", False)],
)
def test_jsonpath_errors(expr: str, valid: bool) -> None:
    error = jsonpath_error(expr)
    assert (error is None) is valid
    if error is not None:
        assert error == "Parse error near the end of string!"


def test_plain_paths_never_reach_jsonpath_ng(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fast path for "$.a.b" is what keeps JSONPath checks cheap per request.
    import runner.checks.query as query

    def refuse(expr: str) -> None:
        raise AssertionError(f"jsonpath-ng used for {expr}")

    monkeypatch.setattr(query, "compile_jsonpath", refuse)
    assert jsonpath_value("$.a.c", DOC) == [10, 20, 30]
    assert jsonpath_value("$.a.zz", DOC) is NOTHING
    with pytest.raises(AssertionError):
        jsonpath_value("$.a.c[0]", DOC)


def test_operators_jsonpath_ng_cannot_evaluate_are_invalid() -> None:
    # '&' (intersection) parses but raises a bare NotImplementedError when evaluated.
    assert jsonpath_error("$.a & $.b") == "jsonpath-ng cannot evaluate it (NotImplementedError)"


def test_jsonpath_error_is_the_first_line_of_the_parsers_message() -> None:
    assert jsonpath_error("$.a)") == "Parse error at 1:3 near token ) ())"
    assert jsonpath_error("$.a.`nope`") == "Unknown named operator `nope` at 1:9"


def test_regex_errors_and_cache() -> None:
    assert regex_error("^a+$") is None
    assert regex_error("(") == "missing ), unterminated subpattern at position 0"
    assert compile_regex("a.c") is compile_regex("a.c")
    assert compile_regex("a.c").search("xabcx") is not None


def capture(source: str, expr: str | None = None, group: int = 1) -> Capture:
    return Capture("v", source, expr, HERE, group)  # type: ignore[arg-type]


BODY = {"id": 7, "ok": True, "none": None, "items": [{"n": "a"}, {"n": "b"}], "one": [{"n": "c"}]}


@pytest.mark.parametrize(
    ("cap", "value"),
    [
        (capture("jsonpath", "$.id"), 7),
        (capture("jsonpath", "$.ok"), True),
        (capture("jsonpath", "$.none"), None),
        (capture("jsonpath", "$.items[0]"), {"n": "a"}),
        (capture("jsonpath", "$.items[*].n"), ["a", "b"]),
        (capture("jsonpath", "$.one[*].n"), ["c"]),  # a wildcard captures a list, even of one
        (capture("jsonpath", "$.items[0:1]"), [{"n": "a"}]),
        (capture("jsonpath", None), BODY),
        (capture("status"), 201),
        (capture("header", "x-request-id"), "r-1"),
        (capture("regex", '"id": (\\d+)'), "7"),
        (capture("regex", '"id": (\\d+)', 0), '"id": 7'),
        (capture("regex", '"(ok)": (true)', 2), "true"),
    ],
)
def test_captured_values_keep_their_json_type(cap: Capture, value: Any) -> None:
    resp = response(BODY, status=201, headers={"X-Request-Id": "r-1"})
    got = extract(cap, resp)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("cap", "text", "message"),
    [
        (capture("jsonpath", "$.nope"), None, "capture v: $.nope found nothing in the response"),
        (capture("jsonpath", "$.items[?(@.n == 'z')]"), None,
         "capture v: $.items[?(@.n == 'z')] found nothing in the response"),
        (capture("header", "X-Nope"), None, "capture v: no header 'X-Nope' in response"),
        (capture("regex", "zzz"), None, "capture v: /zzz/ matched nothing"),
        (capture("regex", "(i)d", 2), None, "capture v: /(i)d/ has no group 2"),
        (capture("jsonpath", "$.a"), "<html>", "capture v: "),
    ],
)  # fmt: skip
def test_failed_captures_say_why(cap: Capture, text: str | None, message: str) -> None:
    resp = response(BODY, text=text)
    with pytest.raises(CaptureError) as caught:
        extract(cap, resp)
    if text is None:
        assert str(caught.value.message) == message
    else:
        assert caught.value.message.startswith(message) and "JSON" in caught.value.message


def test_a_capture_on_a_body_that_is_not_json_masks_what_it_shows() -> None:
    with pytest.raises(CaptureError) as caught:
        extract(
            capture("jsonpath", "$.a"),
            response(text="token=s3cret"),
            lambda t: t.replace("s3cret", "***"),
        )
    assert caught.value.message == (
        "capture v: the response body is not JSON (no Content-Type): 'token=***'"
    )
