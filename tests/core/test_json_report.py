"""Issue 10 point 16: the JSON report has a version, one naming style (snake_case), ISO 8601
times, warnings once (also those printed during the run), a schema shipped in the package,
and it is written for invalid input too."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from support.local_server import closed_port
from support.report_schema import assert_valid_report

from .conftest import help_text, run_cli

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")
SNAKE = re.compile(r"^\$?[a-z][a-z0-9_]*$")
FREE = {"captures", "expected", "actual"}  # user data: keys are the user's


def _keys(value, where=""):
    """Yields every key of the report outside user data, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, f"{where}/{key}"
            if key not in FREE:
                yield from _keys(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _keys(item, f"{where}/{index}")


def test_json_report_format(tmp_path, server, coll):
    path = coll(
        {"name": "ok", "url": f"{server.url}/json", "assert": {"status": 200},
         "capture": {"firstName": "$.value[0].name"}},
        {"name": "F", "items": [
            {"name": "bad", "url": f"{server.url}/json", "assert": {"jsonpath": {"$.total": 3}}},
            {"name": "down", "url": f"http://127.0.0.1:{closed_port()}/x"},
            {"name": "later", "url": f"{server.url}/json", "skip": True},
        ]},
        {"name": "no checks", "url": f"{server.url}/flaky/k1/1/503", "retry": 1},
    )  # fmt: skip
    report = tmp_path / "r.json"
    result = run_cli("run", path, "--json", report, "-n", "2")
    assert result.code == 1
    doc = assert_valid_report(report)
    # No report schema next to it: no "$schema" (one that does not resolve helps no editor).
    assert "$schema" not in doc and doc["version"] == 1 and doc["error"] is None
    bad = [where for key, where in _keys(doc) if not SNAKE.match(key)]
    assert bad == [], bad
    assert ISO.match(doc["started_at"])
    assert [bool(ISO.match(r["started_at"] or "")) for r in doc["results"]] == [
        True, True, True, False, True] * 2  # fmt: skip
    assert doc["results"][5]["display_name"] == "ok [2]"
    assert doc["summary"]["exit_status"] == 1 and "warnings" not in doc["summary"]
    # A warning printed during the run is in the report, once.
    printed = [line[len("warning: ") :] for line in result.text.splitlines() if "warning:" in line]
    assert printed and doc["warnings"] == printed
    assert len(doc["warnings"]) == len(set(doc["warnings"]))


def test_warnings_printed_before_the_run_are_in_the_report(tmp_path, server):
    postman = {
        "info": {"name": "pm", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
        "item": [{"name": "r", "request": {"url": f"{server.url}/json?x={{{{undefinedVar}}}}"}}],
    }
    path = tmp_path / "pm.json"
    path.write_text(json.dumps(postman), encoding="utf-8")
    report = tmp_path / "r.json"
    result = run_cli("run", path, "--json", report)
    assert result.code == 0, result.text
    assert "warning: {{undefinedVar}} is not defined" in result.err
    warnings = assert_valid_report(report)["warnings"]
    assert [w for w in warnings if "{{undefinedVar}} is not defined" in w] != []


def test_invalid_input_writes_both_reports(tmp_path, server, coll):
    path = coll({"name": "a", "url": f"{server.url}/json", "headrs": {}})
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    result = run_cli("run", path, "--junit", junit, "--json", report)
    assert result.code == 2 and server.log == []
    assert ET.parse(junit).find(".//error") is not None
    doc = assert_valid_report(report)
    assert doc["summary"]["exit_status"] == 2 and doc["results"] == []
    assert "unknown key 'headrs'" in doc["error"] and "did you mean 'headers'" in doc["error"]


def test_the_schema_ships_in_the_package():
    from importlib.resources import files

    schema = json.loads((files("runner") / "schemas" / "report.schema.json").read_text())
    assert schema["title"] == "runner JSON report, version 1"
    assert schema["properties"]["version"] == {
        "const": 1, "description": schema["properties"]["version"]["description"]}  # fmt: skip


def test_a_report_names_the_schema_written_next_to_it(tmp_path, server, coll):
    """`runner schema report -o out/report.schema.json`, then every report written into out/
    says `"$schema": "./report.schema.json"`, which resolves wherever the folder goes."""
    path = coll({"name": "ok", "url": f"{server.url}/json", "assert": {"status": 200}})
    out = tmp_path / "out"
    assert run_cli("schema", "report", "-o", out / "report.schema.json").code == 0
    single, combined = out / "r.json", out / "both.json"
    assert run_cli("run", path, "--json", single).code == 0
    assert run_cli("run", path, path, "--json", combined).code == 0
    assert run_cli("run", tmp_path / "missing.json", "--json", out / "bad.json").code == 2
    for report in (single, combined, out / "bad.json"):
        doc = assert_valid_report(report)
        assert doc["$schema"] == "./report.schema.json", report
        target = json.loads((report.parent / doc["$schema"]).read_text("utf-8"))
        assert target["title"] == "runner JSON report, version 1"
    shown = help_text("schema")
    assert 'report written into out/ says "$schema": "./report.schema.json"' in shown
    # A file of that name that is not runner's report schema is not named.
    other = tmp_path / "other"
    assert run_cli("schema", "collection", "-o", other / "report.schema.json").code == 0
    assert run_cli("run", path, "--json", other / "r.json").code == 0
    assert "$schema" not in assert_valid_report(other / "r.json")


def test_no_shipped_schema_or_readme_names_a_url_that_does_not_resolve():
    repo = Path(__file__).resolve().parents[2]
    schemas = sorted((repo / "runner" / "schemas").glob("*.json"))
    for path in [*schemas, repo / "README.md"]:
        assert "runner.example" not in path.read_text("utf-8"), path
    # An $id is a URL an editor may try: none ships until one resolves.
    assert all('"$id"' not in path.read_text("utf-8") for path in schemas)
