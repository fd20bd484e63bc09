"""Issue 10 points 5-9: deadlines, Retry-After, error wording, elapsed times, request delays,
against fault servers on 127.0.0.1 (tests/support/fault_server.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

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
