"""Thread safety of `--parallel`: 1,000 iterations at `--parallel 16`, each capturing a value
and sending it back, all under one shared token from the emulator; every console line,
JSON result and JUnit testcase is checked (right iteration, right value, right order)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.local_server import LocalServer, serve
from token_e2e import APP, ARM, Issued, collection, emulator_env, run_cli, v1_auth, write_json

from runner.emulator import Emulator

ITERATIONS = 1000


@pytest.fixture(scope="module")
def echo() -> Iterator[LocalServer]:
    with serve() as running:
        yield running


def _items() -> list[dict[str, object]]:
    bearer = {"equals": "Bearer <<bearerToken>>"}
    send = {
        "name": "Send n",
        "method": "POST",
        "url": "<<echoUrl>>/echo",
        "body": {"json": {"n": "<<n>>"}},
        "capture": {"mine": "$.json.n"},
        "assert": {"status": 200, "jsonpath": {"$.headers.Authorization": bearer}},
    }
    back = {
        "name": "Read n back",
        "url": "<<echoUrl>>/echo",
        "query": {"n": "<<mine>>"},
        "capture": {"again": "$.query.n[0]"},
        "assert": {
            "status": 200,
            "jsonpath": {"$.query.n[0]": {"equals": "<<n>>"}, "$.headers.Authorization": bearer},
        },
    }
    return [send, back]


def test_1000_iterations_at_parallel_16_keep_captures_tokens_and_reports_straight(
    emulator: Emulator, issued: Issued, echo: LocalServer, tmp_path: Path
) -> None:
    echo.clear()
    rows = [{"n": f"v{i}"} for i in range(1, ITERATIONS + 1)]
    data = write_json(tmp_path, rows, stem="rows")
    doc = collection(v1_auth(), *_items(), name="parallel")
    run = run_cli(
        tmp_path,
        doc,
        *emulator_env(emulator),
        *("--var", f"echoUrl={echo.url}", "-d", str(data), "--parallel", "16"),
    )
    assert run.code == 0, run.out[-2000:]

    # One token for the whole run, and every request carried exactly that one.
    assert emulator.stats.token_requests_total == 1
    assert emulator.stats.tokens(APP, ARM, "client_credentials") == 1
    assert len(issued.access) == 1
    token = issued.access[0]
    assert len(echo.log) == 2 * ITERATIONS
    assert {seen.headers.get("Authorization") for seen in echo.log} == {f"Bearer {token}"}
    sent = sorted(json.loads(seen.body)["n"] for seen in echo.log if seen.method == "POST")
    assert sent == sorted(row["n"] for row in rows)

    # The JSON report: the token, then each iteration's two requests in order, every
    # capture holding that iteration's own value.
    assert [t["name"] for t in run.tokens()] and len(run.tokens()) == 1
    requests = run.requests()
    assert len(requests) == 2 * ITERATIONS
    for index, result in enumerate(requests):
        iteration = index // 2 + 1
        n = f"v{iteration}"
        assert result["iteration"] == iteration, result
        assert result["outcome"] == "passed", result
        assert all(a["passed"] for a in result["assertions"]), result
        if index % 2 == 0:
            assert (result["name"], result["captures"]) == ("Send n", {"mine": n}), result
        else:
            assert (result["name"], result["captures"]) == ("Read n back", {"again": n})
            assert result["url"] == f"{echo.url}/echo?n={n}"
    summary = run.report["summary"]
    assert (summary["requests"], summary["failed"], summary["errors"]) == (2 * ITERATIONS, 0, 0)

    # The console: one line per request, iteration by iteration, each with its own URL.
    lines = [line for line in run.out.splitlines() if line.startswith("  ✔") or "✘" in line]
    assert len(lines) == 2 * ITERATIONS + 1, lines[:5]  # + the token line
    request_lines = [line for line in lines if "/echo" in line]
    for index, line in enumerate(request_lines):
        iteration = index // 2 + 1
        suffix = "" if iteration == 1 else f" [{iteration}]"
        if index % 2 == 0:
            expected = rf"  ✔ Send n{re.escape(suffix)}  POST {re.escape(echo.url)}/echo  200 "
        else:
            url = re.escape(f"{echo.url}/echo?n=v{iteration}")
            expected = rf"  ✔ Read n back{re.escape(suffix)}  GET {url}  200 "
        assert re.match(expected, line), (index, line)
    assert f"PASSED: {2 * ITERATIONS} requests" in run.out

    # JUnit: every testcase passed, in the same order.
    cases = [c for c in run.cases if c.classname != "auth"]
    assert len(cases) == 2 * ITERATIONS
    assert all(c.outcome == "pass" for c in cases)
    assert [c.name for c in cases[:4]] == ["Send n", "Read n back", "Send n [2]", "Read n back [2]"]
    assert cases[-1].name == f"Read n back [{ITERATIONS}]"
