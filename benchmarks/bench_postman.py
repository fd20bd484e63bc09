"""Postman benchmark: `runner` against Newman and the bare loop (issue 5, "Speed").

    python benchmarks/bench_postman.py [--quick] [--requests N] [--repeat R] [--no-newman]

The same workload as bench_core.py, written as a Postman v2.1 collection whose request has two
`pm.test` scripts (status 200; `pm.response.json().value[0].name` is "rg1"), run N (2,000)
times (`-n N`) by `runner run`, by Newman and by the bare `requests.Session` loop. Also a
collection of N such requests, run once, and runner's peak RSS at -n 2,000 vs -n 20,000.
Newman comes from npm into benchmarks/.cache/newman (installed on first use when npm is
available; skipped with a message otherwise).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


from harness import (
    CACHE,
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
from server import static_server

TARGET_SPEEDUP = 8.0
NEWMAN_DIR = CACHE / "newman"
NEWMAN_BIN = NEWMAN_DIR / "node_modules" / ".bin" / "newman"
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
TESTS = [
    'pm.test("status is 200", function () {',
    "    pm.response.to.have.status(200);",
    "});",
    'pm.test("first resource group is rg1", function () {',
    '    pm.expect(pm.response.json().value[0].name).to.eql("rg1");',
    "});",
]
_RUNNER_SUMMARY = re.compile(r"(PASSED|FAILED): (\d+) requests, (\d+) assertions, (\d+) failed")


def postman_item(name: str) -> dict[str, Any]:
    """Returns one Postman request with the two pm.test scripts."""
    return {
        "name": name,
        "request": {"method": "GET", "header": [], "url": "{{baseUrl}}/data.json"},
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": TESTS}}],
    }


def write_collection(path: Path, base_url: str, count: int) -> Path:
    """Writes a Postman v2.1 collection of `count` requests to `path`."""
    items = [
        postman_item("Get resource groups" + (f" {i}" if count > 1 else ""))
        for i in range(1, count + 1)
    ]
    doc = {
        "info": {"name": "bench postman", "schema": SCHEMA},
        "variable": [{"key": "baseUrl", "value": base_url}],
        "item": items,
    }
    path.write_text(json.dumps(doc, indent=1))
    return path


def ensure_newman() -> Path | None:
    """Returns the newman executable, installing it with npm once; None when unavailable."""
    if NEWMAN_BIN.exists():
        return NEWMAN_BIN
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        print("  Newman skipped: npm/node not found (apt-get install -y nodejs npm)")
        return None
    print(f"  installing newman into {NEWMAN_DIR} (once) …")
    NEWMAN_DIR.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(NEWMAN_DIR), "newman", "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0 or not NEWMAN_BIN.exists():
        print(f"  Newman skipped: npm install failed: {done.stderr.strip()[-400:]}")
        return None
    return NEWMAN_BIN


def newman_version(newman: Path) -> str:
    try:
        done = subprocess.run(
            [str(newman), "--version"], capture_output=True, text=True, timeout=60
        )
        return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def run_runner(args: list[str], requests: int) -> Measure:
    """Measures `runner run …` and checks it ran `requests` requests, all passing."""
    m, text = measure_output([*runner_command(), *args])
    check_status("runner", m)
    found = _RUNNER_SUMMARY.search(text)
    if not found or found.group(1) != "PASSED" or int(found.group(2)) != requests:
        print(f"  WARNING: runner summary unexpected: {found.group(0) if found else text[-300:]}")
    elif int(found.group(3)) != 2 * requests:
        print(f"  WARNING: runner counted {found.group(3)} assertions, expected {2 * requests}")
    return m


def run_newman(newman: Path, args: list[str]) -> Measure:
    """Measures `newman run …` with its default cli reporter (output to /dev/null)."""
    m = measure([str(newman), "run", *args, "--reporters", "cli"])
    check_status("newman", m)
    return m


def newman_counts(newman: Path, collection: Path, iterations: int, tmp: Path) -> str:
    """Returns Newman's request/assertion counts for a short run (a sanity check)."""
    report = tmp / "newman-check.json"
    subprocess.run(
        [
            str(newman),
            "run",
            str(collection),
            "-n",
            str(iterations),
            "--reporters",
            "json",
            "--reporter-json-export",
            str(report),
        ],
        capture_output=True,
        timeout=300,
    )
    try:
        stats = json.loads(report.read_text())["run"]["stats"]
    except (OSError, ValueError, KeyError):
        return "no report"
    return (
        f"{stats['requests']['total']} requests, {stats['assertions']['total']} assertions, "
        f"{stats['assertions']['failed']} failed"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests and repeats")
    parser.add_argument("--requests", type=int, default=None, help="requests (default 2000)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (median)")
    parser.add_argument("--no-newman", action="store_true", help="do not run Newman")
    parser.add_argument("--big", type=int, default=None, help="iterations for the memory run")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--no-nginx", action="store_true", help="use the Python fallback server")
    args = parser.parse_args()
    stop_on_sigterm()
    count = args.requests or (300 if args.quick else 2000)
    repeat = args.repeat or (1 if args.quick else 3)
    figures: dict[str, Any] = {"machine": machine(), "requests": count, "repeat": repeat}
    print(f"machine: {figures['machine']}; load average {load_average()}")
    figures["load_average_start"] = load_average()
    newman = None if args.no_newman else ensure_newman()
    if newman is not None:
        figures["newman"] = newman_version(newman)
        print(f"newman: {figures['newman']} ({newman})")

    with (
        tempfile.TemporaryDirectory(prefix="runner-bench-pm-") as tmp_name,
        static_server(allow_nginx=not args.no_nginx) as server,
    ):
        tmp = Path(tmp_name)
        print(f"server: {server.kind} at {server.url}")
        figures["server"] = server.kind
        one = write_collection(tmp / "one.postman_collection.json", server.url, 1)
        many = write_collection(tmp / "many.postman_collection.json", server.url, count)
        run_runner(["run", str(one), "-n", "20"], 20)  # warm-up
        if newman is not None:
            print(f"  newman sanity check (-n 5): {newman_counts(newman, one, 5, tmp)}")

        print(
            f"\n{count} requests with two pm.test scripts each: one request, -n {count} "
            f"(median of {repeat})"
        )
        bares, runners, newmans = [], [], []
        for _ in range(repeat):  # interleaved, so load changes hit all three alike
            bares.append(run_bare(server.data_url, count))
            runners.append(run_runner(["run", str(one), "-n", str(count)], count))
            if newman is not None:
                newmans.append(run_newman(newman, [str(one), "-n", str(count)]))
        bare, mine = median_run(bares), median_run(runners)
        print(row("bare requests.Session loop", bare))
        print(row(f"runner run one.postman_collection.json -n {count}", mine, bare))
        figures["iterations"] = {"bare": bare, "runner": mine}
        if newmans:
            theirs = median_run(newmans)
            print(row(f"newman run one.postman_collection.json -n {count}", theirs, bare))
            speed = theirs.wall / mine.wall
            print(
                f"  runner is {speed:.1f}x faster than Newman (wall; target >= "
                f"{TARGET_SPEEDUP}x: {'MET' if speed >= TARGET_SPEEDUP else 'NOT MET'}); "
                f"CPU {theirs.cpu / mine.cpu:.1f}x less; peak RSS {mine.rss_mb:.0f} MB vs "
                f"{theirs.rss_mb:.0f} MB ({'MET' if mine.rss_mb < theirs.rss_mb else 'NOT MET'})"
            )
            figures["iterations"] |= {"newman": theirs, "speedup": speed}

        if not args.quick:
            print(f"\n{count} requests in one collection (one run each)")
            mine_items = run_runner(["run", str(many)], count)
            print(row("runner run many.postman_collection.json", mine_items, bare))
            figures["items"] = {"runner": mine_items}
            if newman is not None:
                theirs_items = run_newman(newman, [str(many)])
                print(row("newman run many.postman_collection.json", theirs_items, bare))
                speed = theirs_items.wall / mine_items.wall
                print(f"  runner is {speed:.1f}x faster than Newman (wall)")
                figures["items"] |= {"newman": theirs_items, "speedup": speed}

        if not args.skip_memory:
            small, big = min(count, 2000), args.big or (5000 if args.quick else 20000)
            print(f"\nmemory: runner peak RSS, -n {small} vs -n {big} (scripts in V8)")
            figures["memory"] = memory_growth(
                "runner run one.postman_collection.json",
                lambda n: run_runner(["run", str(one), "-n", str(n)], n),
                small,
                big,
            )

    path = save("postman-quick" if args.quick else "postman", figures)
    print(f"\nfigures saved to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
