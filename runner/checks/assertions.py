"""Assertions: a Check and a response → an AssertionResult. A failed check is data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime

from runner.checks.dates import parse_moment
from runner.checks.query import (
    NOTHING,
    Selection,
    compile_regex,
    jsonpath_value,
    parse_cookie_target,
)
from runner.checks.schema import NotJson, schema_assertion
from runner.errors import RequestError
from runner.model import Check
from runner.results import BODY_LIMIT, AssertionResult, capped
from runner.transport.cookies import attribute, find_cookie
from runner.transport.http import HttpResponse
from runner.values import JSON

Mask = Callable[[str], str]
BRIEF = 200
"""How many characters of a value a failure message shows (after masking)."""


def _same(text: str) -> str:
    return text


def subject_value(check: Check, response: HttpResponse, mask: Mask = _same) -> JSON:
    """Returns the value a check looks at, or NOTHING when absent.

    Raises:
        RequestError: a jsonpath check on a body that is not JSON.
    """
    if check.subject == "status":
        return response.status
    if check.subject == "responseTime":
        return round(response.elapsed_ms, 3)
    if check.subject == "headers":
        value = response.headers.get(check.target or "")
        return NOTHING if value is None else value
    if check.subject == "body":
        return response.text
    if check.subject == "cookies":
        return cookie_value(check.target or "", response)
    try:
        document = response.json()
    except ValueError:
        reason = not_json_reason(response, mask)
        if check.subject == "schema":
            return NotJson(reason)  # a failed schema assertion, not an error of the request
        raise RequestError(f"cannot evaluate JSONPath {check.target}: {reason}") from None
    if check.subject == "schema":
        return document
    # A multi-valued path gives a Selection (see evaluate), a single one its value or NOTHING.
    return jsonpath_value(check.target or "$", document)


def cookie_value(target: str, response: HttpResponse) -> JSON:
    """Returns cookie `name` or its `name[Attribute]` after `response`, NOTHING when absent.

    The cookie is the one the response set, else the one the run's jar holds for its URL.
    """
    parsed = parse_cookie_target(target)
    if parsed is None:
        return NOTHING
    name, attr = parsed
    cookie = find_cookie(name, response.set_cookies, response.jar, response.url)
    found = attribute(cookie, attr) if cookie is not None else None
    return NOTHING if found is None else found


ELEMENTWISE = frozenset({"type", "matches", "lt", "lte", "gt", "gte", "before", "after"})
"""Operators that, on a multi-valued JSONPath, must hold for every selected value."""


def evaluate(check: Check, actual: JSON, expected: JSON, mask: Mask = _same) -> AssertionResult:
    """Returns the result of applying `check.op` with the rendered `expected` to `actual`.

    `mask` hides secrets in the message before values are shortened, so no prefix of a
    secret is left at the cut.
    """
    if check.op == "schema":
        return schema_assertion(check, actual, mask)
    name = check.label
    if check.subject == "status":
        # A status from a variable (--var, CSV data, environment) arrives as text.
        expected = _as_status(expected)
    operation = OPERATIONS[check.op]
    try:
        if isinstance(actual, Selection):
            passed = _multi(check.op, actual, expected)
        else:
            passed = operation(actual, expected)
    except (TypeError, ValueError, re.error) as exc:  # re.error: a <<var>> regex
        # The exception's text was cut further in than this message is: no prefix survives.
        message = _cut(mask(f"{_message(check, actual, expected, mask)} (cannot compare: {exc})"))
        return AssertionResult(name, False, expected, _kept(actual, mask), message)
    message = "" if passed else _message(check, actual, expected, mask)
    return AssertionResult(name, passed, expected, _kept(actual, mask), message)


def _kept(actual: JSON, mask: Mask) -> JSON:
    """Returns the actual value as reports keep it: a long text (a body) masked, then capped."""
    shown = _shown(actual)
    if isinstance(shown, str) and len(shown) > BODY_LIMIT:
        return capped(mask(shown))
    return shown


def _multi(op: str, values: Selection, expected: JSON) -> bool:
    """Returns whether `op` holds for the values a wildcard/filter JSONPath selected.

    type, matches, in and the comparisons must hold for every value (none: vacuously);
    length counts the values; contains looks for one equal to `expected`; exists means at
    least one; equals compares the one value (or the list, when a list is expected).
    """
    operation = OPERATIONS[op]
    if op in ELEMENTWISE or op == "in":
        return all(operation(value, expected) for value in values)
    if op == "length":
        return _length(values, expected)
    if op == "contains":
        return any(_equals(value, expected) for value in values)
    if op == "exists":
        return bool(values) == bool(expected)
    subject: JSON = list(values) if isinstance(expected, list) or len(values) != 1 else values[0]
    return operation(subject if values else NOTHING, expected)


def _as_status(expected: JSON) -> JSON:
    if isinstance(expected, str) and expected.strip().isdigit():
        return int(expected)
    if isinstance(expected, list):
        return [_as_status(v) for v in expected]
    return expected


def _shown(actual: JSON) -> JSON:
    """Returns the actual value as reports show it (one selected value as that value)."""
    if isinstance(actual, Selection):
        return actual[0] if len(actual) == 1 else list(actual)
    return "(absent)" if actual is NOTHING else actual


def _message(check: Check, actual: JSON, expected: JSON, mask: Mask = _same) -> str:
    where = check.subject + (f" {check.target}" if check.target else "")
    if actual is NOTHING:
        got = "nothing (absent)"
    elif isinstance(actual, Selection) and not actual:
        got = "nothing (no value selected)"
    else:
        got = _brief(_shown(actual), mask)
    return f"{where}: expected {check.op} {_brief(expected, mask)}, got {got}"


def _brief(value: JSON, mask: Mask = _same, limit: int = BRIEF) -> str:
    """Returns `value` for a message: masked first, then cut to `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = _cut(mask(text), limit)
    return repr(text) if isinstance(value, str) else text


def _cut(text: str, limit: int = 3 * BRIEF) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def not_json_reason(response: HttpResponse, mask: Mask = _same) -> str:
    """Returns why the body is not JSON, with its start masked before it is cut."""
    ctype = response.headers.get("Content-Type", "no Content-Type")
    if not response.body:
        return f"the response body is empty (status {response.status})"
    problem = response.utf8_problem()
    if problem is not None:
        return problem
    start = _cut(mask(response.text), 60).replace("\n", " ")
    return f"the response body is not JSON ({ctype}): {start!r}"


_FAR = 5 * BRIEF
"""Values in exception texts are cut here, beyond the final cut of the message (3 * BRIEF)."""


def _equals(actual: JSON, expected: JSON) -> bool:
    if actual is NOTHING:
        return False
    if isinstance(actual, str) and not isinstance(expected, str):
        # Headers and bodies are text; compare numbers and booleans as their JSON text.
        if isinstance(expected, dict | list):
            try:
                return _json_equal(json.loads(actual), expected)
            except ValueError:
                return False
        return actual == json.dumps(expected)
    return _json_equal(actual, expected)


def _json_equal(a: JSON, b: JSON) -> bool:
    """Returns JSON equality: true is not 1 at any depth; 1 and 1.0 are the same number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _type(actual: JSON, expected: str) -> bool:
    if actual is NOTHING:
        return False
    checks: dict[str, Callable[[JSON], bool]] = {
        "string": lambda v: isinstance(v, str),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "integer": lambda v: (
            (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, float) and v.is_integer())
        ),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
        "null": lambda v: v is None,
    }
    if expected not in checks:
        raise ValueError(f"unknown type {_brief(expected, limit=_FAR)}; one of {', '.join(checks)}")
    return checks[expected](actual)


def _contains(actual: JSON, expected: JSON) -> bool:
    """Text: has `expected` (a non-string as its JSON text); array: has an equal element;
    object: has the key."""
    if isinstance(actual, str):
        return (expected if isinstance(expected, str) else json.dumps(expected)) in actual
    if isinstance(actual, list):
        return any(_json_equal(value, expected) for value in actual)
    if isinstance(actual, dict):
        return isinstance(expected, str) and expected in actual
    return False


def _in(actual: JSON, expected: JSON) -> bool:
    if not isinstance(expected, list):
        raise TypeError(f"in needs a list, not {_brief(expected, limit=_FAR)}")
    return actual is not NOTHING and any(_equals(actual, value) for value in expected)


def _number(value: JSON) -> float:
    if isinstance(value, bool) or value is NOTHING or value is None:
        raise TypeError(f"{_brief(_shown(value), limit=_FAR)} is not a number")
    return float(value)


def _length(actual: JSON, expected: JSON) -> bool:
    if not isinstance(actual, str | list | dict):
        return False
    size = len(actual)
    if isinstance(expected, dict):
        unknown = sorted(set(expected) - set(OPERATIONS))
        if unknown:
            raise ValueError(f"unknown length operator '{unknown[0]}'")
        return all(OPERATIONS[op](size, want) for op, want in expected.items())
    return size == _number(expected)


def _moment(actual: JSON) -> datetime:
    if not isinstance(actual, str):
        raise TypeError(f"{_brief(_shown(actual), limit=_FAR)} is not a date-time")
    return parse_moment(actual)


OPERATIONS: dict[str, Callable[[JSON, JSON], bool]] = {
    "equals": _equals,
    "notEquals": lambda a, e: a is not NOTHING and not _equals(a, e),
    "exists": lambda a, e: (a is not NOTHING) == bool(e),
    "type": _type,
    "contains": _contains,
    "matches": lambda a, e: (
        a is not NOTHING
        and compile_regex(str(e)).search(a if isinstance(a, str) else json.dumps(a)) is not None
    ),
    "in": _in,
    "lt": lambda a, e: _number(a) < _number(e),
    "lte": lambda a, e: _number(a) <= _number(e),
    "gt": lambda a, e: _number(a) > _number(e),
    "gte": lambda a, e: _number(a) >= _number(e),
    "length": _length,
    "before": lambda a, e: _moment(a) < parse_moment(str(e)),
    "after": lambda a, e: _moment(a) > parse_moment(str(e)),
}
