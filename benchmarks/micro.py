"""In-process figures that a whole run would hide: the V8 bridge and collection validation.

    python benchmarks/micro.py bridge [RUNS]       µs per script run through the V8 bridge
    python benchmarks/micro.py validate FILE       seconds to load (validate) a collection

`bridge` times, in one engine, RUNS script runs of: a JS function that does nothing (the
bridge alone: one call into V8 and back with a 2 KB payload), an empty Postman script (the
sandbox's own work per run), and a script with two `pm.test` (the benchmark's script).
`validate` times `runner.loader.load_collection` (read, schema, build) and the static checks
of `runner validate`, its imports done before the clock starts. Both print one JSON line;
bench.py runs them as child processes.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BODY = '{"value":[{"name":"rg1"},{"name":"rg2"},{"name":"rg3"}],"count":3}'
TWO_TESTS = """pm.test("status is 200", function () {
    pm.response.to.have.status(200);
});
pm.test("first resource group is rg1", function () {
    pm.expect(pm.response.json().value[0].name).to.eql("rg1");
});"""


def _context() -> Any:
    from runner.scripts import ScriptContext

    url = "http://127.0.0.1:8080/data.json"
    return ScriptContext(
        event="test",
        globals={},
        collection={"baseUrl": "http://127.0.0.1:8080"},
        environment={},
        data={},
        locals={},
        request={
            "name": "Get resource groups",
            "id": "1",
            "method": "GET",
            "url": url,
            "headers": [["Host", "127.0.0.1:8080"], ["Accept", "*/*"]],
            "body": None,
            "description": None,
        },
        response={
            "code": 200,
            "status": "OK",
            "headers": [["Content-Type", "application/json"], ["Content-Length", "66"]],
            "body": BODY,
            "responseTime": 1,
            "size": len(BODY),
        },
        info={"requestName": "Get resource groups", "requestId": "1", "iteration": 0},
        script_name="bench",
    )


def _per_run_us(action: Any, runs: int, rounds: int = 5) -> dict[str, float]:
    """Returns the median and min/max µs per call of `action` over `rounds` rounds of `runs`."""
    action()  # warm: compile, first context
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(runs):
            action()
        times.append((time.perf_counter() - started) / runs * 1e6)
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def bridge(runs: int) -> dict[str, Any]:
    """Returns µs per run for a no-op JS function, an empty script and two pm.test."""
    from runner.scripts import ScriptEngine

    payload = json.dumps({"request": {"url": "x" * 2000}})
    with ScriptEngine() as engine:
        engine.run("", _context())
        v8 = engine._v8
        assert v8 is not None
        v8.eval("__runner.noop = function (s) { return '{}'; };", 1000)

        def noop() -> None:
            v8.call("__runner.noop", payload, 1000)

        outcome = engine.run(TWO_TESTS, _context())
        assert [t.passed for t in outcome.tests] == [True, True], outcome
        return {
            "fast_path": v8._fast is not None,
            "noop_call_us": _per_run_us(noop, runs),
            "empty_script_us": _per_run_us(lambda: engine.run("", _context()), runs),
            "two_tests_us": _per_run_us(lambda: engine.run(TWO_TESTS, _context()), runs),
        }


def validate(path: Path) -> dict[str, Any]:
    """Returns seconds to load `path` and to run the static checks of `runner validate`."""
    import jsonschema_rs  # imports are start-up (timed by `runner validate`), not validation
    from jsonpath_ng.ext.parser import parse

    from runner.loader import load_collection
    from runner.loader.build import Builder
    from runner.loader.preflight import static_problems

    assert jsonschema_rs and parse and Builder
    started, cpu = time.perf_counter(), time.process_time()
    collection = load_collection(path)
    loaded = time.perf_counter()
    errors, _ = static_problems(collection, dict(collection.variables), set())
    checked = time.perf_counter()
    assert not errors, errors[:3]
    return {
        "load_s": loaded - started,
        "static_s": checked - loaded,
        "total_s": checked - started,
        "cpu_s": time.process_time() - cpu,
    }


def main() -> int:
    what = sys.argv[1]
    if what == "bridge":
        print(json.dumps(bridge(int(sys.argv[2]) if len(sys.argv) > 2 else 2000)))
    elif what == "validate":
        print(json.dumps(validate(Path(sys.argv[2]))))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
