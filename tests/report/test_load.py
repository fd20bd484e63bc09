"""`runner load`: the collection as Locust users, locally and as a master with two workers.

Each run is a subprocess (gevent patches the standard library of the process it runs in)
against servers in this process, so the counts that reach the servers can be compared with
what Locust reports.
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from core.conftest import write_json
from support.local_server import LocalServer

from runner.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
ENV = json.loads((REPO / "environments" / "emulator.json").read_text("utf-8"))["variables"]


def _collection(tmp_path: Path, base: str) -> Path:
    """A token (shared by every user), a capture per user, and an assertion that fails."""
    return write_json(
        tmp_path / "load.json",
        {
            "name": "load",
            "auth": {
                "type": "oauth2",
                "grantType": "client_credentials",
                "tokenUrl": "<<emulatorUrl>>/<<tenantId>>/oauth2/v2.0/token",
                "clientId": "<<clientId>>",
                "clientSecret": "<<clientSecret>>",
                "scope": "https://graph.microsoft.com/.default",
            },
            "items": [
                {
                    "name": "create",
                    "method": "POST",
                    "url": f"{base}/echo",
                    "body": {"json": {"id": "<<$guid>>"}},
                    "assert": {"status": 200},
                    "capture": {"id": "$.json.id"},
                },
                {
                    "name": "Orders",
                    "items": [
                        {
                            # Holds only if each user keeps its own captures.
                            "name": "read back",
                            "url": f"{base}/echo",
                            "query": {"id": "<<id>>"},
                            "assert": {"jsonpath": {"$.query.id[0]": "<<id>>"}},
                        },
                        {"name": "wrong", "url": f"{base}/json", "assert": {"status": 201}},
                    ],
                },
            ],
        },
    )


def _runner(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runner", "load", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _vars(emulator: Emulator) -> list[str]:
    return [
        "--var",
        f"emulatorUrl={emulator.url}",
        "--var",
        f"tenantId={ENV['tenantId']}",
        "--var",
        f"clientId={ENV['clientId']}",
        "--var",
        f"clientSecret={ENV['clientSecret']}",
    ]


def _summary_counts(out: str) -> dict[str, tuple[int, int]]:
    """Returns request name → (requests, failures) from the printed summary."""
    rows = re.findall(
        r"^  (GET|POST|TOKEN) (.+?)\s+(\d+)\s+(\d+)\s+[\d.]+\s+\d+\s+\d+\s+\d+$", out, re.M
    )
    return {f"{m} {n}": (int(r), int(f)) for m, n, r, f in rows}


def test_load_run_with_csv_and_html(tmp_path: Path, server: LocalServer) -> None:
    with Emulator() as emulator:
        done = _runner(
            _collection(tmp_path, server.url),
            *_vars(emulator),
            "--users",
            "4",
            "--spawn-rate",
            "20",
            "--run-time",
            "2s",
            "--csv",
            tmp_path / "out" / "load",
            "--html",
            tmp_path / "out" / "load.html",
        )
        tokens = emulator.stats.token_requests_total
    assert done.returncode == 1, done.stdout + done.stderr
    counts = _summary_counts(done.stdout)
    created, _ = counts["POST create"]
    read, read_failed = counts["GET Orders › read back"]
    wrong, wrong_failed = counts["GET Orders › wrong"]
    assert counts[
        "TOKEN token: " + ENV["clientId"] + " → https://graph.microsoft.com/.default"
    ] == (1, 0)
    # Every request that reached the server is in Locust's figures, and nothing else is.
    assert created + read + wrong == len(server.log)
    assert created > 20
    assert read_failed == 0  # each user reads back its own capture
    assert wrong_failed == wrong  # assertions that fail are Locust failures
    assert tokens == 1  # one token for all users, not one per user or request
    assert f"{wrong}× GET Orders › wrong: status: expected equals 201, got 200" in done.stdout
    assert ENV["clientSecret"] not in done.stdout + done.stderr
    with open(tmp_path / "out" / "load_stats.csv", encoding="utf-8") as f:
        rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(f)}
    assert int(rows[("", "Aggregated")]["Request Count"]) == len(server.log) + 1  # + the token
    assert int(rows[("GET", "Orders › wrong")]["Failure Count"]) == wrong
    html = (tmp_path / "out" / "load.html").read_text("utf-8")
    # Locust's page carries its figures as JSON (names \u-escaped).
    assert json.dumps("Orders › wrong")[1:-1] in html
    assert ENV["clientSecret"] not in html


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_master_with_two_workers(tmp_path: Path, server: LocalServer) -> None:
    coll = _collection(tmp_path, server.url)
    port = str(_free_port())
    with Emulator() as emulator:
        base = [sys.executable, "-m", "runner", "load", str(coll), *_vars(emulator)]
        lead = ["--master", "--master-bind-host", "127.0.0.1", "--master-port", port]
        size = ["--expect-workers", "2", "--users", "4", "--spawn-rate", "20", "--run-time", "3s"]
        master = subprocess.Popen(
            [*base, *lead, *size],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        workers = [
            subprocess.Popen(
                [*base, "--worker", "--master-host", "127.0.0.1", "--master-port", port],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            out, err = master.communicate(timeout=60)
            worker_out = [w.communicate(timeout=30)[0] for w in workers]
        finally:
            for proc in (master, *workers):
                proc.kill()
        tokens = emulator.stats.token_requests_total
    assert master.returncode == 1, out + err
    assert "waiting for 2 workers" in out
    sent = [int(re.search(r"worker: sent (\d+) requests", o).group(1)) for o in worker_out]  # type: ignore[union-attr]
    assert all(n > 0 for n in sent), worker_out  # both workers ran users
    counts = _summary_counts(out)
    total = sum(r for r, _ in counts.values())
    # What the master reports is what the workers sent, and what reached the servers.
    assert total == sum(sent)
    assert total - counts[
        "TOKEN token: " + ENV["clientId"] + " → https://graph.microsoft.com/.default"
    ][0] == len(server.log)
    assert tokens == 2  # one per worker process
    assert counts["GET Orders › read back"][1] == 0


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ([], "--run-time is required"),
        (["--run-time", "soon"], "--run-time soon: not a duration"),
        (["--run-time", "1s", "--users", "0"], "--users must be at least 1"),
        (
            ["--run-time", "1s", "--timeout-request", "-5"],
            "--timeout-request must be 0 (no limit) or more milliseconds, got -5",
        ),
        (["--run-time", "1s", "--master", "--worker"], "not allowed with argument"),
    ],
)
def test_bad_load_arguments(
    tmp_path: Path, server: LocalServer, flags: list[str], message: str
) -> None:
    done = _runner(
        _collection(tmp_path, server.url), "--var", "emulatorUrl=http://127.0.0.1:9", *flags
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert server.log == []


def test_invalid_collection_sends_nothing(tmp_path: Path, server: LocalServer) -> None:
    coll = write_json(
        tmp_path / "bad.json",
        {"name": "bad", "items": [{"name": "a", "url": f"{server.url}/<<nope>>"}]},
    )
    done = _runner(coll, "--run-time", "1s")
    assert done.returncode == 2
    assert "nope" in done.stderr
    assert server.log == []
