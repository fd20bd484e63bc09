"""Contract section 1: `--parallel K` runs iterations at once, "each with its own variables".

Each iteration writes its own row's value into every scope a run can write (a capture, and
collection, environment and global variables from a script), waits while the other
iterations write theirs, then checks it reads back its own values only.
"""

from __future__ import annotations

import json

import pytest

from .conftest import run_cli, write_json

ROWS = [{"me": f"row{i}", "ms": ms} for i, ms in enumerate((450, 300, 150, 0), start=1)]
WRITE = """
const me = pm.iterationData.get('me');
pm.collectionVariables.set('collMe', me);
pm.environment.set('envMe', me);
pm.globals.set('globMe', me);
const seen = pm.collectionVariables.get('seen');
seen.push(me);
pm.collectionVariables.set('seen', seen);
"""


@pytest.mark.parametrize("parallel", ["4", "2"])
def test_parallel_iterations_never_see_each_others_variables(tmp_path, server, coll, parallel):
    data = write_json(tmp_path / "rows.json", ROWS)
    path = coll(
        {
            "name": "write",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {"json": {"me": "<<me>>"}},
            "capture": {"capturedMe": "$.json.me"},
            "scripts": {"test": WRITE},
        },
        {"name": "wait", "url": f"{server.url}/delay/<<ms>>"},
        {
            "name": "read",
            "url": f"{server.url}/echo",
            "query": {
                "captured": "<<capturedMe>>",
                "coll": "<<collMe>>",
                "env": "<<envMe>>",
                "glob": "<<globMe>>",
                "seen": "<<seen>>",
            },
            "assert": {
                "jsonpath": {
                    "$.query.captured[0]": "<<me>>",
                    "$.query.coll[0]": "<<me>>",
                    "$.query.env[0]": "<<me>>",
                    "$.query.glob[0]": "<<me>>",
                    "$.query.seen[0]": '["<<me>>"]',
                }
            },
        },
        variables={"collMe": "unset", "seen": []},
    )
    report = tmp_path / "r.json"
    result = run_cli("run", path, "-d", data, "--parallel", parallel, "--json", report)
    assert result.code == 0, result.text
    reads = [r for r in json.loads(report.read_text())["results"] if r["name"] == "read"]
    assert [r["iteration"] for r in reads] == [1, 2, 3, 4]
    assert all(len(r["assertions"]) == 5 for r in reads)
    # The iterations overlapped: row 2 was written before row 1 was read back.
    order = [(s.path, s.query.get("me", s.query.get("coll"))) for s in server.log]
    assert order.index(("/echo", ["row1"])) > 2, order
    # Without --parallel, iterations run one after another and variables written by an
    # iteration stay for the next (as in Newman): the list grows.
    sequential = run_cli("run", path, "-d", data, "--json", report)
    assert sequential.code == 1
    failed = [a["name"] for r in json.loads(report.read_text())["results"] for a in
              r["assertions"] if not a["passed"]]  # fmt: skip
    assert failed == ["jsonpath $.query.seen[0] equals"] * 3
