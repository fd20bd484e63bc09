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
from support.postman_scripts import event_scripts


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


# The members of Postman's sandbox reference (postman-sandbox 4.7.1, the one Newman 6.2.2
# runs: its types/sandbox/*.d.ts), each as it is written in a script. Backbone, a
# deprecated global of that sandbox, is not provided by runner (README, differences).
SANDBOX_REFERENCE = [
    "pm.info.eventName",
    "pm.info.iteration",
    "pm.info.iterationCount",
    "pm.info.requestName",
    "pm.info.requestId",
    "pm.globals",
    "pm.environment",
    "pm.collectionVariables",
    "pm.variables",
    "pm.iterationData",
    "pm.request",
    "pm.response",
    "pm.cookies",
    "pm.cookies.jar",
    "pm.visualizer.set",
    "pm.visualizer.clear",
    "pm.sendRequest",
    "pm.execution.location",
    "pm.execution.location.current",
    "pm.execution.setNextRequest",
    "pm.execution.skipRequest",
    "pm.expect",
    "pm.test(",
    "pm.test.index",
    "pm.test.skip",
    ".to.have.status",
    ".to.have.header",
    ".to.have.body",
    ".to.have.jsonBody",
    ".to.have.jsonSchema",
    ".to.be.info",
    ".to.be.success",
    ".to.be.redirection",
    ".to.be.clientError",
    ".to.be.serverError",
    ".to.be.error",
    ".to.be.ok",
    ".to.be.accepted",
    ".to.be.badRequest",
    ".to.be.unauthorized",
    ".to.be.forbidden",
    ".to.be.notFound",
    ".to.be.rateLimited",
    ".has(",
    ".get(",
    ".set(",
    ".unset(",
    ".clear(",
    ".toObject(",
    ".replaceIn(",
    ".toJSON(",
    "pm.response.code",
    "pm.response.status",
    "pm.response.headers",
    "pm.response.json",
    "pm.response.text",
    "pm.response.responseTime",
    "pm.response.responseSize",
    "pm.response.size",
    "pm.response.cookies",
    "pm.response.reason",
    "pm.request.url",
    "pm.request.headers",
    "pm.request.method",
    "pm.request.body",
    "pm.request.auth",
    "pm.request.addHeader",
    "pm.request.removeHeader",
    "pm.request.upsertHeader",
    "postman.setNextRequest",
    "tests[",
    "globals.",
    "environment.",
    "data.",
    "request.",
    "responseCookies",
    "responseHeaders",
    "responseTime",
    "responseCode",
    "responseBody",
    "iteration",
    "_.",
    "CryptoJS",
    "atob",
    "btoa",
    "tv4",
    "xml2Json",
    "cheerio",
    "postman.getResponseCookie",
    "postman.getResponseHeader",
    "postman.setEnvironmentVariable",
    "postman.getEnvironmentVariable",
    "postman.clearEnvironmentVariable",
    "postman.clearEnvironmentVariables",
    "postman.setGlobalVariable",
    "postman.getGlobalVariable",
    "postman.clearGlobalVariable",
    "postman.clearGlobalVariables",
]


def test_the_newman_judged_collections_reach_every_member_of_the_sandbox_reference() -> None:
    # Every collection here is run through Newman too (test_postman_newman_differential.py,
    # test_postman_semantics.py, test_postman_libraries.py): what they reach is judged.
    from test_postman_libraries import LIBRARIES

    folder = Path(__file__).parent
    documents = [json.loads(c.collection.read_text(encoding="utf-8")) for c in OWN_CASES]
    documents += [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((folder / "semantics").glob("*.postman_collection.json"))
    ]
    scripts = "\n".join(source for _, source in event_scripts([*documents, LIBRARIES]))
    assert [member for member in SANDBOX_REFERENCE if member not in scripts] == []
