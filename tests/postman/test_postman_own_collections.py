"""Postman collections written for the suite run through `runner run` as Newman runs them.

pm-api exercises the pm API (every variable scope, pm.info, pm.request, pm.response,
pm.sendRequest, pm.iterationData, chai expectations), the legacy sandbox globals, dynamic
variables, inherited auth and events, disabled entries, setNextRequest, an unset variable
sent as written, and a CSV data file with a byte-order mark; failures exercises what Newman
counts as a failure. The expected results are written in own_cases.py (Newman 6 agrees:
test_postman_newman_differential.py checks it when Newman is available).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newman_tools import run_runner, runner_outcomes
from own_cases import EXPECTED, OWN_CASES, Case
from support.echo_server import EchoServers


@pytest.mark.parametrize("case", OWN_CASES, ids=[c.name for c in OWN_CASES])
def test_own_collection_gives_newmans_results(case: Case, echo: EchoServers, tmp_path: Path):
    status, output = run_runner(case, echo, tmp_path / "r.json")
    assert runner_outcomes(tmp_path / "r.json") == EXPECTED[case.name], output
    assert status == case.exit_code, output


def test_failures_say_what_failed(echo: EchoServers, tmp_path: Path) -> None:
    case = next(c for c in OWN_CASES if c.name == "failures")
    run_runner(case, echo, tmp_path / "r.json")
    results = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["results"]
    failed = {
        r["name"]: [a["message"].split(": ", 1) for a in r["assertions"] if not a["passed"]]
        for r in results
    }
    assert failed["Wrong status"] == [
        ["status is 200", "expected response to have status code 200 but got 404"]
    ]
    assert failed["Falsy legacy test"] == [
        ["an undefined result fails", "expected undefined to be truthy"],
        ["zero fails", "expected 0 to be truthy"],
    ]
    assert failed["Failing expectations"] == [
        ["deep equality", "expected { a: '1' } to deeply equal { a: 2 }"],
        ["explicit failure", "told to fail"],
        ["a thrown error", "TypeError: thrown"],
    ]
    errored = next(r for r in results if r["name"] == "Script error after a test")
    assert "ReferenceError: notDefinedAnywhere is not defined" in errored["error"]
    summary = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["summary"]
    assert summary["exit_status"] == 1
