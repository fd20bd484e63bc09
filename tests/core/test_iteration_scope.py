"""What carries from one iteration to the next: as in Newman, environment, globals and
collection variables set by scripts persist across sequential iterations (checked against
Newman 6.2.2 by hand: all nine assertions pass there)."""

from __future__ import annotations

import json
from pathlib import Path

from support.local_server import LocalServer

from core.conftest import run_cli, write_json

_PRE = [
    "pm.environment.set('n', Number(pm.environment.get('n') || 0) + 1);",
    "pm.globals.set('g', Number(pm.globals.get('g') || 0) + 1);",
    "pm.collectionVariables.set('c', Number(pm.collectionVariables.get('c') || 0) + 1);",
]
_TEST = [
    f"pm.test('{name}', () => pm.expect({getter}).to.equal(pm.info.iteration + 1));"
    for name, getter in (
        ("env persists", "pm.environment.get('n')"),
        ("globals persist", "pm.globals.get('g')"),
        ("collection vars persist", "pm.collectionVariables.get('c')"),
    )
]


def _postman(tmp_path: Path, url: str) -> Path:
    return write_json(
        tmp_path / "persist.postman_collection.json",
        {
            "info": {
                "name": "persist",
                "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
            },
            "item": [
                {
                    "name": "count",
                    "event": [
                        {"listen": "prerequest", "script": {"exec": _PRE}},
                        {"listen": "test", "script": {"exec": _TEST}},
                    ],
                    "request": {"method": "GET", "url": url},
                }
            ],
        },
    )


def test_script_variables_persist_across_sequential_iterations(
    tmp_path: Path, server: LocalServer
) -> None:
    report = tmp_path / "r.json"
    result = run_cli("run", _postman(tmp_path, f"{server.url}/json"), "-n", "3", "--json", report)
    assert result.code == 0, result.text
    results = json.loads(report.read_text("utf-8"))["results"]
    assert [len(r["assertions"]) for r in results] == [3, 3, 3]
