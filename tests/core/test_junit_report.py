"""JUnit reports: valid against Jenkins' junit-10.xsd (issue 10 point 14) and streamed to disk
testcase by testcase (issue 12 point 4) with exactly the content of the whole run."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import pytest
from support.junit_xsd import assert_valid_junit
from support.local_server import closed_port

from .conftest import run_cli


def test_the_xsd_check_rejects_what_junit_xml_writes_on_its_own(tmp_path_factory):
    """The check every test gets (tests/conftest.py) can fail: junit-xml's own file has a
    `disabled` attribute and a 16-decimal suite time, both outside the schema."""
    from junit_xml import TestCase, TestSuite, to_xml_report_string

    # Outside tmp_path and the working folder, so the autouse check does not see it.
    path = tmp_path_factory.mktemp("outside") / "junit-xml.xml"
    cases = [TestCase("a", elapsed_sec=0.1), TestCase("b", elapsed_sec=0.2)]
    path.write_text(to_xml_report_string([TestSuite("s", cases)]), encoding="utf-8")
    with pytest.raises(AssertionError, match=r"junit-10\.xsd") as caught:
        assert_valid_junit(path)
    assert "disabled" in str(caught.value)


def test_invalid_input_junit_validates(tmp_path, server, coll):
    path = coll({"name": "a", "url": f"{server.url}/json", "headrs": {}})
    junit = tmp_path / "j.xml"
    assert run_cli("run", path, "--junit", junit).code == 2
    assert_valid_junit(junit)
    suite = ET.parse(junit).find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    assert "unknown key 'headrs'" in suite.find("testcase/error").get("message")


def _case(name: str, classname: str, child: str = "") -> str:
    attrs = f'name={quoteattr(name)} classname={quoteattr(classname)} time="T"'
    if not child:
        return f"\t\t<testcase {attrs} />\n"
    return f"\t\t<testcase {attrs}>\n\t\t\t{child}\n\t\t</testcase>\n"


def test_streamed_junit_holds_every_testcase_in_order(tmp_path, server, coll):
    """300 iterations of four requests (pass, failure, error, skipped): the file assembled from
    the spool is exactly the document the run should give, testcase by testcase."""
    port = closed_port()
    wrong = {"jsonpath": {"$.total": 3}}
    path = coll(
        {"name": "ok", "url": f"{server.url}/json", "assert": {"status": 200}},
        {"name": "Folder", "items": [
            {"name": "bad <&>", "url": f"{server.url}/json", "assert": wrong},
            {"name": "down", "url": f"http://127.0.0.1:{port}/x"},
            {"name": "later", "url": f"{server.url}/json", "skip": True},
        ]},
        name="Stream",
    )  # fmt: skip
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    iterations = 300
    result = run_cli("run", path, "-n", iterations, "--quiet", "--junit", junit, "--json", report)
    assert result.code == 1, result.text
    # The connection error's wording is the transport's; take it from the JSON report.
    error = next(r["error"] for r in json.loads(report.read_text())["results"] if r["error"])
    url = f"http://127.0.0.1:{port}/x"
    message = "jsonpath $.total: expected equals 3, got 2"
    failure = (
        f'<failure type="failure" message={quoteattr(message)}>'
        + escape(f"GET {server.url}/json → 200\nFAILED {message} (expected 3, actual 2)")
        + "</failure>"
    )
    errored = f'<error type="error" message={quoteattr(error)}>{escape(f"GET {url} → —")}</error>'
    skipped = '<skipped type="skipped" message="skip: true" />'
    cases = []
    for i in range(1, iterations + 1):
        tag = "" if i == 1 else f" [{i}]"
        cases += [
            _case(f"ok{tag}", "Stream"),
            _case(f"bad <&>{tag}", "Stream.Folder", failure),
            _case(f"down{tag}", "Stream.Folder", errored),
            _case(f"later{tag}", "Stream.Folder", skipped),
        ]
    n = str(4 * iterations)
    counts = f'tests="{n}" failures="{iterations}" errors="{iterations}"'
    expected = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<testsuites {counts} time="T">\n'
        f'\t<testsuite name="Stream" {counts} skipped="{iterations}" time="T" timestamp="TS">\n'
        + "".join(cases)
        + "\t</testsuite>\n</testsuites>\n"
    )
    text = junit.read_text(encoding="utf-8")
    times = re.findall(r'\btime="([^"]*)"', text)
    assert all(re.fullmatch(r"\d+\.\d{3}", t) for t in times[:2]), times[:2]  # suite times
    assert all(re.fullmatch(r"\d+\.\d{6}", t) for t in times[2:])
    normalised = re.sub(r'\btime="[\d.]+"', 'time="T"', text)
    normalised = re.sub(
        r'\btimestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"', 'timestamp="TS"', normalised
    )
    assert normalised == expected
    assert not [p.name for p in tmp_path.iterdir() if p.name not in ("c.json", "j.xml", "r.json")]
