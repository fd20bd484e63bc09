"""Recognising test-script statements that have a declarative equivalent.

A statement is either recognised whole — as assertions, a capture or an alias such as
`var jsonData = pm.response.json()` — or not at all.
"""

from __future__ import annotations

import re

from runner.postman.checks import CheckTuple, Result, allowed
from runner.postman.jsexpr import (
    BODY,
    Aliases,
    Link,
    accessor,
    call,
    chain,
    jsonpath,
    subject,
    unwrap,
    value,
)
from runner.postman.jsplit import statements, string_value
from runner.postman.legacy import legacy_test
from runner.postman.schemas import expect_valid, json_schema_link, schema_alias
from runner.values import JSON

_FILLER = {
    "to",
    "be",
    "been",
    "is",
    "that",
    "which",
    "and",
    "has",
    "have",
    "with",
    "at",
    "of",
    "same",
    "deep",
    "does",
    "still",
    "also",
}
_OPS = {
    "eql": "equals",
    "equal": "equals",
    "equals": "equals",
    "eq": "equals",
    "include": "contains",
    "includes": "contains",
    "contain": "contains",
    "contains": "contains",
    "above": "gt",
    "gt": "gt",
    "greaterThan": "gt",
    "below": "lt",
    "lt": "lt",
    "lessThan": "lt",
    "least": "gte",
    "gte": "gte",
    "most": "lte",
    "lte": "lte",
    "lengthOf": "length",
    "length": "length",
    "oneOf": "in",
    "match": "matches",
}
_FLAGS: dict[str, tuple[str, JSON]] = {
    "true": ("equals", True),
    "false": ("equals", False),
    "null": ("equals", None),
    "exist": ("exists", True),
    "undefined": ("exists", False),
}
_TYPES = {
    "array": "array",
    "object": "object",
    "string": "string",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
}
_SETTERS = re.compile(
    r"(?:pm\.(?:environment|collectionVariables|globals|variables)\.set"
    r"|postman\.set(?:Environment|Global)Variable)"
)
_ALIAS = re.compile(
    r"(?:var|let|const)\s+([A-Za-z_$][\w$]*|\{[\w$\s,]+\})\s*=\s*(.+?);?\s*$", re.DOTALL
)
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")


def recognise(code: str, aliases: Aliases) -> Result | None:
    """Returns the meaning of one test-script statement, or None when it has no equivalent."""
    code = code.strip().rstrip(";").strip()
    alias = _ALIAS.fullmatch(code)
    if alias:
        return _alias(alias.group(1), alias.group(2), aliases)
    for reader in (_pm_test, _expect, _response_chain, legacy_test, _capture):
        found = reader(code, aliases)
        if found is not None:
            return found
    return None


def _alias(target: str, expr: str, aliases: Aliases) -> Result | None:
    """Returns the aliases `var x = …` or `const {a, b} = …` defines, or None."""
    if unwrap(expr) in ("pm.response.text()", "responseBody"):
        return Result(aliases={target: BODY}) if _IDENT.fullmatch(target) else None
    bound = schema_alias(target, expr, aliases) if _IDENT.fullmatch(target) else None
    if bound is not None:
        return Result(aliases={target: bound})
    path = jsonpath(expr, aliases)
    if path is None:
        return None
    if _IDENT.fullmatch(target):
        return Result(aliases={target: path})
    names = [n.strip() for n in target.strip("{} ").split(",")]
    if not target.startswith("{") or not all(_IDENT.fullmatch(n) for n in names):
        return None
    return Result(aliases={n: f"{path}{accessor(n)}" for n in names})


def _pm_test(code: str, aliases: Aliases) -> Result | None:
    parsed = call(code, "pm.test")
    if parsed is None or parsed[1].strip() or len(parsed[0]) != 2:
        return None
    body = re.fullmatch(r"(?:function\s*\(\s*\)|\(\s*\)\s*=>)\s*\{(.*)\}", parsed[0][1], re.DOTALL)
    # An arrow function with an expression body: `() => pm.expect(…).to.be.true`.
    arrow = re.fullmatch(r"\(\s*\)\s*=>\s*([^{\s].*)", parsed[0][1].strip(), re.DOTALL)
    if string_value(parsed[0][0]) is None or (body is None and arrow is None):
        return None
    local = dict(aliases)
    total = Result()
    code = body.group(1) if body is not None else arrow.group(1) if arrow is not None else ""
    for piece in statements(code):
        if piece.is_comment:
            continue
        found = recognise(piece.code, local)
        if found is None:
            return None
        local.update(found.aliases)
        total.checks += found.checks
        total.captures.update(found.captures)
    return total if total.checks or total.captures else None


def _expect(code: str, aliases: Aliases) -> Result | None:
    parsed = call(code, "pm.expect")
    if parsed is None or not parsed[0]:
        return None
    what = subject(parsed[0][0], aliases)
    links = chain(parsed[1])
    if links is None:
        return None
    if what is None:  # `pm.expect(tv4.validate(data, schema)).to.be.true` and the like
        found = expect_valid(parsed[0][0], links, aliases)
        return Result([found]) if found else None
    words = [link for link in links if link.word not in _FILLER]
    if len(words) == 1 and words[0].word == "jsonSchema":
        found = json_schema_link(what[1], words[0], aliases) if what[0] == "jsonpath" else None
        return Result([found]) if found else None
    check = _assertion(what, links)
    return Result([check]) if check else None


def _assertion(what: tuple[str, str | None], links: list[Link]) -> CheckTuple | None:
    """Returns the check a chai chain makes on `what`, or None."""
    negate = any(link.word == "not" for link in links)
    words = [link for link in links if link.word not in _FILLER and link.word != "not"]
    if len(words) != 1:
        return None
    link = words[0]
    kind, target = what
    if link.word == "property" and kind == "jsonpath" and link.args:
        name = string_value(link.args[0])
        if name is None or len(link.args) > 2 or (negate and len(link.args) == 2):
            return None
        target = f"{target}{accessor(name)}"
        if len(link.args) == 1:
            return allowed(kind, target, "exists", not negate)
        ok, expected = value(link.args[1])
        return allowed(kind, target, "equals", expected) if ok else None
    if link.word in ("a", "an") and link.args and not negate:
        name = string_value(link.args[0])
        if name == "undefined":
            return allowed(kind, target, "exists", False)
        return allowed(kind, target, "type", _TYPES[name]) if name in _TYPES else None
    if link.args is None:
        op, expected = _FLAGS.get(link.word, ("", None))
        if op == "exists":
            return allowed(kind, target, op, expected != negate)
        return allowed(kind, target, op, expected) if op and not negate else None
    return _operator(kind, target, link, negate)


def _operator(kind: str, target: str | None, link: Link, negate: bool) -> CheckTuple | None:
    op = _OPS.get(link.word)
    if op is None or link.args is None or len(link.args) != 1:
        return None
    if negate:
        if op != "equals":
            return None
        op = "notEquals"
    if op == "matches":
        regex = re.fullmatch(r"/(.+)/([gimsuy]*)", link.args[0].strip(), re.DOTALL)
        if regex is None:
            return None
        flags = "(?i)" if "i" in regex.group(2) else ""
        return allowed(kind, target, op, flags + regex.group(1))
    ok, expected = value(link.args[0])
    return allowed(kind, target, op, expected) if ok else None


def _response_chain(code: str, aliases: Aliases) -> Result | None:
    if not code.startswith("pm.response.to"):
        return None
    links = chain(code[len("pm.response") :])
    if not links or any(link.word == "not" for link in links):
        return None
    words = [link for link in links if link.word not in _FILLER]
    if len(words) != 1:
        return None
    if words[0].word == "success" and words[0].args is None:
        return Result([("status", None, "gte", 200), ("status", None, "lt", 300)])
    if words[0].word == "jsonSchema":
        found = json_schema_link(None, words[0], aliases)
        return Result([found]) if found else None
    check = _response_word(words[0])
    return Result([check]) if check else None


def _response_word(link: Link) -> CheckTuple | None:
    args = link.args or []
    if link.word == "ok" and link.args is None:
        return "status", None, "equals", 200
    if link.word == "status" and len(args) == 1:
        ok, code = value(args[0])
        return ("status", None, "equals", code) if ok and isinstance(code, int) else None
    name = string_value(args[0]) if args else None
    if link.word == "header" and name is not None and len(args) <= 2:
        if len(args) == 1:
            return "headers", name, "exists", True
        ok, expected = value(args[1])
        return ("headers", name, "equals", expected) if ok else None
    if link.word == "jsonBody" and name is not None and len(args) <= 2:
        path = "$" + "".join(accessor(part) for part in name.split("."))
        if len(args) == 1:
            return "jsonpath", path, "exists", True
        ok, expected = value(args[1])
        return ("jsonpath", path, "equals", expected) if ok else None
    return None


def _capture(code: str, aliases: Aliases) -> Result | None:
    setter = _SETTERS.match(code)
    if setter is None:
        return None
    parsed = call(code, setter.group(0))
    if parsed is None or parsed[1].strip() or len(parsed[0]) != 2:
        return None
    name = string_value(parsed[0][0])
    what = subject(parsed[0][1], aliases)
    if name is None or what is None:
        return None
    kind, target = what
    spec: JSON = {
        "jsonpath": target,
        "headers": {"header": target},
        "status": {"status": True},
    }.get(kind)
    return Result(captures={name: spec}) if spec is not None else None
