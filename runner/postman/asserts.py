"""Collecting the checks of a request's test scripts into one native `assert` object."""

from __future__ import annotations

import re

from runner.postman.checks import CheckTuple, Result
from runner.postman.jsexpr import Aliases
from runner.postman.jsplit import Piece
from runner.postman.patterns import recognise
from runner.postman.schemas import MUTABLE, changed_names
from runner.values import JSON

_PLAIN_OK = ("jsonpath", "headers", "body")
_BODY_SCHEMA = ("schema", None, "schema")
_ROOT_SCHEMA = ("jsonpath", "$", "schema")


class Asserts:
    """The checks found so far, keyed by subject, target and operator."""

    def __init__(self) -> None:
        self.checks: dict[tuple[str, str | None, str], JSON] = {}

    def __bool__(self) -> bool:
        return bool(self.checks)

    def accept(self, found: list[CheckTuple]) -> bool:
        """Adds `found` unless one contradicts a check already there; returns True if added."""
        trial = dict(self.checks)
        for subject, target, op, expected in found:
            key = (subject, target, op)
            if op == "contains" and isinstance(expected, str):
                # Several `contains` on one target become one regular expression.
                trial[key] = (*trial.get(key, ()), expected)
                if len(trial[key]) > 1 and (subject, target, "matches") in trial:
                    return False
            elif key == _BODY_SCHEMA and key in trial and trial[key] != expected:
                # A second schema for the body: the same check on the JSONPath `$`.
                if trial.get(_ROOT_SCHEMA, expected) != expected:
                    return False
                trial[_ROOT_SCHEMA] = expected
            elif key in trial and trial[key] != expected:
                return False
            else:
                trial[key] = expected
        self.checks = trial
        return True

    def translate(self, pieces: list[Piece], captures: dict[str, JSON]) -> list[Piece]:
        """Takes the recognised statements of a test script; returns the pieces kept as code."""
        # A literal that the script changes later is not what a schema check sees.
        code = "\n".join(p.code for p in pieces if not p.is_comment)
        aliases: Aliases = dict.fromkeys(changed_names(code), MUTABLE)
        alias_pieces: dict[int, list[str]] = {}
        kept: list[tuple[int, Piece]] = []
        for index, piece in enumerate(pieces):
            found = None if piece.is_comment else recognise(piece.code, aliases)
            if found is not None and found.aliases:
                aliases.update(found.aliases)
                alias_pieces[index] = list(found.aliases)
            elif found is None or not self._take(found, captures):
                kept.append((index, piece))
        code = "\n".join(p.code for _, p in kept if not p.is_comment)
        for index, names in alias_pieces.items():
            # An alias stays when code that is kept still uses it.
            if any(re.search(rf"(?<![\w$.]){re.escape(n)}(?![\w$])", code) for n in names):
                kept.append((index, pieces[index]))
        if all(p.is_comment for _, p in kept):
            return []
        return [p for _, p in sorted(kept, key=lambda pair: pair[0])]

    def _take(self, found: Result, captures: dict[str, JSON]) -> bool:
        if any(
            name in captures and captures[name] != spec for name, spec in found.captures.items()
        ):
            return False
        if not self.accept(found.checks):
            return False
        captures.update(found.captures)
        return True

    def to_native(self) -> dict[str, JSON]:
        """Returns the native `assert` object."""
        out: dict[str, JSON] = {}
        for (subject, target, op), found in self.checks.items():
            op, expected = _contains(op, found)
            if subject == "schema":
                out["schema"] = expected  # the body against a JSON Schema
            elif target is None:
                out.setdefault(subject, {})[op] = expected
            else:
                out.setdefault(subject, {}).setdefault(target, {})[op] = expected
        if "status" in out:
            out["status"] = _short_status(out["status"])
        for subject in _PLAIN_OK:
            if subject == "body" and subject in out:
                out[subject] = _short(out[subject])
            elif subject in out:
                out[subject] = {t: _short(ops) for t, ops in out[subject].items()}
        return out


def _contains(op: str, found: JSON) -> tuple[str, JSON]:
    """Returns `contains` for one text, or `matches` with one lookahead per text."""
    if op != "contains" or not isinstance(found, tuple):
        return op, found
    if len(found) == 1:
        return op, found[0]
    return "matches", "(?s)^" + "".join(f"(?=.*?{re.escape(text)})" for text in found)


def _short_status(ops: dict[str, JSON]) -> JSON:
    """Returns `200` for {"equals": 200} and `[200, 201]` for {"in": [...]}, else the ops."""
    if list(ops) == ["equals"]:
        return ops["equals"]
    if list(ops) == ["in"]:
        return ops["in"]
    return ops


def _short(ops: dict[str, JSON]) -> JSON:
    """Returns a plain value for a lone `equals` (an object value keeps the matcher form)."""
    if list(ops) == ["equals"] and not isinstance(ops["equals"], dict):
        return ops["equals"]
    return ops
