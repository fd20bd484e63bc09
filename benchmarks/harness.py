"""Shared helpers of the benchmark scripts: run a child process and measure it.

Each measured program runs as its own child process; `os.wait4` gives that child's own
resource usage (user and system CPU seconds, peak RSS), so the figures of one child never mix
with another's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"


@dataclass
class Measure:
    """One child process run: wall seconds, CPU seconds (user+sys), peak RSS in MB."""

    wall: float
    cpu: float
    rss_mb: float
    status: int
    inner: float | None = None  # a duration the program reports itself (e.g. the run only)
    extra: dict[str, Any] = field(default_factory=dict)


def stop_on_sigterm() -> None:
    """Makes SIGTERM raise SystemExit, so `finally` blocks stop the servers we started."""

    def handler(signum: int, frame: object) -> NoReturn:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def runner_command() -> list[str]:
    """Returns the command that starts `runner` (the console script beside this Python)."""
    beside = Path(sys.executable).parent / "runner"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("runner")
    return [found] if found else [sys.executable, "-m", "runner"]


GNU_TIME = next((p for p in ("/usr/bin/time",) if os.access(p, os.X_OK)), None)
"""GNU time (Debian package `time`), used to read a child's own peak RSS."""

_DROPPED = ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")


def child_env() -> dict[str, str]:
    """Returns the environment for measured programs: ours without the variables in _DROPPED.

    Some CI images set PYTHONUNBUFFERED (a system call per console line) and
    PYTHONDONTWRITEBYTECODE (no .pyc cache: every start compiles the package again); measured
    programs get an ordinary installation's behaviour instead.
    """
    return {k: v for k, v in os.environ.items() if k not in _DROPPED}


def measure(
    cmd: Sequence[str],
    *,
    stdout: Any = subprocess.DEVNULL,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600.0,
) -> Measure:
    """Runs `cmd` and returns its wall time, CPU time and peak RSS (its own rusage).

    A child's ru_maxrss starts at its parent's size (the pages it forked with count until
    exec), so the peak RSS is read through GNU time when it is there: time is a small C
    program, and what it reports is its own child's peak. Without it, figures below this
    process's own peak RSS are that floor, not the program's.
    """
    with (
        tempfile.TemporaryFile() as errors,  # a file, not a pipe: never blocks the child
        tempfile.NamedTemporaryFile("r", suffix=".rss") as rss,
    ):
        started = time.perf_counter()
        wrapper = [GNU_TIME, "-f", "%M", "-o", rss.name] if GNU_TIME else []
        process = subprocess.Popen(
            [*wrapper, *cmd],
            stdout=stdout,
            stderr=errors,
            cwd=cwd,
            env=child_env() if env is None else env,
            process_group=0,
        )
        # Its own process group, so a timeout stops `time` and the program under it.
        killer = threading.Timer(timeout, os.killpg, (process.pid, signal.SIGKILL))
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        err = errors.read().decode(errors="replace")
        peak_kb = _peak_kb(rss.read()) if GNU_TIME else usage.ru_maxrss  # kilobytes
    result = Measure(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,  # includes the waited-for child of `time`
        rss_mb=peak_kb / 1024,
        status=process.returncode,
    )
    if err.strip():
        result.extra["stderr"] = err.strip()[-2000:]
    return result


def _peak_kb(report: str) -> float:
    """Returns the last number GNU time wrote (its %M, in KB); 0 when there is none."""
    for line in reversed(report.split()):
        if line.isdigit():
            return float(line)
    return 0.0


def measure_output(cmd: Sequence[str]) -> tuple[Measure, str]:
    """Runs `cmd` like `measure`, its stdout to a temp file; returns the figures and the text."""
    with tempfile.TemporaryFile() as out:
        m = measure(cmd, stdout=out)
        out.seek(0)
        return m, out.read().decode(errors="replace")


def run_bare(url: str, count: int) -> Measure:
    """Measures the bare requests loop (bare_loop.py) as a child process; inner = loop time."""
    m, text = measure_output([sys.executable, str(HERE / "bare_loop.py"), url, str(count)])
    check_status("bare loop", m)
    try:
        m.inner = float(json.loads(text.strip().splitlines()[-1])["loop_s"])
    except (ValueError, IndexError, KeyError):
        print(f"  WARNING: bare loop printed {text[-300:]!r}")
    return m


def check_status(label: str, m: Measure, expected: int = 0) -> None:
    """Prints a warning when a measured program did not exit as expected."""
    if m.status != expected:
        detail = m.extra.get("stderr", "")
        print(f"  WARNING: {label} exited with {m.status} (expected {expected}) {detail[-400:]}")


def row(label: str, m: Measure, base: Measure | None = None) -> str:
    """Returns one table line for `m`, with wall and CPU ratios against `base`."""
    ratio = ""
    if base is not None and base.wall > 0:
        ratio = f"  {m.wall / base.wall:5.2f}x wall  {m.cpu / max(base.cpu, 1e-9):5.2f}x cpu"
    inner = f"  (run {m.inner:.3f} s)" if m.inner is not None else ""
    return f"  {label:<44} {m.wall:7.3f} s wall {m.cpu:7.3f} s cpu {m.rss_mb:7.1f} MB{ratio}{inner}"


TARGET_MEMORY_GROWTH_MB = 20.0
"""Issue 12 point 4: peak memory with every report on grows by less than this."""


def load_average() -> str:
    """Returns the 1/5/15-minute load averages (other work on the machine skews wall times)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def save(name: str, figures: dict[str, Any]) -> Path:
    """Writes the figures of a benchmark to benchmarks/.cache/<name>.json; returns the path."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.json"
    print(f"load average at the end: {load_average()}")
    figures = {
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "load_average_end": load_average(),
        **figures,
    }
    path.write_text(json.dumps(figures, indent=2, default=_plain) + "\n")
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, Measure):
        return asdict(value)
    return str(value)


def machine() -> str:
    """Returns a one-line description of this machine."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}"
