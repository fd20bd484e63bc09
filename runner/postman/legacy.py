"""Legacy sandbox tests: `tests["name"] = <expression>` with a declarative meaning."""

from __future__ import annotations

import re

from runner.postman.checks import CheckTuple, Result, allowed
from runner.postman.jsexpr import Aliases, accessor, subject, unwrap, value
from runner.postman.jslex import scan
from runner.postman.jsplit import string_value
from runner.postman.schemas import validate_call

_COMPARE = ("===", "!==", "==", "!=", "<=", ">=", "<", ">")


def legacy_test(code: str, aliases: Aliases) -> Result | None:
    match = re.match(r"tests\s*\[\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')\s*\]\s*=(?!=)", code)
    if match is None:
        return None
    check = _legacy_expr(code[match.end() :].strip(), aliases)
    return Result([check]) if check else None


def _legacy_expr(expr: str, aliases: Aliases) -> CheckTuple | None:
    """Returns the check of a legacy `tests[...] = <expr>` right-hand side."""
    expr = unwrap(expr)
    valid = validate_call(expr, aliases)  # tests["schema"] = tv4.validate(data, schema)
    if valid is not None:
        return valid
    negated = expr.startswith("!(") and expr.endswith(")")
    inner = expr[2:-1] if negated else expr
    contained = re.fullmatch(r"(\"[^\"]*\"|'[^']*')\s+in\s+(.+)", inner.strip(), re.DOTALL)
    if contained:
        parent = subject(contained.group(2), aliases)
        name = string_value(contained.group(1))
        if parent and parent[0] == "jsonpath" and name is not None:
            return "jsonpath", f"{parent[1]}{accessor(name)}", "exists", not negated
        return None
    if negated:
        return None
    has = re.fullmatch(r"(responseBody|pm\.response\.text\(\))\.(?:has|includes)\((.+)\)", expr)
    if has:
        ok, text = value(has.group(2))
        return ("body", None, "contains", text) if ok and isinstance(text, str) else None
    what = subject(expr, aliases)
    if what and what[0] == "headers":
        return "headers", what[1], "exists", True
    return _comparison(expr, aliases)


def _comparison(expr: str, aliases: Aliases) -> CheckTuple | None:
    for i, _, depth in scan(expr):
        op = next((o for o in _COMPARE if expr.startswith(o, i)), None)
        if depth or op is None:
            continue
        what = subject(expr[:i], aliases)
        ok, expected = value(expr[i + len(op) :])
        if what is None or not ok:
            return None
        name = {
            "===": "equals",
            "==": "equals",
            "!==": "notEquals",
            "!=": "notEquals",
            "<": "lt",
            "<=": "lte",
            ">": "gt",
            ">=": "gte",
        }[op]
        return allowed(what[0], what[1], name, expected)
    return None
