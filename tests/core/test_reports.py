"""Issue 3 point 7: console, JUnit (runner and Newman layouts) and JSON reports; golden files
pin the console output and the JUnit XML of one representative run.

Regenerate the golden files with `RUNNER_UPDATE_GOLDEN=1 pytest tests/core/test_reports.py`.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.local_server import closed_port

from .conftest import run_cli

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _representative(coll, server, port):
    return coll(
        {"name": "List groups", "url": "<<base>>/json",
         "assert": {"status": 200, "jsonpath": {"$.total": 2, "$.value[0].name": "rg1"}}},
        {"name": "Users", "items": [
            {"name": "Get user", "url": "<<base>>/json",
             "assert": {"status": 200, "jsonpath": {"$.total": {"gt": 5}, "$.label": "hello"}}},
            {"name": "Get user", "method": "POST", "url": "<<base>>/status/201",
             "assert": {"status": 201}},
            {"name": "Inner", "items": [
                {"name": "Down", "url": f"http://127.0.0.1:{port}/x"},
                {"name": "Later", "url": "<<base>>/json", "skip": True},
            ]},
        ]},
        name="Reports demo",
        variables={"base": server.url},
    )  # fmt: skip


def _normalise(text: str) -> str:
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = re.sub(r"\b\d+ ms\b", "N ms", text)
    text = re.sub(r" in \d+\.\d+ s$", " in N s", text, flags=re.M)
    text = re.sub(r'\btime="[\d.]+"', 'time="T"', text)
    return re.sub(r'\btimestamp="[^"]+"', 'timestamp="TS"', text)


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("RUNNER_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}; run with RUNNER_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), lineterm="")
    assert actual == expected, "\n".join(diff)


@pytest.fixture
def golden_run(tmp_path, server, coll, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    path = _representative(coll, server, closed_port())
    junit, newman, report = tmp_path / "j.xml", tmp_path / "n.xml", tmp_path / "r.json"
    result = run_cli("run", path, "-n", "2", "--junit", junit, "--json", report)
    again = run_cli("run", path, "-n", "2", "--junit", newman, "--junit-layout", "newman")
    assert result.code == again.code == 1
    return result, junit.read_text(), newman.read_text(), json.loads(report.read_text())


def test_golden_console(golden_run):
    result, *_ = golden_run
    _golden("core_console.txt", _normalise(result.out))


def test_golden_junit(golden_run):
    _, junit, *_ = golden_run
    _golden("core_junit.xml", _normalise(junit))


def test_golden_junit_newman(golden_run):
    _, _, newman, _ = golden_run
    _golden("core_junit_newman.xml", _normalise(newman))


def test_normaliser_really_normalises():
    assert _normalise('a 127.0.0.1:5 3 ms time="0.1" timestamp="x"\nPASSED in 0.02 s') == (
        'a 127.0.0.1:PORT N ms time="T" timestamp="TS"\nPASSED in N s'
    )


def test_junit_runner_layout_per_contract(golden_run):
    _, junit, _, _ = golden_run
    root = ET.fromstring(junit)
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == "Reports demo"
    cases = suites[0].findall("testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names)) == 10  # unique, every iteration kept
    assert "Get user [2]" in names and "Down [2]" in names
    by_name = {c.get("name"): c for c in cases}
    assert by_name["List groups"].get("classname") == "Reports demo"
    assert by_name["Down"].get("classname") == "Reports demo.Users.Inner"
    assert by_name["Get user"].get("classname") == "Reports demo.Users"
    failure = by_name["Get user"].find("failure")
    assert failure is not None and "expected gt 5, got 2" in failure.get("message")
    assert "expected equals 'hello', got 'hello world'" in failure.text
    assert by_name["Down"].find("error") is not None
    assert "connection refused" in by_name["Down"].find("error").get("message")
    assert by_name["Later"].find("skipped") is not None
    assert float(by_name["List groups"].get("time")) > 0
    for ok in ("List groups", "List groups [2]"):
        assert list(by_name[ok]) == []
    assert suites[0].get("failures") == "2" and suites[0].get("errors") == "2"
    assert suites[0].get("skipped") == "2"


def test_junit_newman_layout(golden_run):
    _, _, newman, _ = golden_run
    root = ET.fromstring(newman)
    suites = root.findall("testsuite")
    # One suite per request (two requests share a name), none for the skipped one.
    assert [s.get("name") for s in suites] == [
        "List groups", "Users / Get user", "Users / Get user", "Users / Inner / Down",
    ]  # fmt: skip
    assert [c.get("name") for c in suites[0]] == [
        "status equals", "jsonpath $.total equals", "jsonpath $.value[0].name equals",
    ]  # fmt: skip
    failures = suites[1].findall("testcase/failure")
    assert len(failures) == 2
    assert all(f.get("type") == "AssertionFailure" for f in failures)
    assert failures[0].text.startswith("Failed 2 times.")
    assert suites[2].get("failures") == "0" and suites[2].get("tests") == "1"
    assert suites[3].get("errors") == "2"
    for node in root.iter():
        if "time" in node.attrib:
            assert re.fullmatch(r"\d+\.\d{3}", node.get("time")), node.attrib


def test_json_report_contents(golden_run):
    *_, report = golden_run
    assert report["collection"] == "Reports demo"
    assert report["summary"]["requests"] == 8 and report["summary"]["skipped"] == 2
    assert report["summary"]["exit_status"] == 1
    results = report["results"]
    assert [r["outcome"] for r in results[:5]] == ["passed", "failed", "passed", "error", "skipped"]
    first = results[0]
    assert first["status"] == 200 and first["elapsed_ms"] > 0 and first["method"] == "GET"
    assert first["url"].endswith("/json")
    assert first["assertions"][1] == {
        "name": "jsonpath $.total equals", "passed": True, "expected": 2, "actual": 2,
        "message": "", "skipped": False,
    }  # fmt: skip
    assert "connection refused" in results[3]["error"]
    assert results[6]["display_name"] == "Get user [2]" and results[6]["iteration"] == 2
    assert results[4]["skip_reason"] == "skip: true"


def test_console_lines_summary_and_no_colour_when_not_a_tty(golden_run):
    result, *_ = golden_run
    lines = result.out.splitlines()
    assert lines[0] == "Reports demo (5 requests, 2 iterations)"
    request_lines = [ln for ln in lines if ln.startswith("  ✔") or ln.startswith("  ✘")]
    assert len(request_lines) == 8
    assert "\x1b[" not in result.out
    assert "[1/10]" not in result.out
    assert re.fullmatch(
        r"FAILED: 8 requests, 14 assertions, 4 failed, 2 errors, 2 skipped in \d+\.\d\d s",
        lines[-1],
    )


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _tty_run(coll, server):
    from runner.cli import main

    path = coll(*({"name": f"r{i}", "url": f"{server.url}/json"} for i in range(3)))
    out = _Tty()
    code = main(["run", str(path)], stdout=out, stderr=io.StringIO())
    assert code == 0
    return out.getvalue()


def test_tty_gets_colour_and_progress(server, coll):
    text = _tty_run(coll, server)
    assert "\x1b[32m✔\x1b[0m" in text
    assert "[3/3]" in text


def test_no_color_respected_on_tty(server, coll, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    text = _tty_run(coll, server)
    assert "\x1b[3" not in text and "\x1b[1m" not in text
    assert "[2/3]" in text  # progress still shown; it is not colour


def test_counts_of_one_are_singular_and_of_several_plural(server, coll, tmp_path):
    gone = f"http://127.0.0.1:{closed_port()}"
    one = coll({"name": "gone", "url": f"{gone}/x"}, file="one.json", name="one")
    result = run_cli("run", one)
    assert result.code == 1, result.text
    assert result.out.splitlines()[0] == "one (1 request)"
    assert result.out.splitlines()[-1].startswith(
        "FAILED: 1 request, 0 assertions, 0 failed, 1 error in "
    )
    two = coll(
        {"name": "a", "url": f"{gone}/a"},
        {"name": "b", "url": f"{server.url}/json", "assert": {"status": 200}},
        file="two.json",
        name="two",
    )
    result = run_cli("run", two, "-n", "2")
    assert result.out.splitlines()[0] == "two (2 requests, 2 iterations)"
    assert "FAILED: 4 requests, 2 assertions, 0 failed, 2 errors in " in result.out
    rows = tmp_path / "rows.json"
    rows.write_text('[{"id": 1}]')
    valid = run_cli("validate", one, "-d", rows)
    assert valid.out == "valid: one (1 request, 1 data row)\n", valid.text


def test_passing_run_summary(server, coll):
    path = coll({"name": "ok", "url": f"{server.url}/json", "assert": {"status": 200}})
    result = run_cli("run", path)
    assert result.code == 0
    assert result.out.splitlines()[-1].startswith("PASSED: 1 request, 1 assertion, 0 failed")


def test_reports_written_to_new_folders(tmp_path, server, coll):
    path = coll({"name": "ok", "url": f"{server.url}/json"})
    junit, report = tmp_path / "a" / "b" / "j.xml", tmp_path / "c" / "r.json"
    assert run_cli("run", path, "--junit", junit, "--json", report).code == 0
    assert ET.parse(junit).find(".//testcase").get("name") == "ok"
    assert json.loads(report.read_text())["results"][0]["status"] == 200
    assert not list(report.parent.glob("*.part"))


def test_junit_keeps_the_time_of_sub_millisecond_responses(tmp_path):
    from runner.report import RunInfo
    from runner.report.junit import JUnitReporter
    from runner.results import ItemResult, RunResult, Summary
    from runner.secrets import Masker

    reporter = JUnitReporter(tmp_path / "j.xml", Masker())
    reporter.start(RunInfo("c", "c.json", 1, 1, 0.0))
    fast = ItemResult("fast", (), 1, method="GET", url="http://x", status=200, elapsed_ms=0.2)
    reporter.result(fast)
    reporter.finish(RunResult("c", Summary()))
    case = ET.parse(tmp_path / "j.xml").find(".//testcase")
    assert case is not None and float(case.get("time")) == 0.0002


def test_closed_stdout_does_not_stop_the_run(tmp_path, server):
    import subprocess
    import sys

    from .conftest import write_json

    items = [
        {
            "name": f"r{i}",
            "url": f"{server.url}/json",
            "assert": {"status": 201 if i == 30 else 200},
        }
        for i in range(40)
    ]
    path = write_json(tmp_path / "c.json", {"name": "pipe", "items": items})
    junit = tmp_path / "j.xml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", "run", str(path), "--junit", str(junit)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # like `runner run … | head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=30) == 1  # the failure of r30 still decides the exit status
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert len(server.log) == 40
    assert len(list(ET.parse(junit).iter("testcase"))) == 40


@pytest.mark.parametrize("layout", ["runner", "newman"])
def test_junit_is_well_formed_with_control_characters(tmp_path, server, coll, layout):
    path = coll(
        {"name": "r\u0001", "url": f"{server.url}/ctype?body=a%01b",
         "assert": {"status": 500, "body": "\u0003"}},
        name="c\u0002",
    )  # fmt: skip
    junit = tmp_path / "j.xml"
    assert run_cli("run", path, "--junit", junit, "--junit-layout", layout).code == 1
    root = ET.parse(junit).getroot()  # raises on malformed XML
    assert root.find(".//failure") is not None
