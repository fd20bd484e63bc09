"""Issue 3 point 5: every assertion subject and operator (pass and fail, expected and actual
in the message), JSONPath filters, captures keeping JSON types."""

from __future__ import annotations

import json

import pytest

from .conftest import run_cli

PASSING = {
    "status": [200, 201],
    "headers": {"content-type": "application/json", "CONTENT-TYPE": {"contains": "json"}},
    "jsonpath": {
        "$.total": {
            "equals": 2,
            "notEquals": 3,
            "exists": True,
            "type": "integer",
            "in": [1, 2],
            "lt": 3,
            "lte": 2,
            "gt": 1,
            "gte": 2,
        },
        "$.ratio": {"type": "number", "lt": "<<one>>"},
        "$.label": {"type": "string", "contains": "lo wo", "matches": "^hel+o\\s", "length": 11},
        "$.enabled": {"type": "boolean", "equals": True},
        "$.nothing": {"type": "null", "exists": True, "equals": None},
        "$.value": {
            "type": "array",
            "length": {"gte": 2, "lt": 5},
            "contains": {
                "name": "rg1",
                "location": "westeurope",
                "tags": {"env": "dev"},
                "count": 3,
            },
        },
        "$.value[0]": {"type": "object", "contains": "tags"},
        "$.value[0].tags": {"equals": {"env": "dev"}},
        "$.missing": {"exists": False},
        "$['@odata.nextLink']": {"matches": "^https://"},
        "$.value[?(@.name=='rg1')]": {"exists": True, "length": 1},
        # One match is compared as that value; wildcards check every value, none vacuously.
        "$.value[?(@.name=='rg1')].location": {"contains": "westeurope", "equals": "westeurope"},
        "$.value[*].count": {"type": "integer", "gte": 1},
        "$.value[?(@.name=='none')].count": {"gt": 100, "exists": False, "length": 0},
        "$.value[?(@.count > 4)].name": {"contains": "rg2"},
        "$.value[*].name": ["rg1", "rg2"],
        "$.value[0].name": "<<group>>",
    },
    "body": {"contains": '"total": 2'},
    "responseTime": {"lt": 10000, "gte": 0},
}

FAILING = {
    "status": {"equals": 404},
    "headers": {"Content-Type": "text/html", "X-Absent": {"exists": True}},
    "jsonpath": {
        "$.total": {
            "equals": 3,
            "notEquals": 2,
            "type": "string",
            "in": [5, 6],
            "lt": 1,
            "lte": 1,
            "gt": 2,
            "gte": 3,
        },
        "$.label": {"contains": "bye", "matches": "^bye", "length": 3},
        "$.missing": {"exists": True},
        "$.value": {"length": {"gt": 5}},
        "$.value[*].count": {"gt": 3, "contains": 99, "length": 5},
        "$.value[?(@.name=='rg1')].location": {"equals": "northeurope"},
    },
    "body": "exactly this",
    "responseTime": {"gt": 999999},
}


def _run_report(coll, tmp_path, server, asserts, **extra):
    path = coll(
        {"name": "r", "url": f"{server.url}/json", "assert": asserts, **extra},
        variables={"one": 1, "group": "rg1"},
    )
    result = run_cli("run", path, "--json", tmp_path / "r.json")
    report = json.loads((tmp_path / "r.json").read_text())
    return result, report["results"][0]["assertions"]


def _count(asserts) -> int:
    n = 0
    for subject, spec in asserts.items():
        if subject in ("headers", "jsonpath"):
            for value in spec.values():
                n += len(value) if isinstance(value, dict) else 1
        elif isinstance(spec, dict):
            n += len(spec)
        else:
            n += 1
    return n


def test_every_operator_passing(tmp_path, server, coll):
    result, assertions = _run_report(coll, tmp_path, server, PASSING)
    failed = [a for a in assertions if not a["passed"]]
    assert failed == [], failed
    assert result.code == 0
    assert len(assertions) == _count(PASSING)


def test_every_operator_failing_with_expected_and_actual(tmp_path, server, coll):
    result, assertions = _run_report(coll, tmp_path, server, FAILING)
    assert result.code == 1
    assert len(assertions) == _count(FAILING)
    assert [a for a in assertions if a["passed"]] == []
    for a in assertions:
        assert "expected" in a["message"] and "got" in a["message"], a
    by_name = {a["name"]: a for a in assertions}
    assert by_name["status equals"]["actual"] == 200 and by_name["status equals"]["expected"] == 404
    assert by_name["jsonpath $.total type"]["message"] == (
        "jsonpath $.total: expected type 'string', got 2"
    )
    assert by_name["headers X-Absent exists"]["message"].endswith("got nothing (absent)")
    assert by_name["jsonpath $.label length"]["actual"] == "hello world"
    # Each failed operator is its own console line with expected and actual.
    assert "✘ jsonpath $.total: expected lt 1, got 2" in result.out
    assert "✘ jsonpath $.total: expected gte 3, got 2" in result.out
    assert (
        "✘ headers Content-Type: expected equals 'text/html', got 'application/json'" in result.out
    )


@pytest.mark.parametrize(
    ("spec", "passed"),
    [
        ({"$.past": {"before": "now"}}, True),
        ({"$.past": {"before": "2001-02-03T04:05:07Z"}}, True),
        ({"$.future": {"after": "now+30d"}}, True),
        ({"$.past": {"after": "now-2h"}}, False),
        ({"$.future": {"before": "now+15m"}}, False),
    ],
)
def test_before_after_with_relative_moments(tmp_path, server, coll, spec, passed):
    path = coll({"name": "d", "url": f"{server.url}/dates", "assert": {"jsonpath": spec}})
    result = run_cli("run", path)
    assert result.code == (0 if passed else 1), result.text
    if not passed:
        assert "expected before" in result.out or "expected after" in result.out


def test_status_list_and_matcher(server, coll):
    path = coll(
        {"name": "list", "url": f"{server.url}/status/204", "assert": {"status": [200, 204]}},
        {
            "name": "matcher",
            "url": f"{server.url}/status/503",
            "assert": {"status": {"gte": 500, "lt": 600}},
        },
        {"name": "list fail", "url": f"{server.url}/status/418", "assert": {"status": [200, 204]}},
    )
    result = run_cli("run", path)
    assert result.code == 1
    assert "✘ status: expected in [200, 204], got 418" in result.out
    assert result.out.count("✘") == 2  # the request line and its one failed assertion


def test_expected_values_may_hold_variables(server, coll):
    path = coll(
        {
            "name": "v",
            "url": f"{server.url}/json",
            "assert": {"jsonpath": {"$.label": "hello <<who>>", "$.total": "<<n>>"}},
        },
        variables={"who": "world", "n": 2},
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text


def test_captures_keep_json_types_and_feed_later_requests(tmp_path, server, coll):
    path = coll(
        {
            "name": "first",
            "url": f"{server.url}/json",
            "capture": {
                "total": "$.total",
                "on": {"jsonpath": "$.enabled"},
                "group": "$.value[0]",
                "ctype": {"header": "content-type"},
                "code": {"status": True},
                "word": {"regex": '"label": "(\\w+) (\\w+)"', "group": 2},
            },
        },
        {
            "name": "second",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {
                "json": {
                    "total": "<<total>>",
                    "on": "<<on>>",
                    "group": "<<group>>",
                    "ctype": "<<ctype>>",
                    "code": "<<code>>",
                    "word": "<<word>>",
                }
            },
            "assert": {
                "jsonpath": {
                    "$.json.total": 2,
                    "$.json.on": True,
                    "$.json.code": 200,
                    "$.json.group.name": "rg1",
                    "$.json.word": "world",
                    "$.json.ctype": "application/json",
                }
            },
        },
    )
    result = run_cli("run", path, "--json", tmp_path / "r.json")
    assert result.code == 0, result.text
    captures = json.loads((tmp_path / "r.json").read_text())["results"][0]["captures"]
    assert captures["total"] == 2 and captures["on"] is True and captures["code"] == 200
    assert captures["group"]["tags"] == {"env": "dev"}


def test_failed_capture_is_a_failed_assertion(tmp_path, server, coll):
    path = coll({"name": "c", "url": f"{server.url}/json", "capture": {"x": "$.nope"}})
    result = run_cli("run", path)
    assert result.code == 1
    assert "capture x: $.nope found nothing in the response" in result.out


def test_runtime_oddities_are_failures_not_tracebacks(tmp_path, server, coll):
    path = coll(
        {"name": "regex from a variable", "url": f"{server.url}/json",
         "assert": {"body": {"matches": "<<bad>>"}}},
        {"name": "length from a word", "url": f"{server.url}/json",
         "assert": {"jsonpath": {"$.value": {"length": "<<word>>"}}}},
        {"name": "type inside length", "url": f"{server.url}/json",
         "assert": {"jsonpath": {"$.value": {"length": {"type": "x"}}}}},
        {"name": "unknown charset", "url": f"{server.url}/ctype?t=text/plain;%20charset=nonsense",
         "assert": {"body": "caf?"}},
        {"name": "after", "url": f"{server.url}/json", "assert": {"status": 200}},
        variables={"bad": "((", "word": "abc"},
    )  # fmt: skip
    result = run_cli("run", path, "--json", tmp_path / "r.json")
    assert result.code == 1
    assert "Traceback" not in result.text
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    messages = [r["assertions"][0]["message"] for r in results[:3]]
    assert "cannot compare: missing ), unterminated subpattern" in messages[0]
    assert messages[1].startswith("jsonpath $.value: expected length 'abc', got [")
    assert "unknown type 'x'" in messages[2]
    assert results[3]["outcome"] == "failed" and results[3]["status"] == 200
    assert results[4]["outcome"] == "passed"


def test_length_must_match_exactly(server, coll):
    path = coll({"name": "r", "url": f"{server.url}/json",
                 "assert": {"jsonpath": {"$.value": {"length": 2.5}}}})  # fmt: skip
    assert run_cli("run", path).code == 1


def test_status_from_a_variable(tmp_path, server, coll):
    data = tmp_path / "rows.csv"
    data.write_text("code,codes\n200,201\n")
    path = coll(
        {"name": "whole", "url": f"{server.url}/json", "assert": {"status": "<<code>>"}},
        {"name": "matcher", "url": f"{server.url}/json",
         "assert": {"status": {"equals": "<<code>>", "in": ["<<codes>>", "<<code>>"]}}},
        {"name": "wrong", "url": f"{server.url}/status/500", "assert": {"status": "<<code>>"}},
    )  # fmt: skip
    result = run_cli("run", path, "-d", data)
    assert result.code == 1
    assert "✔ whole" in result.out and "✔ matcher" in result.out
    assert "✘ status: expected equals 200, got 500" in result.out


def test_capture_group_that_does_not_exist_is_invalid_input(server, coll):
    path = coll({"name": "r", "url": f"{server.url}/json",
                 "capture": {"x": {"regex": "(a)(b)", "group": 3}}})  # fmt: skip
    result = run_cli("validate", path)
    assert result.code == 2
    assert "#/items/0/capture/x/group (r): capture group 3 does not exist" in result.err


def test_unknown_operator_inside_length_is_invalid_input(server, coll):
    length = {"length": {"gte": 1, "lesser": 3}}
    path = coll(
        {"name": "r", "url": f"{server.url}/json", "assert": {"jsonpath": {"$.value": length}}}
    )
    result = run_cli("validate", path)
    assert result.code == 2
    assert "#/items/0/assert/jsonpath/$.value/length/lesser (r)" in result.err
    assert "unknown assertion operator 'lesser'" in result.err


def test_length_on_a_selection_counts_the_selected_values(server, coll):
    """Issue 10 point 19: `..` selecting one two-item array has length 1 (one value selected);
    selecting two values has length 2; a plain path gives the array's own length."""
    one = {"a": {"items": [1, 2]}}
    two = {"a": {"items": [1, 2]}, "b": {"items": [3]}}
    path = coll(
        {"name": "one array", "method": "POST", "url": f"{server.url}/echo", "body": {"json": one},
         "assert": {"jsonpath": {"$.json..items": {"length": 1},
                                 "$.json.a.items": {"length": 2},
                                 "$.json..items[*]": {"length": 2}}}},
        {"name": "two arrays", "method": "POST", "url": f"{server.url}/echo", "body": {"json": two},
         "assert": {"jsonpath": {"$.json..items": {"length": 2, "type": "array"},
                                 "$.json..items[*]": {"length": 3}}}},
        {"name": "wrong", "method": "POST", "url": f"{server.url}/echo", "body": {"json": one},
         "assert": {"jsonpath": {"$.json..items": {"length": 2}}}},
    )  # fmt: skip
    result = run_cli("run", path)
    assert result.code == 1, result.text
    assert "✔ one array" in result.out and "✔ two arrays" in result.out
    assert "✘ jsonpath $.json..items: expected length 2, got [1, 2]" in result.out


def test_before_after_read_http_dates(server, coll):
    """Issue 10 point 18: RFC 7231 dates (the `Date` header, IMF-fixdate, RFC 850, asctime)
    as actual and expected values of `before`/`after`."""
    y2k = "Sat, 01 Jan 2000 00:00:00 GMT"
    around = {"before": "1994-11-06T08:49:38Z", "after": "Sun, 06 Nov 1994 08:49:36 GMT"}
    dates = {
        "imf": "Sun, 06 Nov 1994 08:49:37 GMT",
        "rfc850": "Sunday, 06-Nov-94 08:49:37 GMT",
        "asctime": "Sun Nov  6 08:49:37 1994",
    }
    path = coll(
        {"name": "header", "url": f"{server.url}/json",
         "assert": {"headers": {"Date": {"before": "now+1m", "after": y2k}}}},
        {"name": "forms", "method": "POST", "url": f"{server.url}/echo", "body": {"json": dates},
         "assert": {"jsonpath": {f"$.json.{key}": around for key in dates}}},
        {"name": "late", "url": f"{server.url}/json",
         "assert": {"headers": {"Date": {"before": y2k}}}},
    )  # fmt: skip
    result = run_cli("run", path)
    assert result.code == 1, result.text
    assert "✔ header" in result.out and "✔ forms" in result.out
    assert f"✘ headers Date: expected before '{y2k}'" in result.out
    invalid_date = {"headers": {"Date": {"before": "Sun, 32 Nov 1994"}}}
    bad = coll({"name": "r", "url": f"{server.url}/json", "assert": invalid_date}, file="b.json")
    invalid = run_cli("validate", bad)
    assert invalid.code == 2
    assert "neither an ISO 8601 date-time nor an HTTP date" in invalid.err
