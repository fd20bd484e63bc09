"""Ctrl-C and SIGTERM: `runner run` exits 130 / 143 after writing the JUnit and JSON reports
of what ran, the run marked interrupted in both."""

from __future__ import annotations

import json
import signal
import xml.etree.ElementTree as ET

import pytest
from support.signals import interrupt_run

from .conftest import write_json


@pytest.mark.parametrize(
    ("sent", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
@pytest.mark.parametrize("parallel", ["1", "2"])
def test_signal_writes_reports_and_exits(tmp_path, server, parallel, sent, status):
    items = [
        {"name": f"slow {i}", "url": f"{server.url}/delay/300", "assert": {"status": 200}}
        for i in range(8)
    ]
    path = write_json(tmp_path / "c.json", {"name": "slow", "items": items})
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    code, out, err = interrupt_run(
        [str(path), "--junit", str(junit), "--json", str(report), "-n", "2",
         "--parallel", parallel],
        server, sent, tmp_path,
    )  # fmt: skip
    assert code == status, (out, err)
    assert "Traceback" not in err
    assert "INTERRUPTED" in out
    root = ET.parse(junit).getroot()
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties == {"interrupted": "true", "signal": sent.name}
    assert "run interrupted" in root.find("testsuite").findtext("system-err")
    cases = list(root.iter("testcase"))
    passed = [c for c in cases if not list(c)]
    assert passed and passed[0].get("name") == "slow 0"
    document = json.loads(report.read_text())
    assert document["summary"]["interrupted"] is True
    assert document["summary"]["exit_status"] == status
    assert document["summary"]["signal"] == sent.name
    ran = [r for r in document["results"] if r["outcome"] == "passed"]
    assert ran and ran[0]["name"] == "slow 0"
    executed = [r for r in document["results"] if r["outcome"] != "skipped"]
    assert len(executed) < 16
    skipped = [r for r in document["results"] if r["outcome"] == "skipped"]
    assert all(r["skip_reason"] == "interrupted" for r in skipped)
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("then", ["while (true) {}", "setTimeout(() => {}, 600000);"])
def test_signal_ends_a_script_without_a_time_limit(tmp_path, server, then):
    # --timeout-script 0 is no limit: a runaway script or one waiting for a far timer (here
    # in sendRequest's callback, once the server has seen it) still ends when the run is
    # interrupted, also on --parallel worker threads, where no signal arrives (the run
    # waited for them forever).
    spin = f"pm.sendRequest('{server.url}/json', () => {{ {then} }});"
    item = {"name": "spin", "url": f"{server.url}/json", "scripts": {"prerequest": spin}}
    path = write_json(tmp_path / "c.json", {"name": "spin", "items": [item]})
    report = tmp_path / "r.json"
    code, out, err = interrupt_run(
        [str(path), "--json", str(report), "-n", "2", "--parallel", "2",
         "--timeout-script", "0"],
        server, signal.SIGINT, tmp_path, after=2,
    )  # fmt: skip
    assert code == 130, (out, err)
    assert "Traceback" not in err
    results = json.loads(report.read_text())["results"]
    assert len(results) == 2
    stopped = "spin (prerequest script): Error: script stopped: the run stopped"
    assert all(stopped in r["error"] for r in results), results
