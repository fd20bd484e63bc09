"""Every native collection, item and environment the test suite writes, found in its source.

Tests build their documents inline as dict literals (often with an f-string URL or a helper
variable inside). `inline_documents` reads every test module with `ast` and evaluates each
dict literal that looks like a native document, standing a fixed value in for what is
computed at run time (a server's URL, a variable): the result is still a document both
validators can judge, so a disagreement on it is a real one. New tests add to the corpus
without anyone listing them.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: What stands in for a value computed at run time (an f-string's start gets a URL's form).
COMPUTED = "http://127.0.0.1:9/x"
_POSTMAN_KEYS = {"info", "item", "request", "event", "values", "_postman_variable_scope"}


class _NotLiteral(Exception):
    """The node is not a literal this evaluator knows."""


@dataclass(frozen=True)
class Found:
    """A document found in the suite: `kind` collection, item or environment."""

    kind: str
    origin: str  # file:line
    doc: dict[str, Any]


def _value(node: ast.expr) -> Any:
    """Returns the literal value of `node`, with COMPUTED for computed parts."""
    if isinstance(node, ast.Constant):
        if node.value is None or isinstance(node.value, str | int | float | bool):
            return node.value
        raise _NotLiteral
    if isinstance(node, ast.Dict):
        out: dict[str, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # **spread: merged when it is a literal itself
                spread = _or(value, None)
                if isinstance(spread, dict):
                    out.update(spread)
                continue
            out[str(_or(key, "k"))] = _or(value, COMPUTED)
        return out
    if isinstance(node, ast.List | ast.Tuple):
        return [_or(e, COMPUTED) for e in node.elts if not isinstance(e, ast.Starred)]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for index, part in enumerate(node.values):
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
            else:
                parts.append("http://127.0.0.1:9" if index == 0 else "x")
        return "".join(parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        number = _value(node.operand)
        if isinstance(number, int | float) and not isinstance(number, bool):
            return -number
    raise _NotLiteral


def _or(node: ast.expr, default: Any) -> Any:
    try:
        return _value(node)
    except _NotLiteral:
        return default


def _kind(doc: dict[str, Any]) -> str | None:
    """Returns what a native-looking dict is: collection, item, environment, or None."""
    keys = set(doc)
    if keys & _POSTMAN_KEYS:
        return None
    if "items" in keys and "url" not in keys:
        return "collection"
    if "url" in keys:
        return "item"
    if "variables" in keys:
        return "environment"
    return None


def inline_documents(root: Path) -> list[Found]:
    """Returns each distinct native document written as a dict literal under `root` (the
    outermost one: a collection's items are judged as part of it)."""
    found: dict[str, Found] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        pending: list[ast.AST] = [tree]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.Dict):
                doc = _or(node, None)
                kind = _kind(doc) if isinstance(doc, dict) else None
                if kind is not None:
                    key = json.dumps(doc, sort_keys=True)
                    origin = f"{path.relative_to(root.parent)}:{node.lineno}"
                    found.setdefault(key, Found(kind, origin, doc))
                    continue
            pending.extend(ast.iter_child_nodes(node))
    return list(found.values())
