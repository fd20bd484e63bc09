"""`retry: N` / `retry: {count, intervalMs, until}`: send again until the assertions (or
`until`) hold, as Hurl's retry does; polling an operation that finishes later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.local_server import LocalServer

from core.conftest import run_cli, write_json


def _run(tmp_path: Path, request: dict[str, object]) -> tuple[int, dict[str, object], str]:
    coll = write_json(tmp_path / "c.json", {"name": "poll", "items": [request]})
    report = tmp_path / "r.json"
    result = run_cli("run", coll, "--json", report)
    if result.code == 2:
        return result.code, {}, result.err
    return result.code, json.loads(report.read_text("utf-8"))["results"][0], result.out


def test_polls_until_the_assertions_hold(tmp_path: Path, server: LocalServer) -> None:
    code, result, out = _run(
        tmp_path,
        {
            "name": "wait for it",
            "url": f"{server.url}/flaky/ready/2/202",
            "retry": {"count": 5, "intervalMs": 50},
            "assert": {"status": 200},
        },
    )
    assert code == 0, out
    assert len(server.log) == 3  # 202, 202, then 200: it stops as soon as it holds
    attempts = result["attempts"]
    assert len(attempts) == 2
    assert "not yet (status: expected equals 200, got 202)" in json.dumps(attempts[0])
    assert result["elapsed_ms"] >= 100  # the pauses count in the request's time


def test_gives_up_after_count_and_reports_the_last_answer(
    tmp_path: Path, server: LocalServer
) -> None:
    code, result, out = _run(
        tmp_path,
        {
            "name": "never ready",
            "url": f"{server.url}/flaky/late/5/202",
            "retry": 2,  # the short form: up to 2 more sends, 1 s apart
            "assert": {"status": 200},
        },
    )
    assert code == 1
    assert len(server.log) == 3
    assert result["status"] == 202
    assert "status: expected equals 200, got 202" in out


def test_until_is_its_own_condition(tmp_path: Path, server: LocalServer) -> None:
    # Poll until the operation says ok; the request's own assertions judge the final answer.
    code, result, out = _run(
        tmp_path,
        {
            "name": "operation",
            "url": f"{server.url}/flaky/op/1/202",
            "retry": {"count": 3, "intervalMs": 10, "until": {"jsonpath": {"$.ok": True}}},
            "assert": {"status": 200, "jsonpath": {"$.calls": 2}},
        },
    )
    assert code == 0, out
    assert len(server.log) == 2
    assert len(result["attempts"]) == 1
    assert [a["passed"] for a in result["assertions"]] == [True, True]


def test_until_that_holds_at_once_sends_once(tmp_path: Path, server: LocalServer) -> None:
    code, result, out = _run(
        tmp_path,
        {
            "name": "accepted",
            "url": f"{server.url}/flaky/once/1/202",
            "retry": {"count": 3, "intervalMs": 10, "until": {"status": 202}},
            "assert": {"status": 200},
        },
    )
    assert code == 1
    assert len(server.log) == 1
    assert result["attempts"] == []
    assert "status: expected equals 200, got 202" in out


@pytest.mark.parametrize(
    ("retry", "message"),
    [({"count": 0}, "retry"), ({"intervalMs": 10}, "retry"), ("yes", "retry"), (0, "retry")],
)
def test_bad_retry_is_invalid_input(
    tmp_path: Path, server: LocalServer, retry: object, message: str
) -> None:
    code, _, err = _run(tmp_path, {"name": "bad", "url": f"{server.url}/json", "retry": retry})
    assert code == 2
    assert message in err and "/items/0/retry" in err
    assert server.log == []
