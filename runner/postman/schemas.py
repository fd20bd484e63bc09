"""JSON Schema checks in test scripts → the native `schema` assertion (for `runner import`).

Recognised when the schema is a literal (in the call, or a `const`/`var`/`let` holding one in
the same script) and the data is the response JSON or part of it (`pm.response.json()`,
`JSON.parse(responseBody)`, an alias of either):

- `pm.response.to.have.jsonSchema(schema)`, `pm.expect(data).to.have.jsonSchema(schema)`
  (chai-postman: ajv 6, draft-07 by default);
- `pm.expect(tv4.validate(data, schema)).to.be.true` and `tests["…"] = tv4.validate(…)`
  (tv4: draft-04, formats not checked);
- `pm.expect(ajv.validate(schema, data)).to.be.true` and `ajv.compile(schema)` then
  `pm.expect(validate(data)).to.be.true`, with `ajv = new Ajv(...)` in the same script.

A schema the native assertion would judge differently from the library (one that breaks its
metaschema, names a remote `$ref`, uses a format ajv rejects or tv4 ignores) stays a script.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from runner.postman.checks import CheckTuple
from runner.postman.jsexpr import Aliases, Link, call, jsonpath, unwrap
from runner.postman.jslex import skip_string
from runner.postman.jsplit import split_top, string_value
from runner.values import JSON

SCHEMA = "#schema:"
"""Alias prefix of a variable holding a literal object (its JSON text follows)."""
AJV_CLASS = "#Ajv"
AJV = "#ajv"
COMPILED = "#compiled:"
"""Alias prefix of a function made by `ajv.compile(literal)` (the schema's JSON follows)."""

MUTABLE = "#mutable"
"""Alias of a name the script changes after declaring it: its literal is not its value."""

DRAFT4 = "http://json-schema.org/draft-04/schema#"

# ajv 6 knows these formats; any other makes `compile` throw unless told to ignore it.
_AJV_FORMATS = frozenset(
    {
        *("date", "time", "date-time", "uri", "uri-reference", "uri-template", "url"),
        *("email", "hostname", "ipv4", "ipv6", "regex", "uuid", "json-pointer"),
        *("json-pointer-uri-fragment", "relative-json-pointer"),
    }
)
# Ajv options that do not change what validates (logging, error detail, schema ids).
_HARMLESS = frozenset({"allErrors", "logger", "verbose", "schemaId", "jsonPointers"})
_TRUE_TAILS = ({"true"}, {"ok"})
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")


def schema_alias(name: str, expr: str, aliases: Aliases) -> str | None:
    """Returns what `var name = expr` binds when it is part of a schema check: a literal
    object, the Ajv class, an Ajv instance or a compiled validate function; else None."""
    if aliases.get(name) == MUTABLE:
        return None
    expr = unwrap(expr)
    if re.fullmatch(r"require\(\s*(['\"])ajv\1\s*\)", expr):
        return AJV_CLASS
    made = re.fullmatch(r"new\s+([A-Za-z_$][\w$]*)\s*\((.*)\)", expr, re.DOTALL)
    if made:
        # Ajv is no global in Postman's sandbox: only the class this script required counts.
        is_ajv = aliases.get(made.group(1)) == AJV_CLASS
        return AJV if is_ajv and _harmless_options(made.group(2)) else None
    compiled = re.match(r"([A-Za-z_$][\w$]*)\s*\.\s*compile\s*\(", expr)
    if compiled and aliases.get(compiled.group(1)) == AJV:
        parsed = call(expr, expr[: expr.index("(")].strip())
        if parsed is None or parsed[1].strip() or len(parsed[0]) != 1:
            return None
        schema = _schema_arg(parsed[0][0], aliases)
        return None if schema is None else COMPILED + json.dumps(schema)
    if expr.startswith("{"):
        ok, document = js_literal(expr)
        return SCHEMA + json.dumps(document) if ok else None
    return None


_CHANGED = re.compile(
    r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*(?:\.\s*[\w$]+|\[[^\]]*\])+\s*(?:[-+*/]?=(?!=)|\+\+|--)"
    r"|\b(?:delete|Object\.assign\()\s*([A-Za-z_$][\w$]*)"
    r"|(?:^|[;{}(\n])\s*([A-Za-z_$][\w$]*)\s*[-+*/]?=(?![=>])"
)


def changed_names(source: str) -> set[str]:
    """Returns the names a script assigns to (again), or changes a member of."""
    found = set()
    for match in _CHANGED.finditer(source):
        found.add(next(group for group in match.groups() if group))
    return found


def validate_call(expr: str, aliases: Aliases) -> CheckTuple | None:
    """Returns the schema check of `tv4.validate(data, schema)`, `ajv.validate(schema, data)`
    or `validate(data)` (a compiled function), each true when the data is valid."""
    expr = unwrap(expr)
    head = re.match(r"([A-Za-z_$][\w$]*)(?:\s*\.\s*(validate))?\s*\(", expr)
    if head is None:
        return None
    parsed = call(expr, expr[: expr.index("(")].strip())
    if parsed is None or parsed[1].strip():
        return None
    args = parsed[0]
    owner, method = head.group(1), head.group(2)
    if owner == "tv4" and method and len(args) == 2:
        schema = _schema_arg(args[1], aliases)
        if schema is None or not _tv4_agrees(schema):
            return None
        if isinstance(schema, dict) and "$schema" not in schema:
            schema = {"$schema": DRAFT4, **schema}  # tv4 reads draft-04
        return _check(args[0], schema, aliases)
    if aliases.get(owner) == AJV and method and len(args) == 2:
        schema = _schema_arg(args[0], aliases)
        return None if schema is None else _check(args[1], schema, aliases, ajv=True)
    alias = aliases.get(owner, "")
    if not method and alias.startswith(COMPILED) and len(args) == 1:
        return _check(args[0], json.loads(alias[len(COMPILED) :]), aliases, ajv=True)
    return None


def expect_valid(first: str, links: list[Link], aliases: Aliases) -> CheckTuple | None:
    """Returns the check of `pm.expect(<validate call>)` + a chain asserting it is true."""
    words = {link.word for link in links if link.word not in ("to", "be", "is")}
    tail = links[-1] if links else None
    true_tail = words in _TRUE_TAILS or (
        len(words) == 1
        and tail is not None
        and tail.word in ("eql", "equal", "eq", "equals")
        and tail.args == ["true"]
    )
    return validate_call(first, aliases) if true_tail and "not" not in words else None


def json_schema_link(data: str | None, link: Link, aliases: Aliases) -> CheckTuple | None:
    """Returns the check of chai-postman's `.jsonSchema(schema[, options])` on the response
    JSON (`data` None: `pm.response.to.have.jsonSchema`) or on a JSONPath `data`."""
    if link.word != "jsonSchema" or not link.args or len(link.args) > 2:
        return None
    if len(link.args) == 2 and not _harmless_options(link.args[1]):
        return None
    schema = _schema_arg(link.args[0], aliases)
    if schema is None:
        return None
    return _as_check(data or "$", schema, ajv=True, ignore_formats=len(link.args) == 2)


def _check(data: str, schema: JSON, aliases: Aliases, *, ajv: bool = False) -> CheckTuple | None:
    path = jsonpath(data, aliases)
    return None if path is None else _as_check(path, schema, ajv=ajv)


def _as_check(
    path: str, schema: JSON, *, ajv: bool, ignore_formats: bool = False
) -> CheckTuple | None:
    """Returns the native check, or None when runner would judge the schema differently."""
    if ajv and not ignore_formats and not set(_formats(schema)) <= _AJV_FORMATS:
        return None  # ajv 6 throws on an unknown format; runner would ignore it
    if not _compiles(schema):
        return None
    if path == "$":
        return "schema", None, "schema", schema
    return "jsonpath", path, "schema", schema


def _tv4_agrees(schema: JSON) -> bool:
    """Returns True unless the schema uses what tv4 ignores: `format` (tv4 checks none by
    default) or a `$ref` outside the schema (tv4 passes when it is missing)."""
    if any(True for _ in _formats(schema)):
        return False
    return not any(not ref.startswith("#") for ref in _refs(schema))


def _compiles(schema: JSON) -> bool:
    """Returns True when the native assertion accepts the schema (its metaschema, its refs)."""
    from runner.checks.schema import SchemaProblem, validator
    from runner.model import Schema

    try:
        validator(Schema(schema, "", "file:///imported/inline.schema.json"))
    except SchemaProblem:
        return False
    return True


def _schema_arg(expr: str, aliases: Aliases) -> JSON | None:
    """Returns the schema a call names: an object literal, or a variable holding one."""
    expr = expr.strip()
    alias = aliases.get(expr, "")
    if alias.startswith(SCHEMA):
        loaded: JSON = json.loads(alias[len(SCHEMA) :])
        return loaded
    if expr.startswith("{"):
        ok, document = js_literal(expr)
        return document if ok else None
    return None


def _harmless_options(text: str) -> bool:
    """Returns True for no options, or an object literal of options that change nothing."""
    text = text.strip()
    if not text:
        return True
    if not (text.startswith("{") and text.endswith("}")):
        return False
    for prop in split_top(text[1:-1], ","):
        key = prop.partition(":")[0].strip().strip("'\"")
        if key == "unknownFormats":
            continue  # listing or ignoring unknown formats: runner ignores them anyway
        if key not in _HARMLESS:
            return False
    return True


def _walk(schema: JSON, keyword: str) -> Iterator[str]:
    """Yields the string values of `keyword` where it is a keyword (not a property name)."""
    if isinstance(schema, list):
        for item in schema:
            yield from _walk(item, keyword)
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if key == keyword and isinstance(value, str):
                yield value
            elif key in ("properties", "patternProperties", "definitions", "$defs"):
                if isinstance(value, dict):
                    for inner in value.values():
                        yield from _walk(inner, keyword)
            elif key not in ("enum", "const", "examples", "default", "example"):
                yield from _walk(value, keyword)


def _formats(schema: JSON) -> Iterator[str]:
    return _walk(schema, "format")


def _refs(schema: JSON) -> Iterator[str]:
    return _walk(schema, "$ref")


def js_literal(expr: str) -> tuple[bool, JSON]:
    """Returns (True, value) for a JavaScript literal made of objects, arrays, strings,
    numbers, booleans and null (quoted or bare keys, trailing commas); else (False, None)."""
    expr = expr.strip()
    try:
        return True, json.loads(expr)  # most schemas are plain JSON
    except ValueError:
        pass
    text = string_value(expr)
    if text is not None:
        return True, text
    if _NUMBER.fullmatch(expr):
        number = float(expr)
        return True, int(number) if number.is_integer() and re.fullmatch(r"-?\d+", expr) else number
    if expr in ("true", "false", "null"):
        return True, {"true": True, "false": False, "null": None}[expr]
    if expr.startswith("[") and expr.endswith("]"):
        items = [js_literal(part) for part in split_top(expr[1:-1], ",")]
        return (True, [v for _, v in items]) if all(ok for ok, _ in items) else (False, None)
    if expr.startswith("{") and expr.endswith("}"):
        out: dict[str, JSON] = {}
        for prop in split_top(expr[1:-1], ","):
            key, rest = _key(prop)
            ok, found = js_literal(rest) if key is not None else (False, None)
            if not ok or key is None:
                return False, None
            out[key] = found
        return True, out
    return False, None


def _key(prop: str) -> tuple[str | None, str]:
    """Returns (key, the text after its colon) of one `key: value` property."""
    prop = prop.strip()
    if prop[:1] in ("'", '"'):
        end = skip_string(prop, 0)
        key = string_value(prop[:end])
        rest = prop[end:].lstrip()
    else:
        bare = _IDENT.match(prop)
        if bare is None:
            return None, ""
        key, rest = bare.group(0), prop[bare.end() :].lstrip()
    if not rest.startswith(":"):
        return None, ""
    return key, rest[1:]
