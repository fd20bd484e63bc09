"""The checks and captures a recognised script statement stands for."""

from __future__ import annotations

from dataclasses import dataclass, field

from runner.values import JSON

CheckTuple = tuple[str, str | None, str, JSON]
"""A model.Check without its location: (subject, target, operator, expected), e.g.
("jsonpath", "$.a", "equals", 1)."""

_ALLOWED = {
    "status": {"equals", "notEquals", "in", "lt", "lte", "gt", "gte"},
    "responseTime": {"lt", "lte", "gt", "gte"},
    "body": {"equals", "contains", "matches"},
    "headers": {"equals", "contains", "matches", "exists"},
}


@dataclass
class Result:
    """What one statement means: checks, captures, and the aliases it defines."""

    checks: list[CheckTuple] = field(default_factory=list)
    captures: dict[str, JSON] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)


def allowed(kind: str, target: str | None, op: str, expected: JSON) -> CheckTuple | None:
    """Returns the check when the subject supports the operator."""
    if kind == "jsonpath" and target and target.endswith(".length") and op == "equals":
        return kind, target.removesuffix(".length"), "length", expected
    if kind in _ALLOWED and op not in _ALLOWED[kind]:
        return None
    return kind, target, op, expected
