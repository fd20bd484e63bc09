"""Reading the few JavaScript expression shapes test scripts are made of.

Subjects (`pm.response.code`, `jsonData.a[0].b`, `pm.response.headers.get("X")`…), literal
values, `pm.*.get("x")` lookups and chai chains (`.to.be.an("array")`). Anything else gives
None, and the caller keeps the script as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runner.postman.jslex import scan
from runner.postman.jsplit import split_top, string_value
from runner.values import JSON

Aliases = dict[str, str]
"""Script variables holding (part of) the parsed response body: name → JSONPath, or BODY
for a variable holding the body text."""

BODY = "#body"

Subject = tuple[str, str | None]
"""(subject, target): ("status", None), ("headers", "Content-Type"), ("jsonpath", "$.a")…"""

_JSON_ROOTS = re.compile(
    r"(pm\.response\.json\(\)|JSON\.parse\(\s*(?:responseBody|pm\.response\.text\(\))\s*\))"
)
_ACCESSOR = re.compile(r"\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(\d+)\s*\]|\[\s*(['\"])(.*?)\3\s*\])")
_IDENT = re.compile(r"[A-Za-z_][\w]*")
_STRING = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
_HEADER = re.compile(
    rf"(?:pm\.response\.headers\.get|postman\.getResponseHeader)\(\s*({_STRING})\s*\)"
    rf"|responseHeaders\[\s*({_STRING})\s*\]"
)
_LOOKUP = re.compile(
    rf"(?:pm\.(?:environment|collectionVariables|globals|variables|iterationData)\.get"
    rf"|postman\.get(?:Environment|Global)Variable)\(\s*({_STRING})\s*\)"
)
_SIMPLE = {
    "pm.response.code": "status",
    "responseCode.code": "status",
    "pm.response.responseTime": "responseTime",
    "responseTime": "responseTime",
    "pm.response.text()": "body",
    "responseBody": "body",
}


def closing(text: str, open_at: int) -> int:
    """Returns the index of the bracket closing the one at `open_at` (-1 if none)."""
    base = None
    for i, _, depth in scan(text[open_at:]):
        if base is None:
            base = depth - 1
        elif depth == base:
            return open_at + i
    return -1


def json_root(expr: str, aliases: Aliases) -> tuple[str, str] | None:
    """Returns (JSONPath, rest) when `expr` starts at the parsed body or an alias of it."""
    match = _JSON_ROOTS.match(expr)
    if match:
        return "$", expr[match.end() :]
    ident = _IDENT.match(expr)
    if ident and aliases.get(ident.group(0), "").startswith("$"):
        return aliases[ident.group(0)], expr[ident.end() :]
    return None


def jsonpath(expr: str, aliases: Aliases) -> str | None:
    """Returns the JSONPath for `jsonData.a[0]["b-c"]`-style access, or None."""
    found = json_root(expr.strip(), aliases) or _lodash_get(expr, aliases)
    if found is None:
        return None
    path, rest = found
    while rest.strip():
        step = _ACCESSOR.match(rest)
        if step is None:
            return None
        path += accessor(step.group(1) or step.group(4), step.group(2))
        rest = rest[step.end() :]
    return path


def _lodash_get(expr: str, aliases: Aliases) -> tuple[str, str] | None:
    """Returns (JSONPath, rest) for lodash's `_.get(body, 'a.b[0]')` or `_.get(body, ['a', 0])`
    without a default (a default would hide a missing value the JSONPath reports)."""
    parsed = call(expr, "_.get")
    if parsed is None or len(parsed[0]) != 2:
        return None
    (root, where), rest = parsed
    base = jsonpath(root, aliases)
    ok, path = value(where)
    if base is None or not ok:
        return None
    steps = path if isinstance(path, list) else _LODASH_PATH.findall(str(path))
    for step in steps:
        if isinstance(step, tuple):  # a regex match: (name, index, quoted)
            step = step[0] or (int(step[1]) if step[1] else step[2])
        if isinstance(step, bool) or not isinstance(step, str | int) or step == "":
            return None
        base += accessor(None, str(step)) if isinstance(step, int) else accessor(step)
    return base, rest


# One step of a lodash path string: `name`, `[0]` or `["odd key"]`.
_LODASH_PATH = re.compile(r"""([^.\[\]]+)|\[(\d+)\]|\[["']([^"']*)["']\]""")


def accessor(name: str | None, index: str | None = None) -> str:
    """Returns one JSONPath step: `.name`, `[0]` or `['odd key']`."""
    if index is not None:
        return f"[{index}]"
    key = name or ""
    if _IDENT.fullmatch(key):
        return "." + key
    return "['" + key.replace("'", "\\'") + "']"


def subject(expr: str, aliases: Aliases) -> Subject | None:
    """Returns what an expression reads from the response, or None."""
    expr = unwrap(expr)
    if expr in _SIMPLE:
        return _SIMPLE[expr], None
    if aliases.get(expr) == BODY:
        return "body", None
    header = _HEADER.fullmatch(expr)
    if header:
        return "headers", string_value(header.group(1) or header.group(2))
    path = jsonpath(expr, aliases)
    return ("jsonpath", path) if path is not None else None


def unwrap(expr: str) -> str:
    """Returns `expr` without redundant outer parentheses."""
    expr = expr.strip()
    while expr.startswith("(") and closing(expr, 0) == len(expr) - 1:
        expr = expr[1:-1].strip()
    return expr


def value(expr: str) -> tuple[bool, JSON]:
    """Returns (True, value) for a JS literal or a variable lookup, (False, None) otherwise."""
    expr = expr.strip()
    text = string_value(expr)
    if text is not None:
        return True, text
    if re.fullmatch(r"-?\d+", expr):
        return True, int(expr)
    if re.fullmatch(r"-?\d*\.\d+(?:[eE][-+]?\d+)?", expr):
        return True, float(expr)
    if expr in ("true", "false", "null"):
        return True, {"true": True, "false": False, "null": None}[expr]
    lookup = _LOOKUP.fullmatch(expr)
    if lookup:
        return True, f"<<{string_value(lookup.group(1))}>>"
    if expr.startswith("[") and expr.endswith("]"):
        items = [value(part) for part in split_top(expr[1:-1], ",")]
        return all(ok for ok, _ in items), [v for _, v in items]
    if expr.startswith("{") and expr.endswith("}"):
        return _object(expr)
    return False, None


def _object(expr: str) -> tuple[bool, JSON]:
    out: dict[str, JSON] = {}
    for prop in split_top(expr[1:-1], ","):
        key, sep, rest = prop.partition(":")
        name = string_value(key) if string_value(key) is not None else key.strip()
        ok, val = value(rest)
        if not sep or not ok or not _IDENT.fullmatch(name or "x"):
            return False, None
        out[str(name)] = val
    return True, out


@dataclass(frozen=True)
class Link:
    """One chain step: `.word` or `.word(args)`."""

    word: str
    args: list[str] | None


def chain(text: str) -> list[Link] | None:
    """Returns the steps of a `.to.have.property("x")`-style chain, or None."""
    links: list[Link] = []
    rest = text.strip().rstrip(";").strip()
    while rest:
        step = re.match(r"\.\s*([A-Za-z]+)\s*", rest)
        if step is None:
            return None
        rest = rest[step.end() :]
        args = None
        if rest.startswith("("):
            end = closing(rest, 0)
            if end < 0:
                return None
            args = split_top(rest[1:end], ",")
            rest = rest[end + 1 :].strip()
        links.append(Link(step.group(1), args))
    return links


def call(text: str, prefix: str) -> tuple[list[str], str] | None:
    """Returns (arguments, rest) for `prefix(...)rest` when `text` starts with it."""
    text = text.strip()
    if not text.startswith(prefix + "("):
        return None
    end = closing(text, len(prefix))
    if end < 0:
        return None
    return split_top(text[len(prefix) + 1 : end], ","), text[end + 1 :]
