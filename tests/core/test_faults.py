"""Issue 10 points 5-9: deadlines, Retry-After, error wording, elapsed times, request delays,
against fault servers on 127.0.0.1 (tests/support/fault_server.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from .conftest import run_cli, write_json


def _run(tmp_path, items, *args):
    path = write_json(tmp_path / "c.json", {"name": "faults", "items": items})
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    result = run_cli("run", path, "--junit", junit, "--json", report, *args)
    document = json.loads(report.read_text())
    return result, document, ET.parse(junit).getroot()


def test_timeout_is_a_deadline_for_a_trickling_body(tmp_path, faults):
    # 12 bytes, one every 100 ms: each read is quick, the whole body takes 1.2 s.
    items = [
        {"name": "own", "url": f"{faults.url}/trickle/12/100", "timeoutMs": 450},
        {"name": "option", "url": f"{faults.url}/trickle/12/100"},
    ]
    result, document, _ = _run(tmp_path, items, "--timeout-request", "350")
    assert result.code == 1
    port = faults.url.rsplit(":", 1)[1]
    own, option = document["results"]
    assert own["error"] == f"timed out after 450 ms waiting for 127.0.0.1:{port}"
    assert option["error"] == f"timed out after 350 ms waiting for 127.0.0.1:{port}"
    assert "could not connect" not in result.out
    # Stopped at the deadline, not when the body was complete.
    assert 440 <= own["elapsed_ms"] < 1000
    assert 340 <= option["elapsed_ms"] < 1000


def test_a_complete_response_within_the_deadline_passes(tmp_path, faults):
    items = [
        {"name": "slow start", "url": f"{faults.url}/stall/100", "timeoutMs": 2000},
        {"name": "trickle", "url": f"{faults.url}/trickle/3/50", "timeoutMs": 2000},
        {"name": "again", "url": f"{faults.url}/trickle/3/50", "timeoutMs": 2000},
    ]
    result, document, _ = _run(tmp_path, items)
    assert result.code == 0, result.out
    assert [r["outcome"] for r in document["results"]] == ["passed"] * 3


def test_timed_out_and_errored_requests_report_their_real_time(tmp_path, server, faults):
    from support.local_server import closed_port

    items = [
        {"name": "slow", "url": f"{faults.url}/stall/2000", "timeoutMs": 300},
        {"name": "refused", "url": f"http://127.0.0.1:{closed_port()}/x"},
        # One 503 without Retry-After, then 200: the 100 ms backoff is part of its time.
        {"name": "retried", "url": f"{server.url}/flaky/elapsed/1/503?after="},
    ]
    result, document, root = _run(tmp_path, items, "--retry", "1")
    assert result.code == 1
    slow, refused, retried = document["results"]
    assert 290 <= slow["elapsed_ms"] < 1500
    assert refused["elapsed_ms"] > 0
    assert retried["elapsed_ms"] >= 100 and retried["outcome"] == "passed"
    line = next(ln for ln in result.out.splitlines() if "slow" in ln)
    assert " 0 ms" not in line
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert 0.29 <= float(cases["slow"].get("time")) < 1.5
    assert float(cases["refused"].get("time")) > 0
    assert float(cases["retried"].get("time")) >= 0.1
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert float(suite.get("time")) >= 0.39  # errors and the retry wait are in it


def test_retry_after_is_capped_announced_and_counted(tmp_path, faults):
    items = [{"name": "busy", "url": f"{faults.url}/retry-after/3600?key=cap"}]
    result, document, root = _run(tmp_path, items, "--retry", "2", "--retry-max-wait", "300")
    assert result.code == 0, result.out
    arrivals = [at for path, at in faults.arrivals]
    assert len(arrivals) == 2
    assert 0.28 <= arrivals[1] - arrivals[0] < 3  # the cap, not an hour
    # Said while waiting, before the result line.
    notice = "busy: HTTP 503; retry 1 of 2 after 300 ms, capped by --retry-max-wait: "
    notice += "Retry-After asked for 3600 s"
    assert notice in result.out
    assert result.out.index(notice) < result.out.index("✔ busy")
    (busy,) = document["results"]
    assert busy["attempts"][0]["waited_ms"] == 300
    assert "Retry-After asked for 3600 s" in busy["attempts"][0]["reason"]
    assert busy["elapsed_ms"] >= 300  # the wait is part of the request's time
    assert float(next(root.iter("testcase")).get("time")) >= 0.3


def test_retry_max_wait_default_and_bad_value(tmp_path, faults, capsys):
    from runner.transport.retry import MAX_WAIT_MS, plan_wait

    assert MAX_WAIT_MS == 10_000
    assert plan_wait("3600", 0).ms == 10_000 and plan_wait("3600", 0).capped
    assert plan_wait("2", 0).ms == 2000 and not plan_wait("2", 0).capped
    path = write_json(
        tmp_path / "c.json", {"name": "c", "items": [{"name": "a", "url": faults.url}]}
    )
    result = run_cli("run", path, "--retry-max-wait", "-1")
    assert result.code == 2
    assert "--retry-max-wait must be at least 0, got -1" in result.err
    with pytest.raises(SystemExit):
        run_cli("run", "--help")
    assert "whatever Retry-After asks (default 10000)" in " ".join(capsys.readouterr().out.split())


def test_delay_request_pauses_across_iterations_too(tmp_path, server):
    items = [{"name": f"r{i}", "url": f"{server.url}/json"} for i in range(2)]
    path = write_json(tmp_path / "c.json", {"name": "paced", "items": items})
    result = run_cli("run", path, "-n", "3", "--delay-request", "80")
    assert result.code == 0, result.out
    gaps = [b.at - a.at for a, b in zip(server.log, server.log[1:], strict=False)]
    # Five gaps, two of them between iterations (r1 → r0 [2], r1 [2] → r0 [3]).
    assert len(gaps) == 5 and min(gaps) >= 0.075, gaps
