"""--timeout (Newman's name) is a deadline for the whole run: what is in flight when it
comes is cut off there — a request, a token request, a retry's wait, a script, a
pm.sendRequest — and reported as an error; what has not run is skipped; the reports are
written and the run exits 1. The same with --parallel, and with --jobs (one deadline)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from support.junit_xsd import assert_valid_junit
from support.local_server import LocalServer, serve
from support.report_schema import assert_valid_report

from core.conftest import CliResult, emulator_auth, run_cli

SLOW = 6000
"""How long the slow route takes (ms): far beyond the deadlines below."""
SOON = 3.0
"""A run cut off at its deadline ends well within this many seconds (SLOW is 6)."""


@pytest.fixture
def slow() -> Iterator[LocalServer]:
    # A server per test: the requests cut off leave its handlers sleeping for seconds.
    with serve() as running:
        yield running


def _run(tmp_path: Path, *args: str | Path) -> tuple[CliResult, dict[str, Any], float]:
    """Returns the CLI result, the JSON report and the wall time of `runner run ARGS`."""
    report = tmp_path / "r.json"
    started = time.monotonic()
    result = run_cli("run", *args, "--json", report, "--junit", tmp_path / "j.xml")
    took = time.monotonic() - started
    assert_valid_junit(tmp_path / "j.xml")
    return result, assert_valid_report(report), took


def _by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        r["name"] + (f" [{r['iteration']}]" if r["iteration"] > 1 else ""): r
        for r in document["results"]
    }


def _junit_marks(path: Path, whole: bool = False) -> list[tuple[dict[str, str], str]]:
    """Returns each JUnit suite's properties and its <system-err> note (its start, up to the
    first ': ', unless `whole`)."""
    marks = []
    for suite in ET.parse(path).getroot().iter("testsuite"):
        properties = {p.get("name", ""): p.get("value", "") for p in suite.iter("property")}
        note = suite.findtext("system-err") or ""
        marks.append((properties, note if whole or not note else note[: note.find(":") + 2]))
    return marks


@pytest.mark.parametrize(
    ("route", "code", "marks"),
    [
        ("json", 0, ({}, "")),
        # Nothing was left to skip: the suite still says the run timed out, and why.
        (
            f"delay/{SLOW}",
            1,
            (
                {"timed_out": "true", "timeout_ms": "500"},
                "run timeout (500 ms) reached: what was in flight was cut off, requests not "
                "run are reported as skipped (run timeout (500 ms))",
            ),
        ),
    ],
)
def test_the_junit_suite_says_whether_the_run_timed_out(
    tmp_path: Path, slow: LocalServer, coll: Any, route: str, code: int, marks: Any
) -> None:
    path = coll({"name": "one", "url": f"{slow.url}/{route}"})
    result, document, _ = _run(tmp_path, path, "--timeout", "500")
    assert result.code == code, result.text
    assert document["summary"]["timed_out"] is bool(code)
    assert _junit_marks(tmp_path / "j.xml", whole=True) == [marks]


def test_the_request_in_flight_is_cut_off_at_the_deadline(
    tmp_path: Path, slow: LocalServer, coll: Any
) -> None:
    path = coll(
        {"name": "fast", "url": f"{slow.url}/json", "assert": {"status": 200}},
        {"name": "slow", "url": f"{slow.url}/delay/{SLOW}", "assert": {"status": 200}},
        {"name": "later", "url": f"{slow.url}/json", "assert": {"status": 200}},
    )
    result, document, took = _run(tmp_path, path, "--timeout", "700")
    assert result.code == 1, result.text
    assert took < SOON, result.text
    assert "--timeout 700 ms reached" in result.text
    results = _by_name(document)
    assert results["fast"]["status"] == 200 and not results["fast"].get("error")
    cut = results["slow"]
    assert cut["skipped"] is False
    assert cut["error"].startswith("cut off by the run timeout (700 ms) after "), cut
    assert f"waiting for 127.0.0.1:{slow.port}" in cut["error"]
    assert cut["elapsed_ms"] < 1000
    assert results["later"]["skipped"] is True
    assert results["later"]["skip_reason"] == "run timeout (700 ms)"
    assert document["summary"]["timed_out"] is True
    assert slow.paths() == ["/json", f"/delay/{SLOW}"]
    junit = (tmp_path / "j.xml").read_text("utf-8")
    assert "cut off by the run timeout (700 ms)" in junit
    assert _junit_marks(tmp_path / "j.xml") == [
        ({"timed_out": "true", "timeout_ms": "700"}, "run timeout (700 ms) reached: ")
    ]
    assert "✘ slow" in result.out and "cut off by the run timeout (700 ms)" in result.out


def test_parallel_iterations_in_flight_are_all_cut_off(
    tmp_path: Path, slow: LocalServer, coll: Any
) -> None:
    path = coll({"name": "slow", "url": f"{slow.url}/delay/{SLOW}"})
    result, document, took = _run(tmp_path, path, "-n", "3", "--parallel", "3", "--timeout", "600")
    assert result.code == 1, result.text
    assert took < SOON, result.text
    assert len(slow.paths()) == 3
    # Each one cut off, none skipped: all three were in flight together at the deadline.
    errors = [r.get("error") or "" for r in document["results"]]
    assert len(errors) == 3
    assert all(e.startswith("cut off by the run timeout (600 ms)") for e in errors), errors


def test_collections_side_by_side_share_one_deadline(
    tmp_path: Path, slow: LocalServer, coll: Any
) -> None:
    first = coll({"name": "a", "url": f"{slow.url}/delay/{SLOW}"}, file="a.json", name="a")
    second = coll(
        {"name": "b", "url": f"{slow.url}/delay/{SLOW}"},
        {"name": "b2", "url": f"{slow.url}/json"},
        file="b.json",
        name="b",
    )
    result, document, took = _run(tmp_path, first, second, "--jobs", "2", "--timeout", "600")
    assert result.code == 1, result.text
    assert took < SOON, result.text
    results = _by_name(document)
    for name in ("a", "b"):
        assert results[name]["error"].startswith("cut off by the run timeout (600 ms)")
    assert results["b2"]["skip_reason"] == "run timeout (600 ms)"
    assert [c["summary"]["timed_out"] for c in document["collections"]] == [True, True]
    # Each collection's suite says so (one deadline for both).
    assert [m[0] for m in _junit_marks(tmp_path / "j.xml")] == [
        {"timed_out": "true", "timeout_ms": "600"}
    ] * 2
    assert "/json" not in slow.paths()


def test_a_retry_wait_ends_at_the_deadline(tmp_path: Path, slow: LocalServer, coll: Any) -> None:
    path = coll(
        {"name": "busy", "url": f"{slow.url}/flaky/busy/5/503?after=8", "assert": {"status": 200}},
        {"name": "later", "url": f"{slow.url}/json"},
    )
    result, document, took = _run(
        tmp_path, path, "--retry", "3", "--retry-max-wait", "8000", "--timeout", "600"
    )
    assert result.code == 1, result.text
    assert took < SOON, result.text
    busy = _by_name(document)["busy"]
    assert busy["error"] == "cut off by the run timeout (600 ms) while waiting to retry", busy
    assert len(slow.paths()) == 1  # the retry was never sent


def test_a_token_request_is_cut_off_at_the_deadline(
    tmp_path: Path, slow: LocalServer, coll: Any
) -> None:
    # The emulator's credentials, sent to a token endpoint that answers too late.
    auth = {**emulator_auth(slow.url), "tokenUrl": f"{slow.url}/delay/{SLOW}"}
    path = coll({"name": "api", "url": f"{slow.url}/json"}, auth=auth)
    result, document, took = _run(tmp_path, path, "--timeout", "600")
    assert result.code == 1, result.text
    assert took < SOON, result.text
    token = next(r for r in document["results"] if r["kind"] == "token")
    assert "cut off by the run timeout (600 ms)" in token["error"], token
    assert auth["clientSecret"] not in result.text
    assert "/json" not in slow.paths()


def test_a_script_is_cut_off_at_the_deadline(tmp_path: Path, slow: LocalServer, coll: Any) -> None:
    # No limit of its own (--timeout-script 0): the run's deadline is what stops it.
    path = coll(
        {"name": "spin", "url": f"{slow.url}/json", "scripts": {"test": "while (true) {}"}},
        {"name": "later", "url": f"{slow.url}/json"},
    )
    result, document, took = _run(tmp_path, path, "--timeout-script", "0", "--timeout", "600")
    assert result.code == 1, result.text
    assert took < SOON, result.text
    spin = _by_name(document)["spin"]
    assert "TimeoutError: script cut off by the run timeout (600 ms)" in spin["error"], spin
    assert _by_name(document)["later"]["skip_reason"] == "run timeout (600 ms)"


def test_a_scripts_send_request_is_cut_off_at_the_deadline(
    tmp_path: Path, slow: LocalServer, coll: Any
) -> None:
    script = f"pm.sendRequest('{slow.url}/delay/{SLOW}', (err, res) => {{}});"
    path = coll(
        {"name": "sends", "url": f"{slow.url}/json", "scripts": {"prerequest": script}},
    )
    result, document, took = _run(tmp_path, path, "--timeout", "600")
    assert result.code == 1, result.text
    assert took < SOON, result.text
    sends = _by_name(document)["sends"]
    assert "pm.sendRequest: cut off by the run timeout (600 ms)" in sends["error"], sends
    # The deadline had passed when the request itself was due: it was not sent.
    assert "not sent: the run timeout (600 ms) had passed" in sends["error"]
    assert slow.paths() == [f"/delay/{SLOW}"]


def test_a_script_cut_off_counts_in_its_requests_time(
    tmp_path: Path, slow: LocalServer, coll: Any
) -> None:
    # Each request's scripts ran until the deadline: its time is that long, not the few ms
    # of the exchange (the console line, the JSON report and the JUnit testcase alike).
    path = coll(
        {"name": "busy", "url": f"{slow.url}/json", "scripts": {"prerequest": "while (true) {}"}},
        file="busy.json",
    )
    timer = coll(
        {
            "name": "timer",
            "url": f"{slow.url}/json",
            "scripts": {"test": "setTimeout(() => {}, 10000)"},
        },
        file="timer.json",
    )
    for name, collection in (("busy", path), ("timer", timer)):
        result, document, took = _run(
            tmp_path, collection, "--timeout-script", "0", "--timeout", "600"
        )
        assert result.code == 1, result.text
        assert took < SOON, result.text
        item = _by_name(document)[name]
        assert "script cut off by the run timeout (600 ms)" in item["error"], item
        assert 550 <= item["elapsed_ms"] < 2000, item
        line = next(x for x in result.out.splitlines() if f"✘ {name} " in x)
        shown = int(line.rsplit("  ", 1)[1].removesuffix(" ms"))
        assert 550 <= shown < 2000, line
        junit = (tmp_path / "j.xml").read_text("utf-8")
        case = junit.split(f'<testcase name="{name}"', 1)[1]
        assert 0.55 <= float(case.split('time="', 1)[1].split('"', 1)[0]) < 2, case


def test_a_scripts_time_counts_in_its_requests_time(
    tmp_path: Path, slow: LocalServer, coll: Any
) -> None:
    # Not only when cut off: a test script that waits 300 ms makes the request 300 ms longer.
    script = "setTimeout(() => pm.test('late', () => {}), 300);"
    path = coll({"name": "waits", "url": f"{slow.url}/json", "scripts": {"test": script}})
    result, document, _ = _run(tmp_path, path)
    assert result.code == 0, result.text
    waits = _by_name(document)["waits"]
    assert waits["elapsed_ms"] >= 300, waits
