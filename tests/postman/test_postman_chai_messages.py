"""pm.expect is chai, as in Postman: every assertion message is Newman's, word for word.

One collection holds a pm.test per chai expression of support/chai_cases.py (values, and
Postman's response assertions on a 404 from the echo server). Newman 6.2.2 runs it and must
give the messages written in chai_cases (so the list is chai's, not runner's idea of it);
`runner run` runs the same file and must give Newman's message for every test.
"""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from newman_tools import install_error, node_modules
from support.chai_cases import FAILING, PASSING, RESPONSE
from support.echo_server import EchoServers
from support.external import missing

from runner.cli import main

pytestmark = pytest.mark.external

# name -> expression, in the collection's order; the expected message ("" = passes).
VALUES = {f"v{i}": (expr, message) for i, (expr, message) in enumerate(FAILING)}
VALUES.update({f"p{i}": (expr, "") for i, expr in enumerate(PASSING)})
RESPONSES = {f"r{i}": case for i, case in enumerate(RESPONSE)}

DRIVER = r"""
const newman = require(process.argv[2]);
newman.run({collection: process.argv[3], reporters: []}, (err, summary) => {
  if (err) { throw err; }
  const out = summary.run.executions.map(e => ({
    name: e.item.name,
    tests: (e.assertions || []).map(a => [a.assertion, a.error ? a.error.message : ''])
  }));
  require('fs').writeFileSync(process.argv[4], JSON.stringify(out));
});
"""


def _item(name: str, url: str, cases: dict[str, tuple[str, str]]) -> dict[str, object]:
    exec_lines = [
        f"pm.test({key!r}, function () {{ {expr}; }});" for key, (expr, _) in cases.items()
    ]
    return {
        "name": name,
        "request": {"method": "GET", "url": url},
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": exec_lines}}],
    }


@pytest.fixture(scope="module")
def collection(echo: EchoServers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Returns the collection file of every case."""
    document = {
        "info": {
            "name": "chai messages",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [
            _item("values", f"{echo.http}/get", VALUES),
            _item("response", f"{echo.http}/status/404", RESPONSES),
        ],
    }
    path = tmp_path_factory.mktemp("chai") / "chai.postman_collection.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _messages(runs: list[dict[str, object]]) -> dict[str, str]:
    """Returns test name -> failure message ("" when it passed) over every request."""
    out: dict[str, str] = {}
    for run in runs:
        for name, message in run["tests"]:  # type: ignore[attr-defined]
            out[name] = message
    return out


@pytest.fixture(scope="module")
def newman(collection: Path) -> dict[str, str]:
    """Newman's message for every test (skipped without Newman; fails under CI=true)."""
    modules = node_modules()
    if modules is None:
        missing("Newman (npm newman@6)", f"is not available: {install_error()}")
    assert modules is not None
    driver = collection.parent / "driver.js"
    driver.write_text(DRIVER, encoding="utf-8")
    result = collection.parent / "newman.json"
    done = subprocess.run(
        ["node", str(driver), str(modules / "newman"), str(collection), str(result)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return _messages(json.loads(result.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def runner(collection: Path) -> dict[str, str]:
    """runner's message for every test, from its JSON report."""
    report = collection.parent / "runner.json"
    out = io.StringIO()
    status = main(["run", str(collection), "--json", str(report)], stdout=out, stderr=out)
    assert status == 1, out.getvalue()  # the failing cases fail the run, as in Newman
    results = json.loads(report.read_text(encoding="utf-8"))["results"]
    runs = [
        {
            "tests": [
                [a["name"], "" if a["passed"] else a["message"].removeprefix(a["name"] + ": ")]
                for a in r["assertions"]
            ]
        }
        for r in results
    ]
    return _messages(runs)


CASES = {**VALUES, **RESPONSES}


@pytest.mark.parametrize("key", list(CASES), ids=[CASES[k][0] for k in CASES])
def test_newman_gives_chais_message(newman: dict[str, str], key: str) -> None:
    assert newman[key] == CASES[key][1]


@pytest.mark.parametrize("key", list(CASES), ids=[CASES[k][0] for k in CASES])
def test_runner_gives_newmans_message(
    newman: dict[str, str], runner: dict[str, str], key: str
) -> None:
    assert runner[key] == newman[key]


@pytest.mark.parametrize("key", list(CASES), ids=[CASES[k][0] for k in CASES])
def test_runner_gives_chais_message(runner: dict[str, str], key: str) -> None:
    assert runner[key] == CASES[key][1]
