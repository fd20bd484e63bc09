"""`lro`: a request that starts an Azure long-running operation waits for it to end, as
ARM's rules say (Azure-AsyncOperation, Location, Retry-After), and is judged on the final
response. Through the CLI against a local stand-in on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.operation_server import TOKEN, OperationServer, serve_operations

from core.conftest import CliResult, run_cli, write_json


@pytest.fixture
def ops() -> Iterator[OperationServer]:
    with serve_operations() as running:
        yield running


def _run(
    tmp_path: Path, *items: dict[str, Any], args: tuple[str, ...] = (), **extra: Any
) -> tuple[CliResult, dict[str, Any]]:
    coll = write_json(tmp_path / "c.json", {"name": "lro", "items": list(items), **extra})
    report = tmp_path / "r.json"
    result = run_cli("run", coll, "--json", report, "--junit", tmp_path / "j.xml", *args)
    document = json.loads(report.read_text("utf-8")) if report.exists() else {}
    return result, document


def test_azure_async_operation_put_ends_with_the_resource(
    tmp_path: Path, ops: OperationServer
) -> None:
    result, report = _run(
        tmp_path,
        {
            "name": "create",
            "method": "PUT",
            "url": f"{ops.url}/async/rg1?polls=2",
            "body": {"json": {"location": "westeurope"}},
            "lro": {"intervalMs": 10},
            "assert": {"status": 200, "jsonpath": {"$.properties.provisioningState": "Succeeded"}},
            "capture": {"state": {"jsonpath": "$.properties.provisioningState"}},
        },
        args=("--verbose",),
    )
    assert result.code == 0, result.text
    # The PUT, two polls that say InProgress, one that says Succeeded, then the resource.
    assert [(h.method, h.path) for h in ops.log] == [
        ("PUT", "/async/rg1"),
        *[("GET", "/ops/rg1")] * 3,
        ("GET", "/async/rg1"),
    ]
    item = report["results"][0]
    assert item["status"] == 200 and item["captures"] == {"state": "Succeeded"}
    operation = item["operation"]
    assert operation["via"] == "Azure-AsyncOperation"
    assert [p["state"] for p in operation["polls"]] == ["InProgress", "InProgress", "Succeeded"]
    assert operation["final_url"] == f"{ops.url}/async/rg1?polls=2"
    assert operation["state"] == "Succeeded" and operation["error"] is None
    assert "operation Succeeded after 3 polls" in result.out
    assert f"poll 3: GET {ops.url}/ops/rg1" in result.out  # --verbose lists the polls


def test_location_delete_ends_with_the_first_answer_that_is_not_202(
    tmp_path: Path, ops: OperationServer
) -> None:
    result, report = _run(
        tmp_path,
        {
            "name": "delete",
            "method": "DELETE",
            "url": f"{ops.url}/loc/rg2?polls=2",
            "lro": {"intervalMs": 10},
            "assert": {"status": 200, "jsonpath": {"$.deleted": "rg2"}},
        },
    )
    assert result.code == 0, result.text
    assert [h.path for h in ops.log] == ["/loc/rg2", *["/results/rg2"] * 3]
    polls = report["results"][0]["operation"]["polls"]
    assert [p["status"] for p in polls] == [202, 202, 200]
    assert report["results"][0]["operation"]["final_url"] is None


def test_post_result_is_fetched_from_location(tmp_path: Path, ops: OperationServer) -> None:
    result, _ = _run(
        tmp_path,
        {
            "name": "action",
            "method": "POST",
            "url": f"{ops.url}/action/job?polls=1",
            "lro": {"intervalMs": 10},
            "assert": {"status": 200, "jsonpath": {"$.output": "job"}},
        },
    )
    assert result.code == 0, result.text
    assert [h.path for h in ops.log] == ["/action/job", "/ops/job", "/ops/job", "/output/job"]


def test_a_resource_still_being_made_is_polled_until_its_provisioning_state_ends(
    tmp_path: Path, ops: OperationServer
) -> None:
    # 201 with provisioningState Creating and no monitor header: the resource is polled.
    result, report = _run(
        tmp_path,
        {
            "name": "made slowly",
            "method": "PUT",
            "url": f"{ops.url}/body/vm?polls=2",
            "lro": {"intervalMs": 10},
            "assert": {"status": 200, "jsonpath": {"$.properties.provisioningState": "Succeeded"}},
        },
        {
            "name": "failed slowly",
            "method": "PUT",
            "url": f"{ops.url}/body/vm2?polls=0&end=Failed",
            "lro": {"intervalMs": 10},
        },
    )
    assert result.code == 1
    assert [h.path for h in ops.log] == ["/body/vm", *["/body/vm"] * 3, "/body/vm2", "/body/vm2"]
    made, failed = report["results"]
    assert made["outcome"] == "passed" and made["operation"]["via"] == "provisioningState"
    assert [p["state"] for p in made["operation"]["polls"]] == ["Creating", "Creating", "Succeeded"]
    assert failed["outcome"] == "failed"
    assert "the operation ended Failed: the service gave no error details" in result.out


def test_without_lro_the_202_is_the_answer(tmp_path: Path, ops: OperationServer) -> None:
    result, report = _run(
        tmp_path,
        {"name": "plain", "method": "DELETE", "url": f"{ops.url}/loc/x", "assert": {"status": 202}},
    )
    assert result.code == 0, result.text
    assert len(ops.log) == 1 and report["results"][0]["operation"] is None


@pytest.mark.parametrize("end", ["Failed", "Canceled"])
def test_a_failed_operation_fails_the_request_with_its_error(
    tmp_path: Path, ops: OperationServer, end: str
) -> None:
    result, report = _run(
        tmp_path,
        {
            "name": "locked",
            "method": "PUT",
            "url": f"{ops.url}/async/locked?polls=1&end={end}",
            "lro": {"intervalMs": 10},
            "assert": {"status": 200},
        },
    )
    assert result.code == 1
    why = (
        f"the operation ended {end}: ScopeLocked: The scope 'locked' cannot perform write "
        "operation because it is locked."
    )
    assert why in result.out
    item = report["results"][0]
    assert item["outcome"] == "failed"
    assert item["operation"]["error"].startswith("ScopeLocked: ")
    assert not any(h.path == "/async/locked" and h.method == "GET" for h in ops.log)
    failure = ET.parse(tmp_path / "j.xml").getroot().find(".//testcase/failure")
    assert failure is not None and why in failure.get("message", "")


def test_retry_after_sets_the_pace_of_the_polls(tmp_path: Path, ops: OperationServer) -> None:
    # The server asks for 1 s; intervalMs (0) applies only when it asks nothing.
    result, report = _run(
        tmp_path,
        {
            "name": "paced",
            "method": "PUT",
            "url": f"{ops.url}/async/paced?polls=1&after=1",
            "lro": {"intervalMs": 0},
        },
    )
    assert result.code == 0, result.text
    times = [h.at for h in ops.log]
    assert len(times) == 4
    # PUT → poll 1 and poll 1 → poll 2 each followed a Retry-After: 1; the final GET did not.
    assert times[1] - times[0] >= 0.95 and times[2] - times[1] >= 0.95
    assert times[3] - times[2] < 0.9
    polls = report["results"][0]["operation"]["polls"]
    assert [1000 <= p["waited_ms"] < 1500 for p in polls] == [True, True]
    assert report["results"][0]["elapsed_ms"] >= 2000  # the waits are the request's time


def test_retry_after_is_capped_by_retry_max_wait(tmp_path: Path, ops: OperationServer) -> None:
    result, report = _run(
        tmp_path,
        {
            "name": "slow service",
            "method": "DELETE",
            "url": f"{ops.url}/loc/slow?polls=1&after=3600",
            "lro": True,
        },
        args=("--retry-max-wait", "50"),
    )
    assert result.code == 0, result.text
    polls = report["results"][0]["operation"]["polls"]
    assert [50 <= p["waited_ms"] < 1000 for p in polls] == [True, True]
    assert ops.log[-1].at - ops.log[0].at < 5  # not an hour


def test_the_wait_has_a_deadline(tmp_path: Path, ops: OperationServer) -> None:
    result, report = _run(
        tmp_path,
        {
            "name": "endless",
            "method": "PUT",
            "url": f"{ops.url}/async/endless?polls=1000",
            "lro": {"timeoutMs": 400, "intervalMs": 50},
        },
    )
    assert result.code == 1
    item = report["results"][0]
    assert item["outcome"] == "error"
    assert item["error"].startswith(
        "the operation did not end within lro.timeoutMs (400 ms): still InProgress after "
    )
    assert "raise lro.timeoutMs" in result.out
    assert item["elapsed_ms"] >= 400
    assert item["operation"]["state"] == "InProgress" and item["operation"]["polls"]


def test_the_runs_timeout_ends_the_wait(tmp_path: Path, ops: OperationServer) -> None:
    started = time.monotonic()
    result, report = _run(
        tmp_path,
        {
            "name": "long",
            "method": "DELETE",
            "url": f"{ops.url}/loc/long?polls=1000",
            "lro": {"intervalMs": 60_000},
        },
        {"name": "after", "url": f"{ops.url}/output/x"},
        args=("--timeout", "300"),
    )
    assert time.monotonic() - started < 30  # not the minute intervalMs asked for
    assert result.code == 1
    first, second = report["results"]
    # Named as the run's other cut-offs are (a request's, a script's), not as Ctrl-C is.
    assert first["error"] == (
        "cut off by the run timeout (300 ms) while waiting for the operation: still InProgress "
        "after 0 polls (Location)"
    )
    assert first["status"] == 202  # the last answer it got
    assert "cut off by the run timeout (300 ms) while waiting for the operation" in result.out
    assert second["skipped"] is True


def test_the_runs_timeout_after_a_poll_names_the_timeout(
    tmp_path: Path, ops: OperationServer
) -> None:
    result, report = _run(
        tmp_path,
        {
            "name": "long",
            "method": "DELETE",
            "url": f"{ops.url}/loc/long2?polls=1000",
            "lro": {"intervalMs": 600},
        },
        args=("--timeout", "1000"),
    )
    assert result.code == 1, result.text
    assert report["results"][0]["error"] == (
        "cut off by the run timeout (1000 ms) while waiting for the operation: still InProgress "
        "after 1 poll (Location)"
    )
    assert report["summary"]["timed_out"] is True


def test_the_token_goes_with_every_poll_and_never_to_the_output(
    tmp_path: Path, ops: OperationServer
) -> None:
    auth = {
        "type": "oauth2",
        "grantType": "client_credentials",
        "tokenUrl": f"{ops.url}/token",
        "clientId": "app",
        "clientSecret": "lro-client-secret-93b1",
        "scope": "https://management.azure.com/.default",
    }
    result, _ = _run(
        tmp_path,
        {
            "name": "create",
            "method": "PUT",
            "url": f"{ops.url}/async/tok?polls=2",
            "headers": {"x-ms-client-request-id": "req-42"},
            "lro": {"intervalMs": 10},
            "assert": {"status": 200},
        },
        auth=auth,
        args=("--verbose",),
    )
    assert result.code == 0, result.text
    api = [h for h in ops.log if h.path != "/token"]
    assert len(api) == 5 and len(ops.hits("/token")) == 1
    assert all(h.headers.get("Authorization") == f"Bearer {TOKEN}" for h in api)
    assert all(h.headers.get("x-ms-client-request-id") == "req-42" for h in api)
    assert all("Content-Type" not in h.headers for h in api[1:])  # polls are bodiless GETs
    text = result.text + (tmp_path / "r.json").read_text() + (tmp_path / "j.xml").read_text()
    assert TOKEN not in text and "lro-client-secret-93b1" not in text


def test_credentials_go_only_to_the_requests_own_origin(
    tmp_path: Path, ops: OperationServer
) -> None:
    # The status monitor is on http://localhost:PORT, the request on http://127.0.0.1:PORT.
    result, report = _run(
        tmp_path,
        {
            "name": "elsewhere",
            "method": "PUT",
            "url": f"{ops.url}/async/far?polls=1&monitor=localhost",
            "headers": {"x-ms-client-request-id": "req-7"},
            "auth": {"type": "bearer", "token": "lro-bearer-secret-5d2e"},
            "lro": {"intervalMs": 10},
            "assert": {"status": 200},
        },
    )
    assert result.code == 0, result.text
    put, *polls, final = ops.log
    assert put.headers["Authorization"] == "Bearer lro-bearer-secret-5d2e"
    assert len(polls) == 2 and all("Authorization" not in h.headers for h in polls)
    assert all(h.headers["x-ms-client-request-id"] == "req-7" for h in polls)
    assert final.path == "/async/far" and final.headers["Authorization"].endswith("5d2e")
    assert report["results"][0]["operation"]["url"].startswith("http://localhost:")


def test_operation_location_and_resource_location(tmp_path: Path, ops: OperationServer) -> None:
    # Operation-Location is followed as Azure-AsyncOperation is; a succeeded status that
    # names a resourceLocation is where the result is read (relative to the monitor).
    result, report = _run(
        tmp_path,
        {
            "name": "patch",
            "method": "PATCH",
            "url": f"{ops.url}/async/op?polls=0&header=Operation-Location&resource=/output/made",
            "lro": {"intervalMs": 10},
            "assert": {"status": 200, "jsonpath": {"$.output": "made"}},
        },
    )
    assert result.code == 0, result.text
    assert [h.path for h in ops.log] == ["/async/op", "/ops/op", "/output/made"]
    operation = report["results"][0]["operation"]
    assert operation["via"] == "Operation-Location"
    assert operation["final_url"] == f"{ops.url}/output/made"


def test_ctrl_c_during_the_wait_stops_at_once_with_reports(
    tmp_path: Path, ops: OperationServer
) -> None:
    item = {
        "name": "waiting",
        "method": "DELETE",
        "url": f"{ops.url}/loc/ctrlc?polls=1000",
        "lro": {"intervalMs": 60_000},
    }
    path = write_json(tmp_path / "c.json", {"name": "lro", "items": [item]})
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", "run", str(path), "--junit", str(junit),
         "--json", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not ops.log and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        time.sleep(0.3)  # now in the minute-long wait before the first poll
        assert proc.poll() is None, proc.communicate()
        pressed = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        took = time.monotonic() - pressed
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, (out, err)
    assert took < 10
    assert "Traceback" not in err
    assert json.loads(report.read_text())["summary"]["interrupted"] is True
    assert ET.parse(junit).getroot().find(".//property[@name='interrupted']") is not None


@pytest.mark.parametrize(
    ("lro", "message", "pointer"),
    [
        ("yes", 'invalid value "yes"', "/items/0/lro"),
        ({"timeoutMs": 0}, "timeoutMs", "/items/0/lro/timeoutMs"),
        ({"intervalMS": 10}, "unknown key 'intervalMS'", "/items/0/lro/intervalMS"),
    ],
)
@pytest.mark.parametrize("command", ["run", "validate"])
def test_bad_lro_is_invalid_input(
    tmp_path: Path, ops: OperationServer, lro: object, message: str, pointer: str, command: str
) -> None:
    coll = write_json(
        tmp_path / "c.json",
        {
            "name": "bad",
            "items": [{"name": "x", "method": "DELETE", "url": f"{ops.url}/loc/x", "lro": lro}],
        },
    )
    result = run_cli(command, coll)
    assert result.code == 2
    assert message in result.err and pointer in result.err, result.err
    assert ops.log == []


def test_the_first_answer_is_kept_and_the_request_shown_as_sent(
    tmp_path: Path, ops: OperationServer
) -> None:
    # The exchange showed the POST with the last poll's headers, and the 202 that started the
    # operation (its Location, Retry-After) was nowhere: now the request is shown as sent,
    # the 202 is the operation's `first`, and the result names the GET that fetched it.
    url = f"{ops.url}/action/job?polls=1&after=0"
    item = {"name": "act", "method": "POST", "url": url, "body": {"json": {"input": 1}},
            "lro": {"intervalMs": 10}, "assert": {"status": 200}}  # fmt: skip
    result, report = _run(tmp_path, item, args=("--verbose",))
    assert result.code == 0, result.text
    exchange, operation = report["results"][0]["exchange"], report["results"][0]["operation"]
    assert (exchange["method"], exchange["url"]) == ("POST", url)
    assert ["Content-Type", "application/json"] in exchange["request_headers"]
    assert exchange["request_body"] == '{"input": 1}'
    assert exchange["response_body"] == '{"output": "job"}'
    assert exchange["final_request"] == {"method": "GET", "url": f"{ops.url}/output/job"}
    first = operation["first"]
    assert (first["status"], first["reason"], first["body"]) == (202, "Accepted", "")
    assert ["Location", "/output/job"] in first["headers"]
    assert ["Retry-After", "0"] in first["headers"]
    lines = result.out.splitlines()
    started = lines.index("      < 202 Accepted (the first answer: it started the operation)")
    final = lines.index(f"      ↪ final request: GET {ops.url}/output/job")
    assert lines.index(f"      > POST {url}") < started < final
    assert "      < Location: /output/job" in lines[started:final]
    assert "      < Retry-After: 0" in lines[started:final]
    assert '      <   "output": "job"' in lines[final:]


def test_a_wait_that_times_out_shows_the_last_status(tmp_path: Path, ops: OperationServer) -> None:
    # The status column said — (no answer), when every answer had been a 202.
    url = f"{ops.url}/loc/stuck?polls=1000"
    item = {"name": "stuck", "method": "DELETE", "url": url,
            "lro": {"timeoutMs": 300, "intervalMs": 50}}  # fmt: skip
    result, report = _run(tmp_path, item, args=("--verbose=failures",))
    assert result.code == 1
    assert f"  ✘ stuck  DELETE {url}  202 Accepted  " in result.out
    assert "the operation did not end within lro.timeoutMs (300 ms)" in result.out
    got = report["results"][0]
    assert (got["status"], got["reason"], got["outcome"]) == (202, "Accepted", "error")
    assert got["exchange"]["final_request"] == {
        "method": "GET",
        "url": f"{ops.url}/results/stuck?polls=1000",
    }
    assert got["operation"]["first"]["status"] == 202


def test_a_long_first_answer_is_shown_as_verbose_shows_bodies(
    tmp_path: Path, ops: OperationServer
) -> None:
    key = "k" * 4500  # the 201's body names it: longer than the 4,000 characters reports keep
    item = {"name": "long", "method": "PUT", "url": f"{ops.url}/async/{key}?polls=0",
            "lro": {"intervalMs": 10}, "assert": {"status": 200}}  # fmt: skip
    result, report = _run(tmp_path, item, args=("--verbose",))
    assert result.code == 0, result.text
    pretty = json.dumps({"name": key, "properties": {"provisioningState": "Accepted"}}, indent=2)
    lines = result.out.splitlines()
    started = lines.index("      < 201 Created (the first answer: it started the operation)")
    shown = lines[started : lines.index("      ↪ final request: GET " + item["url"])]
    assert shown[-2:] == [
        f'      <   "name": "{"k" * 1987}',
        f"      < … {len(pretty) - 2000} more characters",
    ]
    assert report["results"][0]["operation"]["first"]["body"].endswith("not shown]")
