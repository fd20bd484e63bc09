"""The live progress line: on a real terminal (a pty) it shows done/total, failures, the
request in flight with its running time, and an ETA; in CI and pipes, plain lines only."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from core.conftest import write_json
from support.local_server import LocalServer

from runner.report.progress import LiveLine, live_progress_wanted

LIVE = "\r\x1b[K"


def _collection(tmp_path: Path, base: str) -> Path:
    return write_json(
        tmp_path / "c.json",
        {
            "name": "progress",
            "items": [
                {"name": "fast", "url": f"{base}/json", "assert": {"status": 200}},
                {"name": "Slow folder", "items": [{"name": "slow", "url": f"{base}/delay/1300"}]},
                {"name": "wrong", "url": f"{base}/json", "assert": {"status": 201}},
            ],
        },
    )


def _env(ci: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"  # plain text, so the assertions read the words
    if ci is not None:
        env["CI"] = ci
    return env


def _run_in_pty(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Runs `python -m runner ARGS` with stdout on a pseudo-terminal; returns (status, output)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_live_line_on_a_terminal(tmp_path: Path, server: LocalServer) -> None:
    code, out = _run_in_pty(["run", str(_collection(tmp_path, server.url))], _env(None))
    assert code == 1, out
    # While the slow request is in flight: one done of three, its running time, an ETA.
    assert re.search(r"\[1/3\] · Slow folder › slow \d+\.\d s · ETA \d+:\d\d", out), out
    seconds = [float(s) for s in re.findall(r"slow (\d+\.\d) s", out)]
    assert max(seconds) >= 1.0 and seconds == sorted(seconds)  # it counts up
    assert re.search(r"\[3/3\] · 1 failed", out), out
    # Result lines and the summary are printed over the line, not after it.
    assert "✘ wrong" in out and "FAILED:" in out
    summary = out[out.index("FAILED:") :]
    assert "[3/3]" not in summary


@pytest.mark.parametrize(
    ("ci", "flags"), [("true", []), (None, ["--progress", "never"]), (None, ["-q"])]
)
def test_no_live_line_in_ci_or_when_turned_off(
    tmp_path: Path, server: LocalServer, ci: str | None, flags: list[str]
) -> None:
    code, out = _run_in_pty(["run", str(_collection(tmp_path, server.url)), *flags], _env(ci))
    assert code == 1
    assert LIVE not in out and "ETA" not in out
    assert "FAILED:" in out


def test_no_cursor_control_on_a_dumb_terminal(tmp_path: Path, server: LocalServer) -> None:
    env = {**_env(None), "TERM": "dumb"}
    del env["NO_COLOR"]  # TERM=dumb alone turns colour off, and the live line
    code, out = _run_in_pty(["run", str(_collection(tmp_path, server.url))], env)
    assert code == 1
    assert "\x1b" not in out and "ETA" not in out and "[1/3]" not in out
    # Plain lines, one per request (a pty ends each line with \r\n).
    lines = out.replace("\r\n", "\n").splitlines()
    assert "\r" not in "".join(lines)
    assert [line.split()[1] for line in lines[1:4]] == ["fast", "Slow", "wrong"]
    assert "FAILED:" in out
    # --progress always is asked for by name: it draws even there.
    code, out = _run_in_pty(
        ["run", str(_collection(tmp_path, server.url)), "--progress", "always"], env
    )
    assert LIVE in out


def _run_piped(coll: Path, *flags: str, ci: str | None) -> subprocess.CompletedProcess[bytes]:
    """Runs `python -m runner run COLL FLAGS` with stdout on a pipe (bytes: text mode would
    turn each \r into \n)."""
    args = [sys.executable, "-m", "runner", "run", str(coll), *flags]
    return subprocess.run(args, capture_output=True, env=_env(ci), timeout=60, check=False)


def test_progress_always_draws_even_into_a_pipe(tmp_path: Path, server: LocalServer) -> None:
    done = _run_piped(_collection(tmp_path, server.url), "--progress", "always", ci="true")
    assert done.returncode == 1
    assert LIVE.encode() in done.stdout and b"[1/3]" in done.stdout


def test_plain_lines_in_a_pipe(tmp_path: Path, server: LocalServer) -> None:
    done = _run_piped(_collection(tmp_path, server.url), ci=None)
    out = done.stdout.decode("utf-8")
    assert "\r" not in out and "\x1b" not in out
    assert [line.split()[1] for line in out.splitlines()[1:4]] == ["fast", "Slow", "wrong"]


def test_bad_progress_value_is_a_usage_error(tmp_path: Path, server: LocalServer) -> None:
    done = _run_piped(_collection(tmp_path, server.url), "--progress", "sometimes", ci=None)
    assert done.returncode == 2
    assert b"invalid choice: 'sometimes'" in done.stderr
    assert server.log == []


@pytest.mark.parametrize(
    ("mode", "tty", "ci", "wanted"),
    [
        ("auto", True, None, True),
        ("auto", True, "true", False),
        ("auto", True, "false", True),
        ("auto", False, None, False),
        ("always", False, "true", True),
        ("never", True, None, False),
    ],
)
def test_when_the_live_line_is_wanted(
    monkeypatch: pytest.MonkeyPatch, mode: str, tty: bool, ci: str | None, wanted: bool
) -> None:
    monkeypatch.delenv("CI", raising=False)
    if ci is not None:
        monkeypatch.setenv("CI", ci)
    assert live_progress_wanted(mode, tty) is wanted


def test_line_text_and_eta() -> None:
    line = LiveLine(lambda text: None, color=False)
    line.total = 10
    line._started = 100.0
    assert line.render(100.0) == "  [0/10]"
    for ok in (True, True, False, True):
        line.count(ok)
    line.begin("a", "Users › list")
    line.begin("b", "Users › get")
    line._inflight["a"] = ("Users › list", 104.0)
    line._inflight["b"] = ("Users › get", 105.0)
    # 4 done in 8 s: 6 more take 12 s; the oldest request in flight is shown.
    assert line.render(108.0) == "  [4/10] · 1 failed · Users › list 4.0 s (+1 more) · ETA 0:12"
    line.end("a")
    line.end("b")
    assert line.render(108.0) == "  [4/10] · 1 failed · ETA 0:12"
