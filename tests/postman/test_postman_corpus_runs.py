"""Issue 5 point 3: the offline corpus cases run through `runner run` as Newman's tests expect.

Each case runs unchanged, with `--connect-to` sending postman-echo.com, httpbin.org and
Newman's :4041/:4042 harness servers to the local echo servers. Newman's integration suites
expect a run with zero failures; its CLI fixtures expect the exit codes and JUnit shapes
listed in the corpus README.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from corpus_cases import (
    FIXTURE_CASES,
    KNOWN_DIFFERENCES,
    RUN,
    Case,
    external_cases,
    integration_cases,
)
from newman_tools import run_runner, runner_outcomes
from support.echo_server import EchoServers

from runner.cli import main

pytestmark = [pytest.mark.external, pytest.mark.usefixtures("shared_corpus")]

# Suites using lodash (`_`) or require('ajv') get them from runner's pinned library cache,
# as Newman's sandbox has them built in: no --module-path.
CASES = integration_cases() + FIXTURE_CASES


def place_extra_files(case: Case) -> None:
    """Puts the files a case reads relative to the working directory (as Newman does)."""
    for relative, source in case.extra_files.items():
        target = Path.cwd() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


@pytest.mark.parametrize("case", external_cases(CASES))
def test_corpus_case_matches_newmans_expectation(
    case: Case, echo: EchoServers, tmp_path: Path
) -> None:
    place_extra_files(case)
    report = tmp_path / "run.json"
    status, output = run_runner(case, echo, report)
    expected = 1 if case.name in KNOWN_DIFFERENCES else case.exit_code
    assert status == expected, output
    outcomes = runner_outcomes(report)
    assert outcomes, output
    known = KNOWN_DIFFERENCES.get(case.name, frozenset())
    if case.exit_code == 0:
        assert [o.name for o in outcomes if not o.passed and o.name not in known] == [], output


JUNIT_CASES = {
    "single-get-request.json": (
        0,
        {"tests": "1", "failures": "0", "errors": "0"},
        "ASimpleGetRequest",
    ),
    "single-request-failing.json": (
        1,
        {"tests": "1", "failures": "1", "errors": "0"},
        "StatusCodeTest",
    ),
    "newman-report-test.json": (1, {"tests": "2", "failures": "1", "errors": "1"}, "FailedRequest"),
    "nested-requests-report-test.json": (0, {"tests": "2", "failures": "0"}, "NestedRequestTest"),
    "nested-requests-fail-report-test.json": (1, {"failures": "2"}, None),
}


@pytest.mark.parametrize("name", sorted(JUNIT_CASES))
def test_newman_junit_layout_matches_newmans_cli_tests(
    name: str, echo: EchoServers, tmp_path: Path
) -> None:
    exit_code, counts, classname = JUNIT_CASES[name]
    junit = tmp_path / "junit.xml"
    argv = [
        "run",
        str(RUN / name),
        "--junit",
        str(junit),
        "--junit-layout",
        "newman",
        "--ca-bundle",
        echo.ca_file,
        "--quiet",
    ]
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    assert main(argv) == exit_code
    root = ET.parse(junit).getroot()
    suites = root.findall("testsuite")
    assert len(suites) == 1
    for key, value in counts.items():
        assert suites[0].get(key) == value, (key, ET.tostring(root, encoding="unicode"))
    assert re.fullmatch(r"\d+\.\d{3}", root.get("time", ""))
    assert re.fullmatch(r"\d+\.\d{3}", suites[0].get("time", ""))
    cases = suites[0].findall("testcase")
    if classname is not None:
        assert cases[0].get("classname") == classname
    for failure in root.iter("failure"):
        assert failure.get("type") == "AssertionFailure" and failure.get("message")
    if name == "newman-report-test.json":
        assert (suites[0].findtext("system-err") or "").strip()
