"""The `schema` assertion: a JSON value against a JSON Schema (Newman's `jsonSchema`).

jsonschema-rs does the work (every draft from 4 to 2020-12, error paths into the instance,
the schema checked against its metaschema when compiled). It is imported only when a
collection has a schema assertion. A schema without `$schema` is read as draft-07, the
default of ajv 6 behind Postman's `pm.response.to.have.jsonSchema`.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from runner.checks.query import NOTHING, Selection
from runner.model import Check, Schema
from runner.results import AssertionResult
from runner.values import JSON

DEFAULT_DRAFT = "http://json-schema.org/draft-07/schema#"
"""The draft of a schema without `$schema` (ajv 6's default, as in Postman and Newman)."""

SHOWN_ERRORS = 3
"""How many schema errors a failure message spells out (the rest are counted)."""

_MESSAGE_LIMIT = 160

_compiled: weakref.WeakKeyDictionary[Schema, Any] = weakref.WeakKeyDictionary()


class NotJson(str):
    """Why a response body could not be checked against a schema (it is not JSON)."""


class SchemaProblem(Exception):
    """A schema that cannot be compiled: `pointer` is where in the schema document."""

    def __init__(self, message: str, pointer: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        self.hint = hint


def validator(schema: Schema) -> Any:  # a jsonschema_rs validator (untyped library)
    """Returns the compiled validator of `schema`, compiling it the first time only.

    Raises:
        SchemaProblem: the schema breaks its metaschema, or a `$ref` does not resolve.
    """
    found = _compiled.get(schema)
    if found is None:
        found = _compiled[schema] = _compile(schema)
    return found


def _compile(schema: Schema) -> Any:
    """Returns a new validator for `schema` (the one place that compiles: tests count calls)."""
    import jsonschema_rs

    document = schema.document
    declared = isinstance(document, dict) and "$schema" in document
    # Formats are checked under every draft, as ajv does (2019-09 and later would only
    # annotate them); a format the library does not know is ignored.
    options: dict[str, Any] = {
        "base_uri": schema.base_uri,
        "retriever": _local_only,
        "validate_formats": True,
    }
    try:
        if declared:
            return jsonschema_rs.validator_for(document, **options)
        return jsonschema_rs.Draft7Validator(document, **options)
    except jsonschema_rs.ValidationError as exc:
        raise _problem(exc, declared) from None
    except (ValueError, TypeError) as exc:  # e.g. a number beyond what the library holds
        raise SchemaProblem(f"cannot compile the schema: {exc}", "", _DRAFT_HINT) from None


_DRAFT_HINT = (
    'fix the schema; without "$schema" it is read as draft-07: if it is written for another '
    'draft, say so, e.g. "$schema": "http://json-schema.org/draft-04/schema#"'
)


def _problem(exc: Any, declared: bool) -> SchemaProblem:
    """Returns what is wrong with a schema, from jsonschema-rs's metaschema/ref error."""
    first = str(exc).split("\n\n")[0].strip()
    if "is not present in a registry" in first or "does not exist" in first:
        reason = first.split("retrieving it failed: ")[-1].removeprefix("ValueError: ")
        return SchemaProblem(
            f"unresolvable $ref: {reason}",
            "",
            "a $ref names a local file (relative to the schema file) or a part of the schema "
            "(#/definitions/x); remote schemas are not fetched: save them next to it",
        )
    pointer = "".join("/" + _escape(str(p)) for p in exc.instance_path)
    hint = "fix the schema" if declared else _DRAFT_HINT
    return SchemaProblem(f"invalid JSON Schema: {exc.message}", pointer, hint)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _local_only(uri: str) -> JSON:
    """Returns the document a `$ref` names when it is a local file; refuses the network."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise ValueError(f"remote $ref not fetched: {uri}")
    path = Path(unquote(parsed.path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON: {exc}") from None


def schema_assertion(check: Check, actual: JSON, mask: Callable[[str], str]) -> AssertionResult:
    """Returns the result of checking `actual` (the body's JSON, or what a JSONPath selected)
    against the check's schema: on failure, how many errors and the first few, each with its
    instance path (a JSON pointer) and keyword."""
    schema = check.expected
    assert isinstance(schema, Schema)
    name, expected = check.label, f"matches {schema.shown}"
    where = "body" if check.target is None else f"{check.subject} {check.target}"
    if isinstance(actual, NotJson):
        message = f"{where} cannot match schema {schema.shown}: {actual}"
        return AssertionResult(name, False, expected, "not JSON", message)
    if actual is NOTHING:
        message = f"{where}: nothing (absent) to check against {schema.shown}"
        return AssertionResult(name, False, expected, "(absent)", message)
    values = list(actual) if isinstance(actual, Selection) else [actual]
    try:
        passed, text, count = check_values(schema, values, mask)
    except SchemaProblem as exc:  # loading compiles every schema: only a model built by hand
        return AssertionResult(name, False, expected, None, f"{schema.shown}: {exc.message}")
    if passed:
        return AssertionResult(name, True, expected, "matches")
    errors = f"{count} error{'' if count == 1 else 's'}"
    message = f"{where} does not match schema {schema.shown} ({errors}): {text}"
    return AssertionResult(name, False, expected, errors, message)


def check_values(
    schema: Schema, values: list[JSON], mask: Callable[[str], str]
) -> tuple[bool, str, int]:
    """Returns (passed, the errors as one line, how many) for `values` against `schema`.

    With several values (a multi-valued JSONPath), each must match; paths start `[i]`.
    """
    compiled = validator(schema)
    several = len(values) != 1
    shown: list[str] = []
    count = 0
    for index, value in enumerate(values):
        if compiled.is_valid(value):  # the fast path: no error objects built
            continue
        for pointer, keyword, message in _errors(compiled, value):
            count += 1
            if len(shown) < SHOWN_ERRORS:
                root = "" if several else "(root)"
                where = (f"[{index}]" if several else "") + (pointer or root)
                shown.append(f"{where}: {_cut(mask(message))} ({keyword})")
    if not count:
        return True, "", 0
    more = count - len(shown)
    text = "; ".join(shown) + (f"; and {more} more" if more else "")
    return False, text, count


def _errors(compiled: Any, value: JSON) -> Iterator[tuple[str, str, str]]:
    """Yields (instance JSON pointer, keyword, message) for each way `value` fails."""
    for error in compiled.iter_errors(value):
        pointer = "".join("/" + _escape(str(p)) for p in error.instance_path)
        words = [p for p in error.schema_path if isinstance(p, str) and not p.isdigit()]
        keyword = words[-1] if words else type(error.kind).__name__
        yield pointer, keyword, str(error.message)


def _cut(text: str) -> str:
    """Returns one error message, cut (after masking) so a huge instance value cannot flood."""
    text = text.replace("\n", " ")
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"
