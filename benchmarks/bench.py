"""The speed goals of issue 12, measured in one run: every ratio, its spread, its goal.

    python benchmarks/bench.py [--quick] [--repeat R] [--no-newman] [--skip-memory]

Against nginx on a high loopback port (benchmarks/nginx.conf) and a 50 ms Python endpoint,
each tool is measured in turn (round after round, so a change of load on the machine hits
all of them alike); every figure is the median of its rounds, shown with min–max and the
1-minute load average during the runs:

1. start-up: `runner --help`; `runner run one.json` (one request) vs the bare loop's one
   request, both start to exit;
2. native: `runner run many.json` (N = 2,000 distinct items, status + JSONPath each) vs a bare
   `requests.Session` loop doing the same N requests and checks (bare_loop.py);
3. Postman: the same N items as a Postman v2.1 collection with two `pm.test` each, runner vs
   Newman 6.2.2;
4. validation: `runner validate` on a 20,000-item collection (start to exit), and in process;
5. memory: peak RSS of `runner run one.json -n N --junit --json` for N = 2,000 / 20,000 /
   100,000, by bench_memory.py (issue 12 point 4; --skip-memory leaves it out);
6. `--parallel 8` vs sequential: 40 iterations of a request to the 50 ms endpoint;
7. the V8 bridge, in process: µs per call doing nothing, per empty script, per two pm.test.

Every program is a child process measured with os.wait4 (its own CPU and peak RSS). Figures
go to benchmarks/.cache/bench.json (bench-quick.json with --quick).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    CACHE,
    HERE,
    Measure,
    check_status,
    child_env,
    load_average,
    machine,
    measure,
    measure_output,
    run_bare,
    runner_command,
    save,
    stop_on_sigterm,
)
from server import delay_server, static_server

NEWMAN_VERSION = "6.2.2"
NEWMAN_DIRS = (CACHE / "newman", CACHE / "postman-tests")  # ours, or the Postman tests' copy
POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
TWO_TESTS = [
    'pm.test("status is 200", function () {',
    "    pm.response.to.have.status(200);",
    "});",
    'pm.test("first resource group is rg1", function () {',
    '    pm.expect(pm.response.json().value[0].name).to.eql("rg1");',
    "});",
]
_NPM_QUIET = ("--no-audit", "--no-fund")
_SUMMARY = re.compile(r"(PASSED|FAILED): (\d+) requests?, (\d+) assertions?, (\d+) failed")


# --- collections -------------------------------------------------------------------------


def native_collection(path: Path, base_url: str, count: int) -> Path:
    """Writes a native collection of `count` distinct requests (status + JSONPath each)."""
    items = (
        {
            "name": f"Get resource groups {i}" if count > 1 else "Get resource groups",
            "url": "<<baseUrl>>/data.json",
            "assert": {"status": 200, "jsonpath": {"$.value[0].name": {"equals": "rg1"}}},
        }
        for i in range(1, count + 1)
    )
    head = {"name": "bench", "variables": {"baseUrl": base_url}}
    return _write_streamed(path, head, "items", items)


def postman_collection(path: Path, base_url: str, count: int) -> Path:
    """Writes a Postman v2.1 collection of `count` requests with two pm.test each."""
    items = (
        {
            "name": f"Get resource groups {i}",
            "request": {"method": "GET", "header": [], "url": "{{baseUrl}}/data.json"},
            "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": TWO_TESTS}}],
        }
        for i in range(1, count + 1)
    )
    head = {
        "info": {"name": "bench postman", "schema": POSTMAN_SCHEMA},
        "variable": [{"key": "baseUrl", "value": base_url}],
    }
    return _write_streamed(path, head, "item", items)


def _write_streamed(path: Path, head: dict[str, Any], key: str, items: Any) -> Path:
    """Writes `head` plus `key`: the items, one at a time.

    The benchmark process stays small: a child's peak RSS (ru_maxrss) counts the parent's
    pages it starts with, so a parent that had held a 20,000-item document would inflate
    every figure after it.
    """
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(head)[:-1] + f', "{key}": [\n')
        for index, item in enumerate(items):
            out.write(("" if index == 0 else ",\n") + json.dumps(item))
        out.write("\n]}\n")
    return path


# --- programs ----------------------------------------------------------------------------


def run_runner(
    args: list[str], requests: int | None = None, assertions: int | None = None
) -> Measure:
    """Measures `runner …`; warns unless it passed, with `requests` requests and
    `assertions` assertions when given."""
    m, text = measure_output([*runner_command(), *args])
    check_status("runner " + " ".join(args[:1]), m)
    found = _SUMMARY.search(text)
    ran = int(found.group(2)) if found else -1
    if not found or found.group(1) != "PASSED" or requests not in (None, ran):
        print(f"  WARNING: runner summary unexpected: {found.group(0) if found else text[-300:]}")
    elif assertions is not None and int(found.group(3)) != assertions:
        print(f"  WARNING: runner counted {found.group(3)} assertions, expected {assertions}")
    return m


def find_newman(install: bool) -> Path | None:
    """Returns a Newman NEWMAN_VERSION executable, installing it with npm once if asked."""
    for folder in NEWMAN_DIRS:
        binary = folder / "node_modules" / ".bin" / "newman"
        if binary.exists() and newman_version(binary) == NEWMAN_VERSION:
            return binary
    npm = shutil.which("npm")
    if not install or npm is None or shutil.which("node") is None:
        print("  Newman skipped: npm/node not found (apt-get install -y nodejs npm)")
        return None
    target = NEWMAN_DIRS[0]
    print(f"  installing newman@{NEWMAN_VERSION} into {target} (once) …")
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(target), f"newman@{NEWMAN_VERSION}", *_NPM_QUIET],
        capture_output=True,
        text=True,
        timeout=900,
    )
    binary = target / "node_modules" / ".bin" / "newman"
    if done.returncode != 0 or not binary.exists():
        print(f"  Newman skipped: npm install failed: {done.stderr.strip()[-400:]}")
        return None
    return binary


def newman_version(binary: Path) -> str:
    """Returns what `newman --version` prints, or '?'."""
    try:
        done = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    return done.stdout.strip() or "?"


def run_newman(binary: Path, collection: Path, requests: int) -> Measure:
    """Measures `newman run` (cli reporter to /dev/null); checks its counts from a JSON report."""
    with tempfile.TemporaryDirectory(prefix="runner-bench-newman-") as tmp:
        report = Path(tmp) / "newman.json"
        args = ["run", str(collection), "--reporters", "cli,json"]
        m = measure([str(binary), *args, "--reporter-json-export", str(report)])
        check_status("newman", m)
        try:
            stats = json.loads(report.read_text())["run"]["stats"]
            done, failed = stats["requests"]["total"], stats["assertions"]["failed"]
        except (OSError, ValueError, KeyError):
            done, failed = -1, -1
    if done != requests or failed != 0:
        print(f"  WARNING: newman ran {done} requests with {failed} failed assertions")
    return m


def run_micro(args: list[str]) -> dict[str, Any]:
    """Runs micro.py (in-process figures) with the runner's Python; returns its JSON."""
    m, text = measure_output([sys.executable, str(HERE / "micro.py"), *args])
    check_status("micro.py " + args[0], m)
    try:
        figures: dict[str, Any] = json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(f"  WARNING: micro.py printed {text[-300:]!r}")
        return {}
    return figures


# --- figures -----------------------------------------------------------------------------


@dataclass
class Series:
    """The rounds of one measured program: wall, CPU, RSS, run time, load average."""

    label: str
    runs: list[Measure] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    def add(self, program: Callable[[], Measure]) -> Measure:
        self.loads.append(os.getloadavg()[0])
        m = program()
        self.runs.append(m)
        return m

    def median(self, key: str = "wall") -> float:
        return statistics.median(self.values(key))

    def values(self, key: str) -> list[float]:
        return [float(getattr(m, key) or 0.0) for m in self.runs]

    def text(self, key: str = "wall") -> str:
        values = self.values(key)
        return f"{statistics.median(values):.3f} s ({min(values):.3f}–{max(values):.3f})"

    def row(self) -> str:
        load = f"load {min(self.loads):.1f}–{max(self.loads):.1f}" if self.loads else ""
        rss = max(m.rss_mb for m in self.runs) if self.runs else 0.0
        return (
            f"  {self.label:<46} wall {self.text()}  cpu {self.median('cpu'):.3f} s  "
            f"rss {rss:.0f} MB  {load}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "wall_s": self.values("wall"),
            "cpu_s": self.values("cpu"),
            "rss_mb": self.values("rss_mb"),
            "inner_s": self.values("inner"),
            "load_1min": self.loads,
        }


@dataclass
class Ratio:
    """A goal: a ratio (or a time) computed per round, judged on its median."""

    name: str
    values: list[float]
    goal: float
    unit: str  # "x" for ratios, "s" for times, "MB" for memory
    higher_is_better: bool
    cpu: list[float] = field(default_factory=list)  # the same ratio (or time) in CPU seconds

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def met(self) -> bool:
        if not self.values:
            return False
        return self.median >= self.goal if self.higher_is_better else self.median <= self.goal

    def line(self) -> str:
        if not self.values:
            return f"  {self.name:<50} {'not measured':>26}"
        formats = {"x": "{:.2f}×", "s": "{:.3f} s", "MB": "{:+.1f} MB"}
        fmt = formats[self.unit].format
        spread = f"{fmt(self.median)} ({fmt(min(self.values))}–{fmt(max(self.values))})"
        sign = "≥" if self.higher_is_better else ("≤" if self.unit == "x" else "<")
        status = "MET" if self.met else "NOT MET"
        # CPU time moves less than wall time when other work shares the cores.
        cpu = f"   (cpu {fmt(statistics.median(self.cpu))})" if self.cpu else ""
        return f"  {self.name:<50} {spread:>26}   goal {sign} {fmt(self.goal):<8} {status}{cpu}"


def pairwise(top: Series, bottom: Series, key: str = "wall") -> list[float]:
    """Returns top/bottom wall (or cpu) times round by round (the rounds ran back to back)."""
    pairs = zip(top.values(key), bottom.values(key), strict=False)
    return [a / b for a, b in pairs if b > 0]


# --- the benchmark -------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller workloads, fewer rounds")
    parser.add_argument("--repeat", type=int, default=None, help="rounds per figure (median)")
    parser.add_argument("--requests", type=int, default=None, help="items (default 2000)")
    parser.add_argument("--no-newman", action="store_true", help="do not run Newman")
    parser.add_argument("--no-nginx", action="store_true", help="use the Python fallback server")
    parser.add_argument("--skip-memory", action="store_true", help="leave out the memory runs")
    args = parser.parse_args()
    stop_on_sigterm()
    count = args.requests or (300 if args.quick else 2000)
    repeat = args.repeat or (3 if args.quick else 5)
    big = 2000 if args.quick else 20000
    figures: dict[str, Any] = {"machine": machine(), "requests": count, "repeat": repeat}
    print(f"machine: {figures['machine']}")
    print(f"load average at the start: {load_average()}")
    figures["load_average_start"] = load_average()
    runner = runner_command()
    print(f"runner: {' '.join(runner)}")
    newman = None if args.no_newman else find_newman(install=True)
    if newman is not None:
        figures["newman"] = newman_version(newman)
        print(f"newman: {figures['newman']} ({newman})")
    goals: list[Ratio] = []
    series: dict[str, Series] = {}

    def rounds(programs: dict[str, tuple[str, Callable[[], Measure]]], times: int) -> None:
        for key, (label, _) in programs.items():
            series[key] = Series(label)
        for _ in range(times):
            for key, (_, program) in programs.items():
                series[key].add(program)
        for key in programs:
            print(series[key].row())

    with tempfile.TemporaryDirectory(prefix="runner-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with static_server(allow_nginx=not args.no_nginx) as server:
            print(f"server: {server.kind} at {server.url}")
            figures["server"] = server.kind
            url = server.data_url
            one = native_collection(tmp / "one.json", server.url, 1)
            many = native_collection(tmp / "many.json", server.url, count)
            large = native_collection(tmp / "large.json", server.url, big)
            pm_many = postman_collection(tmp / "many.postman_collection.json", server.url, count)
            run_runner(["run", str(one), "-n", "50"], 50, 100)  # warm the caches and nginx
            run_bare(url, 50)

            print(f"\n1. start-up, start to exit ({repeat + 4} rounds)")
            rounds(
                {
                    "help": ("runner --help", lambda: measure([*runner, "--help"])),
                    "one": ("runner run one.json (1 request)", lambda: run_one(one)),
                    "bare_one": ("bare loop, 1 request", lambda: run_bare(url, 1)),
                },
                repeat + 4,
            )
            helps = series["help"]
            goals.append(
                Ratio("`runner --help`", helps.values("wall"), 0.1, "s", False, helps.values("cpu"))
            )
            goals.append(
                Ratio(
                    "one-request run / bare loop's one request",
                    pairwise(series["one"], series["bare_one"]),
                    1.3,
                    "x",
                    False,
                    pairwise(series["one"], series["bare_one"], "cpu"),
                )
            )

            print(f"\n2. native, {count} distinct items, status + JSONPath each ({repeat} rounds)")
            rounds(
                {
                    "bare": ("bare requests.Session loop", lambda: run_bare(url, count)),
                    "native": (
                        f"runner run many.json ({count} items)",
                        lambda: run_runner(["run", str(many)], count, 2 * count),
                    ),
                },
                repeat,
            )
            goals.append(
                Ratio(
                    f"native {count} items / bare loop",
                    pairwise(series["native"], series["bare"]),
                    1.15,
                    "x",
                    False,
                    pairwise(series["native"], series["bare"], "cpu"),
                )
            )

            print(f"\n3. Postman v2.1, {count} items with two pm.test each ({repeat} rounds)")
            programs = {
                "postman": (
                    f"runner run many.postman_collection.json ({count})",
                    lambda: run_runner(["run", str(pm_many)], count, 2 * count),
                )
            }
            if newman is not None:
                binary = newman
                programs["newman"] = (
                    f"newman {figures['newman']} run many.postman_collection.json",
                    lambda: run_newman(binary, pm_many, count),
                )
            rounds(programs, repeat)
            goals.append(
                Ratio(
                    "Newman / runner, Postman with 2 pm.test",
                    pairwise(series["newman"], series["postman"]) if newman else [],
                    12.0,
                    "x",
                    True,
                    pairwise(series["newman"], series["postman"], "cpu") if newman else [],
                )
            )

            print(f"\n4. validation of {big} items ({repeat} rounds)")
            inproc: list[dict[str, Any]] = []

            def validate() -> Measure:
                inproc.append(run_micro(["validate", str(large)]))
                return measure([*runner, "validate", str(large)])

            rounds({"validate": (f"runner validate large.json ({big} items)", validate)}, repeat)
            loads = [m.get("total_s", float("nan")) for m in inproc]
            loads_cpu = [m.get("cpu_s", float("nan")) for m in inproc]
            print(
                f"  in process (load + static checks): {_spread(loads)}, cpu {_spread(loads_cpu)}"
            )
            figures["validate_in_process"] = inproc
            goals.append(
                Ratio(
                    f"`runner validate`, {big} items, start to exit",
                    series["validate"].values("wall"),
                    0.5,
                    "s",
                    False,
                    series["validate"].values("cpu"),
                )
            )
            goals.append(
                Ratio(f"validation of {big} items, in process", loads, 0.5, "s", False, loads_cpu)
            )

        print(
            f"\n6. --parallel 8 vs sequential: 40 iterations of a 50 ms endpoint ({repeat} rounds)"
        )
        with delay_server(50) as slow:
            slow_one = native_collection(tmp / "slow.json", slow.url, 1)
            report = tmp / "report.json"

            def timed(extra: list[str]) -> Measure:
                cmd = ["run", str(slow_one), "-n", "40", "--json", str(report), *extra]
                m = run_runner(cmd, 40, 80)
                m.inner = json.loads(report.read_text())["summary"]["duration_ms"] / 1000
                return m

            rounds(
                {
                    "sequential": ("sequential, -n 40", lambda: timed([])),
                    "parallel": ("--parallel 8, -n 40", lambda: timed(["--parallel", "8"])),
                },
                repeat,
            )
            speedups = [
                (s.inner or 0) / (p.inner or 1)
                for s, p in zip(series["sequential"].runs, series["parallel"].runs, strict=False)
            ]
            print(
                f"  run time: sequential {series['sequential'].text('inner')}, "
                f"parallel {series['parallel'].text('inner')}"
            )
            goals.append(Ratio("--parallel 8 speed-up (run time)", speedups, 7.0, "x", True))
            # Start to exit, the same start-up (~0.15 s) is added to both sides: shown, not judged.
            whole = pairwise(series["sequential"], series["parallel"])
            print(f"  speed-up start to exit (start-up included): {statistics.median(whole):.2f}×")

    if not args.skip_memory:
        print("\n5. memory: benchmarks/bench_memory.py --reports-only (issue 12 point 4)")
        memory = run_memory(args.quick, args.no_nginx)
        figures["memory"] = memory
        sizes = memory.get("sizes") or [0]
        reported = memory.get("--junit --json", {})
        growth = reported.get("growth_mb")
        if any(run.get("status") != 0 for run in reported.get("runs", [])):
            print("  (a memory run did not finish: no growth figure)")
            growth = None
        goals.append(
            Ratio(
                f"peak RSS growth, {sizes[0]} → {sizes[-1]} requests, --junit --json",
                [] if growth is None else [float(growth)],
                20.0,
                "MB",
                False,
            )
        )

    print("\n7. the V8 bridge, in process (µs per script run, median of 5 rounds)")
    bridge = run_micro(["bridge", "500" if args.quick else "2000"])
    for key, label in (
        ("noop_call_us", "a JS function doing nothing (the bridge alone)"),
        ("empty_script_us", "an empty script (bridge + sandbox set-up)"),
        ("two_tests_us", "two pm.test"),
    ):
        v = bridge.get(key) or {}
        if v:
            print(f"  {label:<48} {v['median']:7.1f} µs ({v['min']:.1f}–{v['max']:.1f})")
    figures["bridge"] = bridge

    print("\nGoals (issue 12): median of the rounds (min–max)")
    for goal in goals:
        print(goal.line())
    figures["series"] = {key: s.as_json() for key, s in series.items()}
    figures["goals"] = [
        {"name": g.name, "values": g.values, "median": g.median, "goal": g.goal, "met": g.met}
        for g in goals
    ]
    path = save("bench-quick" if args.quick else "bench", figures)
    print(f"figures saved to {path}")
    return 0


def run_memory(quick: bool, no_nginx: bool) -> dict[str, Any]:
    """Runs bench_memory.py (peak RSS with every report on) and returns its saved figures."""
    cmd = [sys.executable, str(HERE / "bench_memory.py"), "--reports-only"]
    cmd += ["--quick"] * quick + ["--no-nginx"] * no_nginx
    saved = CACHE / "memory.json"
    saved.unlink(missing_ok=True)
    done = subprocess.run(cmd, env=child_env(), timeout=3600, check=False)
    try:
        figures: dict[str, Any] = json.loads(saved.read_text())
    except (OSError, ValueError):
        print(f"  WARNING: bench_memory.py exited with {done.returncode} and saved no figures")
        return {}
    return figures


def run_one(collection: Path) -> Measure:
    """Measures a one-request `runner run` start to exit."""
    return run_runner(["run", str(collection)], 1, 2)


def _spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{statistics.median(values):.3f} s ({min(values):.3f}–{max(values):.3f})"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.SubprocessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
