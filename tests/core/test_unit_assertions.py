"""Table-driven unit tests of the assertion operators (runner/checks/assertions.py).

Every operator at its boundaries, JSON typing (true is not 1), absent values, and
multi-valued JSONPath selections (wildcards, filters, `..`, slices, unions). Each row is one
check against one response; the expected outcome is written by hand from the README and
contract section 3, not taken from the code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from requests.structures import CaseInsensitiveDict

from runner.checks.assertions import evaluate, subject_value
from runner.errors import Location, RequestError
from runner.model import Check
from runner.transport.http import HttpResponse

HERE = Location("unit.json")


def response(
    body: Any = None,
    *,
    text: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    elapsed_ms: float = 12.3456,
    **extra: Any,
) -> HttpResponse:
    """Returns a response whose body is `body` as JSON (or `text` as it is); `extra` sets
    other HttpResponse fields (url, set_cookies, jar…)."""
    raw = text if text is not None else json.dumps(body)
    return HttpResponse(
        status=status,
        reason="OK",
        headers=CaseInsensitiveDict(headers or {}),
        body=raw.encode("utf-8"),
        elapsed_ms=elapsed_ms,
        **extra,
    )


def outcome(
    subject: str, target: str | None, op: str, expected: Any, resp: HttpResponse
) -> tuple[bool, Any, str]:
    """Returns (passed, actual as reported, message) of one check against `resp`."""
    check = Check(subject, target, op, expected, HERE)
    result = evaluate(check, subject_value(check, resp), expected)
    return result.passed, result.actual, result.message


def passes(op: str, expected: Any, value: Any, path: str = "$.v") -> bool:
    """Returns whether `op expected` holds for `{"v": value}` at `path` (absent: no "v")."""
    doc = {} if value is ABSENT else {"v": value}
    return outcome("jsonpath", path, op, expected, response(doc))[0]


ABSENT = object()

SINGLE = [
    # lt / lte / gt / gte at the boundary and on either side
    ("lt", 2, 1, True),
    ("lt", 2, 2, False),
    ("lt", 2, 3, False),
    ("lt", 2, 1.999, True),
    ("lte", 2, 1, True),
    ("lte", 2, 2, True),
    ("lte", 2, 2.001, False),
    ("gt", 2, 3, True),
    ("gt", 2, 2, False),
    ("gt", 2, 1, False),
    ("gte", 2, 2, True),
    ("gte", 2, 3, True),
    ("gte", 2, 1.999, False),
    ("lt", "3", 2, True),  # an expected value rendered from a variable arrives as text
    ("lt", 3, "2", True),  # so may the actual one (a header, a string field)
    ("lt", 2, True, False),  # a boolean is not a number
    ("gte", 0, None, False),  # nor is null
    ("lt", 2, ABSENT, False),
    ("gt", 1, "abc", False),
    # equals: JSON equality, true is not 1 at any depth, 1 is 1.0
    ("equals", 1, 1.0, True),
    ("equals", 1, True, False),
    ("equals", True, 1, False),
    ("equals", 0, False, False),
    ("equals", False, False, True),
    ("equals", [1, 1], [1, True], False),
    ("equals", {"a": 1}, {"a": True}, False),
    ("equals", {"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}, True),
    ("equals", {"a": 1}, {"a": 1, "b": 2}, False),
    ("equals", [1, 2], [2, 1], False),
    ("equals", None, None, True),
    ("equals", None, ABSENT, False),
    ("equals", "", None, False),
    ("equals", 1, "1", True),  # text compared with a number: its JSON text (as headers)
    ("equals", {"a": 1}, '{"a": 1}', True),  # text holding JSON compared with an object
    ("equals", {"a": 1}, "{not json", False),
    ("equals", "x", "x", True),
    ("equals", "x", "X", False),
    # notEquals: an absent value is not "not equal", it fails
    ("notEquals", 3, 2, True),
    ("notEquals", 2, 2, False),
    ("notEquals", 1, True, True),
    ("notEquals", None, ABSENT, False),
    ("notEquals", "x", ABSENT, False),
    # exists
    ("exists", True, 0, True),
    ("exists", True, None, True),  # a JSON null is there
    ("exists", False, None, False),
    ("exists", True, ABSENT, False),
    ("exists", False, ABSENT, True),
    # type
    ("type", "string", "", True),
    ("type", "string", 1, False),
    ("type", "number", 1.5, True),
    ("type", "number", 1, True),
    ("type", "number", True, False),
    ("type", "number", "1", False),
    ("type", "integer", 2, True),
    ("type", "integer", 2.0, True),
    ("type", "integer", 2.5, False),
    ("type", "integer", False, False),
    ("type", "boolean", False, True),
    ("type", "boolean", 0, False),
    ("type", "array", [], True),
    ("type", "array", {}, False),
    ("type", "object", {}, True),
    ("type", "object", [], False),
    ("type", "null", None, True),
    ("type", "null", ABSENT, False),
    ("type", "null", 0, False),
    ("type", "date", "2020-01-01", False),  # unknown type name: cannot compare
    # contains: text (a non-string as its JSON text), array element, object key
    ("contains", "lo w", "hello world", True),
    ("contains", "low", "hello world", False),
    ("contains", 5, "x5y", True),
    ("contains", True, "is true", True),
    ("contains", True, "is True", False),
    ("contains", None, "null", True),
    ("contains", None, "None", False),
    ("contains", 2, [1, 2], True),
    ("contains", 3, [1, 2], False),
    ("contains", True, [1], False),
    ("contains", 1, [True], False),
    ("contains", {"a": 1}, [{"a": 1}, 2], True),
    ("contains", {"a": 1}, [{"a": True}], False),
    ("contains", "a", {"a": 0}, True),
    ("contains", "b", {"a": 0}, False),
    ("contains", 1, {"1": 0}, False),
    ("contains", 1, 10, False),
    ("contains", "x", ABSENT, False),
    # matches: a search (not a full match); a non-string is matched as its JSON text
    ("matches", "^ab", "abc", True),
    ("matches", "^ab", "xabc", False),
    ("matches", "b", "abc", True),
    ("matches", "^12$", 12, True),
    ("matches", "^true$", True, True),
    ("matches", "^True$", True, False),
    ("matches", "^null$", None, True),
    ("matches", ".", ABSENT, False),
    ("matches", "(", "(", False),  # a bad pattern from a variable: cannot compare
    # in: one of a list, with JSON equality
    ("in", [1, 2], 2, True),
    ("in", [1, 2], 3, False),
    ("in", [1], True, False),
    ("in", [True], 1, False),
    ("in", [None], None, True),
    ("in", [None], ABSENT, False),
    ("in", [], 1, False),
    ("in", "abc", "a", False),  # not a list: cannot compare (not a substring test)
    # length: strings, arrays, objects; a matcher of comparisons
    ("length", 3, "abc", True),
    ("length", 2, "abc", False),
    ("length", 2, [1, 2], True),
    ("length", 1, {"a": 1}, True),
    ("length", "2", [1, 2], True),
    ("length", 1, 5, False),
    ("length", True, [1], False),
    ("length", {"gte": 2, "lt": 3}, [1, 2], True),
    ("length", {"gte": 2, "lt": 3}, [1, 2, 3], False),
    ("length", {"gte": 2, "lt": 3}, [1], False),
    ("length", {"between": 2}, [1], False),
    ("length", 0, ABSENT, False),
    # before / after are strict
    ("before", "2021-01-01T00:00:00Z", "2020-12-31T23:59:59Z", True),
    ("before", "2021-01-01T00:00:00Z", "2021-01-01T00:00:00Z", False),
    ("before", "2021-01-01T00:00:00Z", "2021-01-01T00:00:01Z", False),
    ("after", "2021-01-01T00:00:00Z", "2021-01-01T00:00:01Z", True),
    ("after", "2021-01-01T00:00:00Z", "2021-01-01T00:00:00Z", False),
    ("after", "2021-01-01T00:00:00Z", 1700000000, False),
    ("after", "now-1d", ABSENT, False),
]


@pytest.mark.parametrize(
    ("op", "expected", "value", "passed"),
    SINGLE,
    ids=[f"{op} {exp!r} on {'absent' if v is ABSENT else repr(v)}" for op, exp, v, _ in SINGLE],
)
def test_operator_on_one_value(op: str, expected: Any, value: Any, passed: bool) -> None:
    assert passes(op, expected, value) is passed


DOC = {
    "a": [1, 2, 3],
    "s": ["ab", "xb"],
    "m": [[1, 2, 3]],
    "objs": [{"n": 1, "t": "x"}, {"n": 5, "t": "y"}],
    "x:y": [1, 2],
    "when": ["2020-01-01T00:00:00Z", "2020-06-01T00:00:00Z"],
}

MULTI = [
    # comparisons hold for every value; the boundary value decides
    ("$.a[*]", "lt", 4, True),
    ("$.a[*]", "lt", 3, False),
    ("$.a[*]", "lte", 3, True),
    ("$.a[*]", "gt", 0, True),
    ("$.a[*]", "gt", 1, False),
    ("$.a[*]", "gte", 1, True),
    ("$.a[*]", "gte", 2, False),
    ("$.a[*]", "in", [1, 2, 3], True),
    ("$.a[*]", "in", [1, 2], False),
    ("$.a[*]", "type", "integer", True),
    # a slice selects several values, even when it selects one
    ("$.a[0:2]", "lt", 3, True),
    ("$.a[0:3]", "lt", 3, False),
    ("$.a[1:]", "gt", 1, True),
    ("$.a[0:2]", "type", "integer", True),
    ("$.a[0:2]", "length", 2, True),
    ("$.m[0:1]", "length", 1, True),  # one selected value, which is a list of three
    ("$.m[0:1]", "type", "array", True),
    ("$.m[*]", "length", 1, True),
    ("$.m[0]", "length", 3, True),  # a single path: the list itself
    # unions
    ("$.a[0,2]", "length", 2, True),
    ("$.a[0,2]", "contains", 3, True),
    ("$.a[0,2]", "contains", 2, False),
    # matches holds for every selected string, not for the list's text
    ("$.s[*]", "matches", "a", False),
    ("$.s[*]", "matches", "b$", True),
    ("$..t", "matches", "^[xy]$", True),
    ("$..t", "matches", "^x$", False),
    # contains looks for an equal value among those selected
    ("$.objs[*].n", "contains", 5, True),
    ("$.objs[*].n", "contains", True, False),
    ("$.objs[*].t", "contains", "x", True),
    ("$.s[?(@ == 'ab')]", "contains", "a", False),  # an equal value, not a substring
    # equals: one value as that value, several as the list when a list is expected
    ("$.objs[?(@.n > 2)].t", "equals", "y", True),
    ("$.objs[?(@.n > 2)].t", "equals", ["y"], True),
    ("$.objs[*].t", "equals", ["x", "y"], True),
    ("$.objs[*].t", "equals", "x", False),
    ("$.objs[*].n", "notEquals", [1, 5], False),
    # none selected: every-value operators hold vacuously, the others do not
    ("$.objs[?(@.n > 9)].n", "gt", 100, True),
    ("$.objs[?(@.n > 9)].n", "matches", "^never$", True),
    ("$.objs[?(@.n > 9)].n", "exists", False, True),
    ("$.objs[?(@.n > 9)].n", "exists", True, False),
    ("$.objs[?(@.n > 9)].n", "length", 0, True),
    ("$.objs[?(@.n > 9)].n", "contains", 1, False),
    ("$.objs[?(@.n > 9)].n", "equals", None, False),
    ("$.objs[?(@.n > 9)].n", "notEquals", 1, False),
    ("$.objs[?(@.n > 0)].n", "exists", True, True),
    # dates
    ("$.when[*]", "before", "2020-07-01T00:00:00Z", True),
    ("$.when[*]", "before", "2020-06-01T00:00:00Z", False),
    ("$.when[*]", "after", "2019-12-31T23:59:59Z", True),
    # a quoted key with ':' or ',' is one value, not a slice or a union
    ("$['x:y']", "length", 2, True),
    ("$['x:y']", "equals", [1, 2], True),
]


@pytest.mark.parametrize(("path", "op", "expected", "passed"), MULTI)
def test_operator_on_a_selection(path: str, op: str, expected: Any, passed: bool) -> None:
    assert outcome("jsonpath", path, op, expected, response(DOC))[0] is passed


OTHER_SUBJECTS = [
    ("status", None, "equals", 200, True),
    ("status", None, "equals", "200", True),  # from a variable: text
    ("status", None, "equals", " 200 ", True),
    ("status", None, "equals", 201, False),
    ("status", None, "in", ["404", 200], True),
    ("status", None, "in", ["404", "500"], False),
    ("status", None, "lt", 300, True),
    ("status", None, "gte", 201, False),
    ("headers", "content-type", "equals", "application/json", True),
    ("headers", "CONTENT-TYPE", "contains", "json", True),
    ("headers", "X-Count", "equals", 5, True),  # header text against a number's JSON text
    ("headers", "X-Count", "lt", 10, True),
    ("headers", "X-Count", "gt", 5, False),
    ("headers", "X-Flag", "equals", True, True),
    ("headers", "X-Flag", "equals", "True", False),
    ("headers", "X-Absent", "exists", False, True),
    ("headers", "X-Absent", "exists", True, False),
    ("headers", "X-Absent", "notEquals", "x", False),
    ("body", None, "equals", '{"v": [1, 2]}', True),
    ("body", None, "equals", '{"v":[1,2]}', False),  # the body is compared as text
    ("body", None, "contains", "[1, 2]", True),
    ("body", None, "matches", '^\\{"v"', True),
    ("responseTime", None, "lt", 12.346, False),  # 12.3456 ms, to the microsecond
    ("responseTime", None, "lte", 12.346, True),
    ("responseTime", None, "gt", 12.345, True),
]


@pytest.mark.parametrize(("subject", "target", "op", "expected", "passed"), OTHER_SUBJECTS)
def test_status_headers_body_and_time(
    subject: str, target: str | None, op: str, expected: Any, passed: bool
) -> None:
    resp = response({"v": [1, 2]}, headers={"Content-Type": "application/json", "X-Count": "5",
                                            "X-Flag": "true"})  # fmt: skip
    assert outcome(subject, target, op, expected, resp)[0] is passed


@pytest.mark.parametrize(
    ("path", "op", "expected", "actual", "message"),
    [
        ("$.v", "lt", 2, 2, "jsonpath $.v: expected lt 2, got 2"),
        ("$.v", "equals", "a", 2, "jsonpath $.v: expected equals 'a', got 2"),
        ("$.nope", "exists", True, "(absent)", "jsonpath $.nope: expected exists true, got "
         "nothing (absent)"),
        ("$.w[*]", "gt", 5, [1, 2], "jsonpath $.w[*]: expected gt 5, got [1, 2]"),
        ("$.w[0:1]", "gt", 5, 1, "jsonpath $.w[0:1]: expected gt 5, got 1"),
        ("$.w[?(@ > 7)]", "exists", True, [], "jsonpath $.w[?(@ > 7)]: expected exists true, "
         "got nothing (no value selected)"),
        ("$.v", "lt", "x", 2, "jsonpath $.v: expected lt 'x', got 2 (cannot compare: could not "
         "convert string to float: 'x')"),
        ("$.v", "in", 2, 2, "jsonpath $.v: expected in 2, got 2 (cannot compare: in needs a "
         "list, not 2)"),
    ],
)  # fmt: skip
def test_failure_reports_expected_and_actual(
    path: str, op: str, expected: Any, actual: Any, message: str
) -> None:
    passed, shown, text = outcome("jsonpath", path, op, expected, response({"v": 2, "w": [1, 2]}))
    assert (passed, shown, text) == (False, actual, message)


def test_passing_check_has_no_message_and_reports_the_actual_value() -> None:
    assert outcome("jsonpath", "$.w[*]", "lt", 5, response({"w": [1, 2]})) == (True, [1, 2], "")
    assert outcome("jsonpath", "$.w[1:]", "lt", 5, response({"w": [1, 2]})) == (True, 2, "")


def test_label_names_subject_target_and_operator() -> None:
    check = Check("jsonpath", "$.v", "lt", 1, HERE)
    result = evaluate(check, subject_value(check, response({"v": 0})), 1)
    assert (result.name, result.expected) == ("jsonpath $.v lt", 1)
    status = Check("status", None, "equals", "200", HERE)
    assert evaluate(status, 200, "200").name == "status equals"


def test_jsonpath_on_a_body_that_is_not_json_is_a_request_error() -> None:
    check = Check("jsonpath", "$.v", "exists", True, HERE)
    with pytest.raises(RequestError, match=r"^cannot evaluate JSONPath \$\.v: "):
        subject_value(check, response(text="<html>"))


def test_long_values_are_cut_in_messages() -> None:
    long = "x" * 500
    _, _, message = outcome("jsonpath", "$.v", "equals", "y", response({"v": long}))
    assert message == f"jsonpath $.v: expected equals 'y', got {'x' * 199 + '…'!r}"


def test_a_long_actual_value_is_masked_then_capped_for_reports() -> None:
    # Reports keep BODY_LIMIT (4,000) characters of an actual text; past it they mask the
    # whole text first (a secret cut at the limit would escape the mask), then cap it.
    def mask(text: str) -> str:
        return text.replace("s3cret", "***")

    check = Check("body", None, "equals", "other", HERE)
    at_limit = "s3cret" + "x" * 3994
    kept = evaluate(check, subject_value(check, response(text=at_limit)), "other", mask).actual
    assert kept == at_limit  # not past the limit: kept whole (masked later, with the report)
    over = "s3cret" + "x" * 4000
    kept = evaluate(check, subject_value(check, response(text=over)), "other", mask).actual
    assert kept == "***" + "x" * 3997 + "… [3 more characters of 4003 not shown]"


@pytest.mark.parametrize(
    ("op", "expected", "value", "message"),
    [
        ("type", "date", 1, "unknown type 'date'; one of string, number, integer, boolean, "
         "array, object, null"),
        ("type", "d" * 300, 1, f"unknown type {'d' * 300!r}; one of string, number, integer, "
         "boolean, array, object, null"),
        ("in", "x" * 300, 1, f"in needs a list, not {'x' * 300!r}"),
        ("length", {"between": 1}, [1], "unknown length operator 'between'"),
        ("before", "2020-01-01T00:00:00Z", 5, "5 is not a date-time"),
        ("after", "now", ["y" * 300], f'["{"y" * 300}"] is not a date-time'),
        ("lt", 1, None, "null is not a number"),
        ("lt", 1, ABSENT, "'(absent)' is not a number"),
    ],
)  # fmt: skip
def test_why_values_cannot_be_compared(op: str, expected: Any, value: Any, message: str) -> None:
    """The reason is shown whole up to 1,000 characters (the final message is cut at 600)."""
    doc = {} if value is ABSENT else {"v": value}
    passed, _, text = outcome("jsonpath", "$.v", op, expected, response(doc))
    assert not passed
    full = text.split(" (cannot compare: ", 1)[0] + f" (cannot compare: {message})"
    assert text == (full if len(full) <= 600 else full[:599] + "…")


@pytest.mark.parametrize(
    ("text", "headers", "reason"),
    [
        ("<html>\n<p>hi</p>", {"Content-Type": "text/html"},
         "the response body is not JSON (text/html): '<html> <p>hi</p>'"),
        ("oops", {}, "the response body is not JSON (no Content-Type): 'oops'"),
        ("y" * 60, {}, f"the response body is not JSON (no Content-Type): '{'y' * 60}'"),
        ("z" * 80, {"content-type": "text/plain"},
         f"the response body is not JSON (text/plain): '{'z' * 59}…'"),
        ("", {}, "the response body is empty (status 200)"),
    ],
)  # fmt: skip
def test_why_a_body_is_not_json(text: str, headers: dict[str, str], reason: str) -> None:
    check = Check("jsonpath", "$.v", "exists", True, HERE)
    with pytest.raises(RequestError) as caught:
        subject_value(check, response(text=text, headers=headers))
    assert caught.value.message == f"cannot evaluate JSONPath $.v: {reason}"


@pytest.mark.parametrize(
    ("expected", "value"),
    [({"a": 1}, ["a"]), (["a"], {"a": 1}), ({"a": 1}, [1]), ([1], {"a": 1}), (1, [1]), ([1], 1)],
)
def test_objects_arrays_and_numbers_never_equal_each_other(expected: Any, value: Any) -> None:
    assert passes("equals", expected, value) is False
    assert passes("notEquals", expected, value) is True


def test_messages_are_masked_and_name_the_subject() -> None:
    def mask(text: str) -> str:
        return text.replace("s3cret", "***")

    check = Check("jsonpath", "$.v", "equals", "s3cret-x", HERE)
    resp = response({"v": "s3cret-y"})
    failed = evaluate(check, subject_value(check, resp), "s3cret-x", mask)
    assert failed.message == "jsonpath $.v: expected equals '***-x', got '***-y'"
    odd = Check("jsonpath", "$.v", "lt", "s3cret", HERE)
    broken = evaluate(odd, subject_value(odd, resp), "s3cret", mask)
    assert (broken.name, broken.passed, broken.expected, broken.actual) == (
        "jsonpath $.v lt",
        False,
        "s3cret",
        "s3cret-y",
    )
    assert "s3cret" not in broken.message and broken.message.startswith(
        "jsonpath $.v: expected lt '***', got '***-y' (cannot compare: "
    )
    status = Check("status", None, "equals", 201, HERE)
    assert evaluate(status, 200, 201).message == "status: expected equals 201, got 200"
    text = Check("jsonpath", "$.v", "equals", {"k": "é"}, HERE)
    assert evaluate(text, "x", {"k": "é"}).message == (
        'jsonpath $.v: expected equals {"k": "é"}, got \'x\''
    )
