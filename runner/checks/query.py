"""Reading values out of responses: status, headers, JSONPath, body, response time."""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any

from runner.values import JSON

NOTHING = object()
"""The sentinel for 'no value found' (distinct from a JSON null)."""


class Selection(list[JSON]):
    """The values a multi-valued JSONPath selected (wildcard, filter, `..`, slice, union).

    A list of its own type, so that one selected value that is itself a list is never
    mistaken for several selected values.
    """


@lru_cache(maxsize=1024)
def compile_jsonpath(expr: str) -> Any:  # a jsonpath-ng expression (untyped library)
    """Returns the compiled jsonpath-ng (extended dialect) expression; raises on bad syntax."""
    from jsonpath_ng.ext.parser import parse

    return parse(expr)


def jsonpath_error(expr: str) -> str | None:
    """Returns why `expr` is not a valid JSONPath, or None when it is."""
    try:
        # Evaluate once as well: jsonpath-ng parses operators it cannot evaluate (`&`,
        # intersection, raises a bare NotImplementedError on every document), and those
        # must fail at validation, before anything is sent. Its warnings (deprecations of
        # its own operators) are not for the user here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile_jsonpath(expr).find({})
    except Exception as exc:  # jsonpath-ng raises several unrelated exception types
        if str(exc):
            return str(exc).splitlines()[0]
        return f"jsonpath-ng cannot evaluate it ({type(exc).__name__})"
    return None


def regex_error(pattern: str) -> str | None:
    """Returns why `pattern` is not a valid regular expression, or None."""
    try:
        compile_regex(pattern)
    except re.error as exc:
        return str(exc)
    return None


@lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> re.Pattern[str]:
    """Returns the compiled regular expression (cached)."""
    return re.compile(pattern)


COOKIE_ATTRIBUTES = (
    "Value",
    "Domain",
    "Path",
    "Expires",
    "Max-Age",
    "Secure",
    "HttpOnly",
    "SameSite",
)
"""What a `cookies` assertion or a `cookie` capture can read: `name` or `name[Attribute]`."""

_TARGET = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<attr>[^\[\]]*)\])?$")


def parse_cookie_target(target: str) -> tuple[str, str] | None:
    """Returns (cookie name, attribute) of `name` or `name[Attribute]`, None when malformed.

    The attribute is "Value" when none is given; it is not checked against COOKIE_ATTRIBUTES.
    """
    match = _TARGET.match(target)
    if match is None:
        return None
    return match["name"], match["attr"] if match["attr"] is not None else "Value"


def jsonpath_values(expr: str, document: JSON) -> list[JSON]:
    """Returns every value `expr` selects in `document` (empty when none)."""
    return [m.value for m in compile_jsonpath(expr).find(document)]


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_GROUPS = re.compile(r"\[([^\]]*)\]|\(([^)]*)\)")


@lru_cache(maxsize=1024)
def is_multi(expr: str) -> bool:
    """Returns True when a JSONPath can select several values: a wildcard, `..`, a filter
    (`[?(...)]` or jsonpath-ng's `[?a > 1]`), a slice (`[1:3]`) or a union (`[0,2]`,
    `.(a,b)`, `$.a | $.b`). Quoted keys (`['a:b']`) do not count."""
    bare = _QUOTED.sub("''", expr)
    if "*" in bare or ".." in bare or "?" in bare or "|" in bare:
        return True
    return any(":" in a or "," in a or "," in b for a, b in _GROUPS.findall(bare))


def jsonpath_value(expr: str, document: JSON) -> JSON:
    """Returns what `expr` selects: for a multi-valued path (is_multi) a Selection of every
    value (empty when none); otherwise the one value, or NOTHING when there is none."""
    # Plain "$.a.b" paths on dicts are the common case; skip jsonpath-ng's machinery there.
    fast = _simple_path(expr)
    if fast is not None:
        node = document
        for key in fast:
            if isinstance(node, dict) and key in node:
                node = node[key]
            else:
                return NOTHING
        return node
    values = jsonpath_values(expr, document)
    if is_multi(expr) or len(values) > 1:
        return Selection(values)
    return values[0] if values else NOTHING


_SIMPLE = re.compile(r"^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$")


@lru_cache(maxsize=1024)
def _simple_path(expr: str) -> tuple[str, ...] | None:
    if not _SIMPLE.match(expr):
        return None
    return tuple(expr[2:].split("."))
