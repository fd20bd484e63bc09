"""Core benchmark: `runner run` against a bare `requests.Session` loop (issue 3, "Speed").

    python benchmarks/bench_core.py [--quick] [--requests N] [--repeat R]

Against a local nginx (or the Python fallback) serving a small JSON document on 127.0.0.1:

1. start-up: `runner --help` and `runner run one.json` (one request), median of 5;
2. N (2,000) sequential requests, each with a status and a JSONPath assertion, through
   `runner run one.json -n N`, `runner run many.json` (N requests in one collection) and the
   bare loop (benchmarks/bare_loop.py); wall, CPU (user+sys), peak RSS, ratio runner/bare;
3. memory: peak RSS of `runner run one.json -n N` for 2,000 and 20,000 requests;
4. `--parallel 8` against sequential on 8 iterations of an endpoint answering after 50 ms.

Every measured program is a child process; figures are its own rusage (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    Measure,
    check_status,
    load_average,
    machine,
    measure,
    measure_output,
    median_run,
    memory_growth,
    row,
    run_bare,
    runner_command,
    save,
    stop_on_sigterm,
)
from server import delay_server, static_server

TARGET_RATIO = 1.25
TARGET_STARTUP_S = 0.35
TARGET_PARALLEL_SPEEDUP = 6.0
_SUMMARY = re.compile(r"(PASSED|FAILED): (\d+) requests, (\d+) assertions.* in ([\d.]+) s")


def request_item(name: str) -> dict[str, Any]:
    """Returns one native request with a status and a JSONPath assertion."""
    return {
        "name": name,
        "url": "<<baseUrl>>/data.json",
        "assert": {"status": 200, "jsonpath": {"$.value[0].name": {"equals": "rg1"}}},
    }


def write_collection(path: Path, base_url: str, count: int) -> Path:
    """Writes a native collection of `count` requests to `path`."""
    items = [
        request_item("Get resource groups" + (f" {i}" if count > 1 else ""))
        for i in range(1, count + 1)
    ]
    doc = {"name": "bench", "variables": {"baseUrl": base_url}, "items": items}
    path.write_text(json.dumps(doc, indent=1))
    return path


def run_runner(args: list[str], expect_requests: int | None = None) -> Measure:
    """Measures one `runner run …`; reads the run's own duration from its summary line."""
    m, text = measure_output([*runner_command(), *args])
    found = _SUMMARY.search(text)
    if found:
        m.inner = float(found.group(4))
        m.extra["requests"] = int(found.group(2))
        if found.group(1) != "PASSED":
            print(f"  WARNING: runner reported {found.group(1)}")
        if expect_requests is not None and int(found.group(2)) != expect_requests:
            print(f"  WARNING: {found.group(2)} requests run, expected {expect_requests}")
    check_status("runner " + " ".join(args), m)
    return m


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests and repeats")
    parser.add_argument("--requests", type=int, default=None, help="requests (default 2000)")
    parser.add_argument("--big", type=int, default=None, help="requests for the memory run")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (median)")
    parser.add_argument("--no-nginx", action="store_true", help="use the Python fallback server")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    stop_on_sigterm()
    count = args.requests or (500 if args.quick else 2000)
    big = args.big or (5000 if args.quick else 20000)
    small_mem = min(count, 2000)
    repeat = args.repeat or (1 if args.quick else 3)
    figures: dict[str, Any] = {"machine": machine(), "requests": count, "repeat": repeat}
    print(f"machine: {figures['machine']}; load average {load_average()}")
    figures["load_average_start"] = load_average()
    runner = runner_command()
    print(f"runner: {' '.join(runner)}")

    with tempfile.TemporaryDirectory(prefix="runner-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with static_server(allow_nginx=not args.no_nginx) as server:
            print(f"server: {server.kind} at {server.url}")
            figures["server"] = server.kind
            one = write_collection(tmp / "one.json", server.url, 1)
            many = write_collection(tmp / "many.json", server.url, count)
            # Warm up the page cache and the server.
            run_runner(["run", str(one), "-n", "50"])
            run_bare(server.data_url, 50)

            print("\n1. start-up (median of 5)")
            startup: dict[str, Any] = {}
            for label, cmd in (
                ("runner --help", [*runner, "--help"]),
                ("runner run one.json", [*runner, "run", str(one)]),
            ):
                starts = [measure(cmd) for _ in range(5)]
                wall = statistics.median(m.wall for m in starts)
                cpu = statistics.median(m.cpu for m in starts)
                startup[label] = {"wall_s": wall, "cpu_s": cpu, "walls": [m.wall for m in starts]}
                all_walls = ", ".join(f"{m.wall:.3f}" for m in starts)
                print(f"  {label:<22} {wall:.3f} s wall {cpu:.3f} s cpu  (walls: {all_walls})")
            one_s = startup["runner run one.json"]["wall_s"]
            print(
                f"  one-request run: target < {TARGET_STARTUP_S} s wall: "
                f"{verdict(one_s < TARGET_STARTUP_S)}"
            )
            figures["startup"] = startup

            print(
                f"\n2. {count} sequential requests, status + JSONPath assertion each "
                f"(median of {repeat})"
            )
            # Interleaved, so a change of load on the machine hits every program alike.
            programs: dict[str, Callable[[], Measure]] = {
                "bare": lambda: run_bare(server.data_url, count),
                "iters": lambda: run_runner(["run", str(one), "-n", str(count)], count),
                "items": lambda: run_runner(["run", str(many)], count),
                "quiet": lambda: run_runner(["run", str(one), "-n", str(count), "--quiet"], count),
            }
            runs: dict[str, list[Measure]] = {name: [] for name in programs}
            for _ in range(repeat):
                for name, program in programs.items():
                    runs[name].append(program())
            bare, iters, items, quiet = (median_run(runs[name]) for name in programs)
            print(row("bare requests.Session loop", bare))
            print(row(f"runner run one.json -n {count}", iters, bare))
            print(row(f"runner run many.json ({count} requests)", items, bare))
            print(row(f"runner run one.json -n {count} --quiet", quiet, bare))
            ratio = iters.wall / bare.wall
            loop_ratio = (iters.inner or 0) / (bare.inner or 1)
            print(
                f"  ratio runner/bare (wall, -n {count}): {ratio:.2f}x   "
                f"target <= {TARGET_RATIO}x: {verdict(ratio <= TARGET_RATIO)}"
            )
            print(
                f"  ratio of the loops alone (run time / loop time, start-up excluded): "
                f"{loop_ratio:.2f}x"
            )
            figures["sequential"] = {
                "bare": bare,
                "runner_iterations": iters,
                "runner_items": items,
                "runner_quiet": quiet,
                "ratio_wall": ratio,
                "ratio_loop": loop_ratio,
            }

            if not args.skip_memory:
                print(f"\n3. memory: peak RSS, {small_mem} vs {big} requests (-n)")
                figures["memory"] = memory_growth(
                    "runner run one.json",
                    lambda n: run_runner(["run", str(one), "-n", str(n)], n),
                    small_mem,
                    big,
                )

        print(
            "\n4. --parallel 8 vs sequential: 8 iterations, endpoint answering after 50 ms "
            "(median of 5)"
        )
        with delay_server(50) as slow:
            slow_one = write_collection(tmp / "slow.json", slow.url, 1)
            report = tmp / "report.json"

            def timed(extra: list[str]) -> Measure:
                m = run_runner(["run", str(slow_one), "-n", "8", "--json", str(report), *extra], 8)
                m.inner = json.loads(report.read_text())["summary"]["duration_ms"] / 1000
                return m

            seq = [timed([]) for _ in range(5)]
            par = [timed(["--parallel", "8"]) for _ in range(5)]
            seq_run = statistics.median(m.inner or 0 for m in seq)
            par_run = statistics.median(m.inner or 0 for m in par)
            seq_wall = statistics.median(m.wall for m in seq)
            par_wall = statistics.median(m.wall for m in par)
            speedup = seq_run / par_run
            print(f"  sequential   run {seq_run:.3f} s   process wall {seq_wall:.3f} s")
            print(f"  --parallel 8 run {par_run:.3f} s   process wall {par_wall:.3f} s")
            print(
                f"  speed-up (run time): {speedup:.2f}x   target >= {TARGET_PARALLEL_SPEEDUP}x: "
                f"{verdict(speedup >= TARGET_PARALLEL_SPEEDUP)}   "
                f"(process wall incl. start-up: {seq_wall / par_wall:.2f}x)"
            )
            figures["parallel"] = {
                "sequential_run_s": seq_run,
                "parallel_run_s": par_run,
                "sequential_wall_s": seq_wall,
                "parallel_wall_s": par_wall,
                "speedup_run": speedup,
            }

    path = save("core-quick" if args.quick else "core", figures)
    print(f"\nfigures saved to {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.SubprocessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
