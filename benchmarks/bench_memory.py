"""Memory benchmark: peak RSS with every report on, 2,000 → 20,000 → 100,000 requests (issue 12
point 4: grows < 20 MB).

    python benchmarks/bench_memory.py [--quick] [--sizes 2000,20000,100000]

Against the local nginx (or the Python fallback) on 127.0.0.1, `runner run one.json -n N
--quiet --junit j.xml --json r.json` and, for comparison, the same run without report files.
Each figure is the child's own peak RSS (os.wait4); report sizes are printed too. JUnit and JSON
reports are streamed to spool files and assembled at the end, so peak RSS should not follow N.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import native_collection as write_collection
from bench import run_runner
from harness import TARGET_MEMORY_GROWTH_MB, load_average, machine, row, save, stop_on_sigterm
from server import static_server


def main() -> int:
    """Runs the measurement; returns 0 (the figures say whether the target is met)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500, 2,000 and 5,000 requests")
    parser.add_argument("--sizes", default=None, help="comma-separated request counts")
    parser.add_argument("--no-nginx", action="store_true", help="use the Python fallback server")
    parser.add_argument("--reports-only", action="store_true", help="skip the run without reports")
    args = parser.parse_args()
    stop_on_sigterm()
    default = "500,2000,5000" if args.quick else "2000,20000,100000"
    sizes = [int(n) for n in (args.sizes or default).split(",")]
    figures: dict[str, Any] = {"machine": machine(), "sizes": sizes}
    print(f"machine: {figures['machine']}; load average {load_average()}")
    with tempfile.TemporaryDirectory(prefix="runner-bench-memory-") as tmp_name:
        tmp = Path(tmp_name)
        with static_server(allow_nginx=not args.no_nginx) as server:
            print(f"server: {server.kind} at {server.url}")
            figures["server"] = server.kind
            one = write_collection(tmp / "one.json", server.url, 1)
            run_runner(["run", str(one), "-n", "50", "--quiet"])  # warm-up
            reports = ["--junit", str(tmp / "j.xml"), "--json", str(tmp / "r.json")]
            variants = [("no report files", []), ("--junit --json", reports)]
            for label, extra in variants[1:] if args.reports_only else variants:
                print(f"\n{label}: peak RSS of runner run one.json -n N --quiet")
                measures = []
                for n in sizes:
                    m = run_runner(["run", str(one), "-n", str(n), "--quiet", *extra], n)
                    if extra:
                        m.extra["junit_mb"] = (tmp / "j.xml").stat().st_size / 2**20
                        m.extra["json_mb"] = (tmp / "r.json").stat().st_size / 2**20
                    sizes_text = (
                        f"  (JUnit {m.extra['junit_mb']:.1f} MB, JSON {m.extra['json_mb']:.1f} MB)"
                        if extra
                        else ""
                    )
                    print(row(f"-n {n}", m) + sizes_text)
                    measures.append(m)
                growth = measures[-1].rss_mb - measures[0].rss_mb
                met = "MET" if growth < TARGET_MEMORY_GROWTH_MB else "NOT MET"
                print(
                    f"  growth {sizes[0]} → {sizes[-1]}: {growth:+.1f} MB   "
                    f"target < {TARGET_MEMORY_GROWTH_MB:.0f} MB: {met}"
                )
                figures[label] = {"runs": measures, "growth_mb": growth}
    print(f"figures: {save('memory', figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
