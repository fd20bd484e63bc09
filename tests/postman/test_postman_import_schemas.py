"""Issue 11 point 5: `runner import` turns the JSON Schema checks of test scripts into the
native `schema` assertion — `pm.response.to.have.jsonSchema`, chai-postman's
`pm.expect(x).to.have.jsonSchema`, `tv4.validate`, `ajv.validate` and `ajv.compile` — when
the schema is a literal of the script and the data is the response JSON; every other schema
check stays a script with a warning. The imported collection agrees with Newman."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from corpus_cases import Case
from newman_tools import install_error, newman_batch, node_modules
from postman_helpers import collection, write
from support.echo_server import EchoServers
from support.external import missing

from runner.cli import main

URL = "https://postman-echo.com/get?user=ada&n=3"
DRAFT4 = "http://json-schema.org/draft-04/schema#"
ARGS = {"type": "object", "required": ["args"], "properties": {"args": {"type": "object"}}}


def _item(name: str, *lines: str, url: str = URL) -> dict[str, Any]:
    return {
        "name": name,
        "request": {"method": "GET", "url": url},
        "event": [{"listen": "test", "script": {"exec": list(lines)}}],
    }


# Each translated: (item, the native assert it becomes).
TRANSLATED: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        _item(
            "jsonSchema, a const",
            f"const schema = {json.dumps(ARGS)};",
            "pm.test('schema', function () {",
            "    pm.response.to.have.jsonSchema(schema);",
            "});",
        ),
        {"schema": ARGS},
    ),
    (
        _item(
            "jsonSchema fails",
            "pm.test('schema', () => {",
            "    pm.response.to.have.jsonSchema({type: 'object', required: ['nope'],});",
            "});",
        ),
        {"schema": {"type": "object", "required": ["nope"]}},
    ),
    (
        _item(
            "tv4 on an alias",
            "var respJson = pm.response.json();",
            "const schema = {",
            "    'properties': {'args': {'properties': {'n': {'type': 'string'}}}}",
            "};",
            "pm.test('Schema is valid', function() {",
            "    pm.expect(tv4.validate(respJson, schema)).to.be.true;",
            "});",
        ),
        {
            "schema": {
                "$schema": DRAFT4,
                "properties": {"args": {"properties": {"n": {"type": "string"}}}},
            }
        },
    ),
    (
        _item(
            "tv4 fails",
            "pm.test('tv4', function () {",
            "    var data = JSON.parse(responseBody);",
            "    pm.expect(tv4.validate(data.args, {properties: {n: {type: 'integer'}}}))",
            "        .to.eql(true);",
            "});",
        ),
        {
            "jsonpath": {
                "$.args": {"schema": {"$schema": DRAFT4, "properties": {"n": {"type": "integer"}}}}
            }
        },
    ),
    (
        _item(
            "ajv.validate",
            "const Ajv = require('ajv');",
            "const ajv = new Ajv({allErrors: true, logger: console});",
            "pm.test('ajv', () => {",
            "    var schema = {properties: {user: {const: 'ada'}}};",
            "    pm.expect(ajv.validate(schema, pm.response.json().args)).to.be.true;",
            "});",
        ),
        {"jsonpath": {"$.args": {"schema": {"properties": {"user": {"const": "ada"}}}}}},
    ),
    (
        _item(
            "ajv.compile fails",
            "var Ajv = require('ajv');",
            "var ajv = new Ajv();",
            "var validate = ajv.compile({properties: {args: {required: ['user', 'missing']}}});",
            "pm.test('compiled', function () {",
            "    pm.expect(validate(pm.response.json())).to.be.ok;",
            "});",
        ),
        {"schema": {"properties": {"args": {"required": ["user", "missing"]}}}},
    ),
    (
        _item(
            "legacy tests[]",
            "tests['valid'] = tv4.validate(JSON.parse(responseBody), {type: 'object'});",
        ),
        {"schema": {"$schema": DRAFT4, "type": "object"}},
    ),
    (
        _item(
            "expect jsonSchema",
            "var body = pm.response.json();",
            "pm.test('args', () => pm.expect(body.args)",
            "    .to.have.jsonSchema({required: ['user', 'n']}));",
        ),
        {"jsonpath": {"$.args": {"schema": {"required": ["user", "n"]}}}},
    ),
    (
        _item(
            "unknown formats listed",
            "pm.test('fmt', function () {",
            "    pm.response.to.have.jsonSchema(",
            "        {properties: {args: {properties: {n: {format: 'int32'}}}}},",
            "        {unknownFormats: ['int32']});",
            "});",
        ),
        {"schema": {"properties": {"args": {"properties": {"n": {"format": "int32"}}}}}},
    ),
    (
        _item(
            "not JSON",
            "pm.test('html', () => pm.response.to.have.jsonSchema({type: 'object'}));",
            url="https://postman-echo.com/type/html",
        ),
        {"schema": {"type": "object"}},
    ),
]

# Each kept as a script, for the reason in its name.
KEPT = [
    _item(
        "schema from a variable",
        "var schema = JSON.parse(pm.environment.get('schema') || '{}');",
        "pm.test('env', () => pm.response.to.have.jsonSchema(schema));",
    ),
    _item(
        "data that is not the response",
        "pm.test('lit', () => pm.expect(tv4.validate({a: 1}, {type: 'object'})).to.be.true);",
    ),
    _item(
        "negated",
        "pm.test('neg', () => pm.expect(tv4.validate(pm.response.json(), {type: 'array'}))",
        "    .to.be.false);",
    ),
    _item(
        "tv4 ignores formats",
        "pm.test('f', () => pm.expect(tv4.validate(pm.response.json(),"
        " {properties: {args: {properties: {user: {format: 'date-time'}}}}})).to.be.true);",
    ),
    _item(
        "draft-03 required",
        "pm.test('d3', () => pm.expect(tv4.validate(pm.response.json(),"
        " {properties: {args: {required: true}}})).to.be.true);",
    ),
    _item(
        "schema changed later",
        "var schema = {type: 'object'};",
        "schema.required = ['nope'];",
        "pm.test('m', () => pm.response.to.have.jsonSchema(schema));",
    ),
    _item(
        "ajv options that change results",
        "var Ajv = require('ajv');",
        "var ajv = new Ajv({coerceTypes: true});",
        "pm.test('c', () => pm.expect(ajv.validate({properties: {args: {properties: "
        "{n: {type: 'integer'}}}}}, pm.response.json())).to.be.true);",
    ),
]


def _import(tmp_path: Path, doc: dict[str, Any]) -> tuple[dict[str, Any], list[str], Path]:
    source = write(tmp_path, "schemas.postman_collection.json", doc)
    target = tmp_path / "schemas.json"
    out, err = io.StringIO(), io.StringIO()
    assert main(["import", str(source), "-o", str(target)], stdout=out, stderr=err) == 0
    warnings = [line for line in err.getvalue().splitlines() if line.startswith("warning:")]
    return json.loads(target.read_text("utf-8")), warnings, source


def test_each_schema_pattern_becomes_a_native_assertion(tmp_path: Path) -> None:
    doc, warnings, _ = _import(tmp_path, collection(*(item for item, _ in TRANSLATED)))
    assert warnings == []
    for (item, expected), native in zip(TRANSLATED, doc["items"], strict=True):
        assert native.get("assert") == expected, item["name"]
        assert "scripts" not in native, item["name"]  # nothing left: aliases, Ajv, require


def test_other_schema_checks_stay_scripts_with_a_warning(tmp_path: Path) -> None:
    doc, warnings, _ = _import(tmp_path, collection(*KEPT))
    for item, native in zip(KEPT, doc["items"], strict=True):
        assert "assert" not in native, item["name"]
        source = "\n".join(item["event"][0]["script"]["exec"])
        assert native["scripts"]["test"] == source, item["name"]
    note = "a JSON schema check that stays a script"
    for item in KEPT:  # each says why its schema check stays a script
        assert any(w.startswith(f"warning: {item['name']}: ") and note in w for w in warnings)
    assert warnings[1].startswith(
        "warning: schema from a variable: test script line 2 kept as a script: "
        "pm.test('env', () => pm.response.to.have.jsonSchema(schema));"
    )
    assert "the schema as a literal of this script, the response JSON as the data" in warnings[1]


def test_the_imported_checks_agree_with_newman(echo: EchoServers, tmp_path: Path) -> None:
    modules = node_modules()
    if modules is None:
        missing("Newman (npm newman@6)", f"is not available: {install_error()}")
    items = [item for item, _ in TRANSLATED] + KEPT
    _, _, source = _import(tmp_path, collection(*items))
    case = Case("schemas", source)
    newman_status, theirs = newman_batch([case], echo, tmp_path / "newman", modules)[case.name]

    report = tmp_path / "native.json"
    argv = ["run", str(tmp_path / "schemas.json"), "--json", str(report)]
    argv += ["--ca-bundle", echo.ca_file]
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    out = io.StringIO()
    status = main(argv, stdout=out, stderr=out)
    results = json.loads(report.read_text("utf-8"))["results"]
    ours = [(r["name"], r["outcome"] == "passed", len(r["assertions"])) for r in results]
    assert ours == [(o.name, o.passed, o.assertions) for o in theirs], out.getvalue()
    assert status == newman_status == 1
    # Both sides saw failures and passes: the comparison can tell them apart.
    assert {passed for _, passed, _ in ours} == {True, False}
    failed = {r["name"]: r["assertions"][0]["message"] for r in results if r["outcome"] != "passed"}
    assert failed["tv4 fails"] == (
        'jsonpath $.args does not match schema inline schema (1 error): /n: "3" is not of type '
        '"integer" (type)'
    )
    assert failed["not JSON"].startswith("body cannot match schema inline schema: the response")
