"""The `schema` assertion (Newman's `pm.response.to.have.jsonSchema`): the body, or what a
JSONPath selects, against a JSON Schema written inline or in a file next to the collection.
Bad schemas are invalid input found before anything is sent; each schema compiles once."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from support.local_server import LocalServer

from core.conftest import run_cli, write_json

USER = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string", "minLength": 1},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def _echo(server: LocalServer, name: str, body: Any, check: dict[str, Any]) -> dict[str, Any]:
    """Returns a request whose response is `{"json": body, ...}` (the server echoes it)."""
    return {
        "name": name,
        "method": "POST",
        "url": f"{server.url}/echo",
        "body": {"json": body},
        "assert": check,
    }


def _write(tmp_path: Path, *items: dict[str, Any]) -> Path:
    write_json(tmp_path / "schemas" / "user.schema.json", USER)
    return write_json(tmp_path / "c.json", {"name": "schemas", "items": list(items)})


def _results(report: Path) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = json.loads(report.read_text("utf-8"))["results"]
    return results


def test_a_matching_body_passes_inline_and_from_a_file(tmp_path: Path, server: LocalServer) -> None:
    wrapped = {"type": "object", "required": ["json"], "properties": {"json": USER}}
    coll = _write(
        tmp_path,
        _echo(server, "inline", {"id": 1, "name": "Adele"}, {"status": 200, "schema": wrapped}),
        _echo(
            server,
            "file",
            {"id": 2, "name": "Bob", "tags": ["a"]},
            {"jsonpath": {"$.json": {"schema": {"file": "schemas/user.schema.json"}}}},
        ),
    )
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    done = run_cli("run", coll, "--json", report, "--junit", junit)
    assert done.code == 0, done.text
    names = [[a["name"] for a in r["assertions"]] for r in _results(report)]
    assert names == [
        ["status equals", "body matches schema"],
        ["jsonpath $.json matches schema schemas/user.schema.json"],
    ]
    assert all(a["passed"] for r in _results(report) for a in r["assertions"])
    assert ET.parse(junit).getroot().find(".//failure") is None


def test_a_failing_body_names_path_keyword_and_count(tmp_path: Path, server: LocalServer) -> None:
    bad = {"id": "seven", "tags": ["ok", 1, 2, 3, 4, 5]}  # name missing, id and 5 tags wrong
    coll = _write(
        tmp_path,
        _echo(
            server,
            "bad user",
            bad,
            {"jsonpath": {"$.json": {"schema": {"file": "schemas/user.schema.json"}}}},
        ),
    )
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    done = run_cli("run", coll, "--json", report, "--junit", junit)
    assert done.code == 1
    (assertion,) = _results(report)[0]["assertions"]
    message = assertion["message"]
    assert not assertion["passed"] and assertion["actual"] == "7 errors"
    assert message.startswith(
        "jsonpath $.json does not match schema schemas/user.schema.json (7 errors): "
    )
    # The first few, each with its instance path (a JSON pointer) and keyword; the rest counted.
    assert '(root): "name" is a required property (required)' in message
    assert '/id: "seven" is not of type "integer" (type)' in message
    assert "/tags/1: 1 is not of type" in message and "and 4 more" in message
    assert "/tags/5" not in message
    assert message in done.out
    failure = ET.parse(junit).getroot().find(".//failure")
    assert failure is not None and "/id" in (failure.get("message") or "")


def test_a_multi_valued_jsonpath_checks_every_selected_value(
    tmp_path: Path, server: LocalServer
) -> None:
    item = {"type": "object", "properties": {"a": {"type": "integer"}}}
    coll = _write(
        tmp_path,
        _echo(
            server,
            "items",
            {"items": [{"a": 1}, {"a": "x"}]},
            {"jsonpath": {"$.json.items[*]": {"schema": item}}},
        ),
    )
    report = tmp_path / "r.json"
    assert run_cli("run", coll, "--json", report).code == 1
    (assertion,) = _results(report)[0]["assertions"]
    assert assertion["message"].endswith('(1 error): [1]/a: "x" is not of type "integer" (type)')


def test_a_body_that_is_not_json_fails_the_assertion(tmp_path: Path, server: LocalServer) -> None:
    coll = _write(
        tmp_path, {"name": "text", "url": f"{server.url}/text", "assert": {"schema": USER}}
    )
    report = tmp_path / "r.json"
    done = run_cli("run", coll, "--json", report)
    assert done.code == 1
    (result,) = _results(report)
    assert result["outcome"] == "failed" and result["error"] is None
    message = result["assertions"][0]["message"]
    assert message == (
        "body cannot match schema inline schema: the response body is not JSON (text/plain): "
        "'plain text, not JSON'"
    )


def test_draft_from_dollar_schema_else_draft_07(tmp_path: Path, server: LocalServer) -> None:
    # Draft 4's boolean exclusiveMinimum: valid when the schema says it is draft 4, and
    # enforced as draft 4 means it (n must be above 1, not equal).
    draft4 = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "properties": {"json": {"properties": {"n": {"minimum": 1, "exclusiveMinimum": True}}}},
    }
    coll = _write(tmp_path, _echo(server, "draft 4", {"n": 1}, {"schema": draft4}))
    report = tmp_path / "r.json"
    assert run_cli("run", coll, "--json", report).code == 1
    assert "/json/n: 1 is less than or equal to the minimum of 1" in json.dumps(_results(report))

    # Formats are checked under every draft (2020-12 would only annotate them), as ajv does.
    server.clear()
    mail = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "properties": {
            "json": {"properties": {"mail": {"format": "email"}, "n": {"format": "int32"}}}
        },
    }
    coll = _write(tmp_path, _echo(server, "2020-12", {"mail": "nope", "n": "x"}, {"schema": mail}))
    assert run_cli("run", coll, "--json", report).code == 1
    message = _results(report)[0]["assertions"][0]["message"]
    assert message.endswith('(1 error): /json/mail: "nope" is not a "email" (format)')

    # Without $schema it is draft-07, where exclusiveMinimum is a number: invalid input.
    del draft4["$schema"]
    server.clear()
    coll = _write(tmp_path, _echo(server, "draft 7", {"n": 1}, {"schema": draft4}))
    done = run_cli("run", coll)
    assert done.code == 2 and not server.log
    assert (
        "c.json#/items/0/assert/schema/properties/json/properties/n/exclusiveMinimum (draft 7): "
        'invalid JSON Schema: true is not of type "number"'
    ) in done.err
    assert 'without "$schema" it is read as draft-07' in done.err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            None,
            "c.json#/items/0/assert/schema/file (get): "
            "schema file schemas/user.schema.json: file not found",
        ),
        ('{"type": "object",', "schema file schemas/user.schema.json: malformed JSON at line 1"),
        (
            '{"properties": {"id": {"type": "integr"}}}',
            "user.schema.json#/properties/id/type (get): invalid JSON Schema: ",
        ),
        (
            '{"$ref": "https://example.test/user.json"}',
            "unresolvable $ref: remote $ref not fetched",
        ),
    ],
)
def test_a_bad_schema_file_is_invalid_input_before_anything_is_sent(
    tmp_path: Path, server: LocalServer, content: str | None, expected: str
) -> None:
    coll = write_json(
        tmp_path / "c.json",
        {
            "name": "bad",
            "items": [
                {
                    "name": "get",
                    "url": f"{server.url}/json",
                    "assert": {"schema": {"file": "schemas/user.schema.json"}},
                }
            ],
        },
    )
    if content is not None:
        (tmp_path / "schemas").mkdir()
        (tmp_path / "schemas" / "user.schema.json").write_text(content, encoding="utf-8")
    junit = tmp_path / "j.xml"
    done = run_cli("run", coll, "--junit", junit)
    assert done.code == 2, done.text
    assert expected in done.err
    assert "hint: " in done.err
    assert not server.log  # nothing was sent
    assert ET.parse(junit).getroot().find(".//error") is not None
    assert run_cli("validate", coll).code == 2


def test_a_local_ref_resolves_next_to_the_schema_file(tmp_path: Path, server: LocalServer) -> None:
    write_json(tmp_path / "schemas" / "tag.schema.json", {"type": "string", "maxLength": 3})
    write_json(
        tmp_path / "schemas" / "list.schema.json",
        {"properties": {"json": {"type": "array", "items": {"$ref": "tag.schema.json"}}}},
    )
    coll = write_json(
        tmp_path / "c.json",
        {
            "name": "refs",
            "items": [
                _echo(
                    server,
                    "tags",
                    ["abc", "abcd"],
                    {"schema": {"file": "schemas/list.schema.json"}},
                )
            ],
        },
    )
    report = tmp_path / "r.json"
    assert run_cli("run", coll, "--json", report).code == 1
    message = _results(report)[0]["assertions"][0]["message"]
    assert message.endswith('(1 error): /json/1: "abcd" is longer than 3 characters (maxLength)')


def test_the_schema_operator_is_for_json_values_only(tmp_path: Path, server: LocalServer) -> None:
    coll = _write(
        tmp_path,
        {"name": "h", "url": f"{server.url}/json", "assert": {"headers": {"X": {"schema": {}}}}},
    )
    done = run_cli("validate", coll)
    assert done.code == 2
    assert (
        "c.json#/items/0/assert/headers/X/schema (h): the schema operator checks JSON values"
        in done.err
    )


def test_each_schema_compiles_once_per_run(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runner.checks import schema as schema_module

    compiled: list[str] = []
    real = schema_module._compile

    def counting(schema: Any) -> Any:
        compiled.append(schema.shown)
        return real(schema)

    monkeypatch.setattr(schema_module, "_compile", counting)
    file_check = {"file": "schemas/user.schema.json"}
    coll = _write(
        tmp_path,
        _echo(
            server,
            "one",
            {"id": 1, "name": "a"},
            {"jsonpath": {"$.json": {"schema": file_check}}, "schema": {"type": "object"}},
        ),
        _echo(
            server, "two", {"id": 2, "name": "b"}, {"jsonpath": {"$.json": {"schema": file_check}}}
        ),
    )
    report = tmp_path / "r.json"
    done = run_cli("run", coll, "-n", "500", "--json", report, "--quiet")
    assert done.code == 0, done.text
    summary = json.loads(report.read_text("utf-8"))["summary"]
    assert summary["requests"] == 1000 and summary["assertions"] == 1500
    # 1,500 schema checks, two schemas (one file shared by both requests, one inline).
    assert sorted(compiled) == ["inline schema", "schemas/user.schema.json"]


def test_secrets_in_a_schema_failure_are_masked(tmp_path: Path, server: LocalServer) -> None:
    item = _echo(
        server,
        "leak",
        {"token": "<<apiToken>>"},
        {"schema": {"properties": {"json": {"properties": {"token": {"type": "integer"}}}}}},
    )
    coll = _write(tmp_path, item)
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    done = run_cli(
        "run", coll, "--var", "apiToken=s3cr3t-value-42", "--json", report, "--junit", junit
    )
    assert done.code == 1
    for text in (done.text, report.read_text("utf-8"), junit.read_text("utf-8")):
        assert "s3cr3t-value-42" not in text
    assert '/json/token: "***" is not of type "integer" (type)' in done.out


def test_export_pytest_writes_the_schema_checks(tmp_path: Path, server: LocalServer) -> None:
    coll = _write(
        tmp_path,
        _echo(
            server,
            "good",
            {"id": 1, "name": "a"},
            {"jsonpath": {"$.json": {"schema": {"file": "schemas/user.schema.json"}}}},
        ),
        _echo(
            server,
            "bad",
            {"id": "x", "name": "b"},
            {"jsonpath": {"$.json": {"schema": {"file": "schemas/user.schema.json"}}}},
        ),
    )
    module = tmp_path / "out" / "test_exported.py"
    module.parent.mkdir()
    done = run_cli("export", "pytest", coll, "-o", module)
    assert done.code == 0, done.text
    source = module.read_text("utf-8")
    assert source.count("SCHEMA_USER: Any = ") == 1  # one constant for the shared file
    assert 'assert_schema(body["json"], SCHEMA_USER)' in source
    ruff = Path(sys.executable).with_name("ruff")
    rules = ["--isolated", "--select", "E,F,W,I,B,UP,SIM,RUF", "--line-length", "100"]
    linted = subprocess.run(
        [str(ruff), "check", *rules, module.name], cwd=module.parent, capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            "/dev/null",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-q",
            module.name,
        ],
        cwd=module.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "1 failed, 1 passed" in ran.stdout, ran.stdout
    assert "$.id: 'x' is not of type 'integer' (type)" in ran.stdout
