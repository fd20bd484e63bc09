"""Interrupting a `runner run` subprocess part-way, as Ctrl-C or a CI cancellation does."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def interrupt_run(
    args: list[str], server: Any, sent: signal.Signals, cwd: Path, after: int = 3
) -> tuple[int, str, str]:
    """Runs `python -m runner run ARGS`, sends `sent` once the server has seen `after`
    requests, and returns the exit status, stdout and stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", "run", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    try:
        deadline = time.monotonic() + 20
        # Wait until a request has completed (a later one has started), then signal.
        while len(server.log) < after and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(sent)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err
