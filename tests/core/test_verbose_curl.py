"""--verbose that helps debug: pretty JSON with a visible cut, --verbose=failures, --curl."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.local_server import LocalServer

from core.conftest import run_cli, write_json

SECRET = "k3y+with/odd=chars"


def _coll(tmp_path: Path, base: str) -> Path:
    return write_json(
        tmp_path / "c.json",
        {
            "name": "debug",
            "items": [
                {"name": "fine", "url": f"{base}/json", "assert": {"status": 200}},
                {
                    "name": "broken",
                    "method": "POST",
                    "url": f"{base}/echo",
                    "query": {"key": "<<apiKey>>"},
                    "headers": {"X-Trace": "t-1"},
                    "body": {"json": {"key": "<<apiKey>>", "n": 1}},
                    "assert": {"status": 201},
                },
            ],
        },
    )


def test_verbose_pretty_prints_json(tmp_path: Path, server: LocalServer) -> None:
    result = run_cli("run", _coll(tmp_path, server.url), "--var", f"apiKey={SECRET}", "-v")
    # /json's document, one key per line, indented.
    assert '      <   "total": 2,' in result.out
    assert SECRET not in result.text


def test_verbose_marks_what_it_cuts(tmp_path: Path, server: LocalServer) -> None:
    from runner.report.console import VERBOSE_BODY

    coll = write_json(
        tmp_path / "big.json",
        {
            "name": "big",
            "items": [
                {
                    "name": "big",
                    "method": "POST",
                    "url": f"{server.url}/echo",
                    "body": {"raw": "y" * 3000, "contentType": "text/plain"},
                }
            ],
        },
    )
    result = run_cli("run", coll, "-v")
    assert result.code == 0
    assert "more characters" in result.out
    assert "y" * (VERBOSE_BODY + 1) not in result.out


def test_verbose_failures_shows_only_failed_exchanges(tmp_path: Path, server: LocalServer) -> None:
    result = run_cli(
        "run", _coll(tmp_path, server.url), "--var", f"apiKey={SECRET}", "--verbose=failures"
    )
    assert result.code == 1
    assert f"      > POST {server.url}/echo?key=***" in result.out
    assert f"      > GET {server.url}/json" not in result.out  # the passing request
    assert "X-Trace: t-1" in result.out
    assert SECRET not in result.text


def test_verbose_and_quiet_exclude_each_other(tmp_path: Path, server: LocalServer) -> None:
    result = run_cli("run", _coll(tmp_path, server.url), "-q", "--verbose=failures")
    assert result.code == 2
    assert "not allowed with argument" in result.err
    assert server.log == []


def test_curl_commands_are_masked_and_replayable(tmp_path: Path, server: LocalServer) -> None:
    result = run_cli("run", _coll(tmp_path, server.url), "--var", f"apiKey={SECRET}", "--curl")
    commands = [
        line.strip()[2:] for line in result.out.splitlines() if line.strip().startswith("$ curl")
    ]
    assert len(commands) == 2
    assert commands[0] == f"curl {server.url}/json -H 'User-Agent: runner/0.1.0' -H 'Accept: */*'"
    post = shlex.split(commands[1])
    assert post[:3] == ["curl", "-X", "POST"]
    assert post[3] == f"{server.url}/echo?key=***"
    assert post[post.index("--data-raw") + 1] == '{"key": "***", "n": 1}'
    assert "X-Trace: t-1" in post
    assert SECRET not in result.text
    if shutil.which("curl"):
        # The printed command, run as it is, reaches the same endpoint.
        server.clear()
        done = subprocess.run(
            shlex.split(commands[0]), capture_output=True, timeout=30, check=False
        )
        assert done.returncode == 0
        assert [seen.path for seen in server.log] == ["/json"]


@pytest.mark.parametrize("flag", ["--curl", "--verbose=failures"])
def test_flags_in_help(flag: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "runner", "run", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert flag in done.stdout
