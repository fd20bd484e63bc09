"""Engine properties: lazy V8 import, one lock per engine, reuse across many runs."""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

from script_helpers import make_ctx

from runner.scripts import ScriptEngine


def test_importing_the_package_does_not_load_v8() -> None:
    code = (
        "import sys, runner.scripts; "
        "e = runner.scripts.ScriptEngine(); "
        "print('py_mini_racer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_parallel_threads_share_one_engine_safely(engine: ScriptEngine) -> None:
    source = (
        "pm.environment.set('seen', pm.iterationData.get('n'));"
        "pm.test('n=' + pm.iterationData.get('n'),"
        " () => pm.expect(pm.response.code).to.equal(200));"
    )
    results: dict[int, Any] = {}

    def work(n: int) -> None:
        ctx = make_ctx(data={"n": n})
        outcome = engine.run(source, ctx)
        results[n] = (outcome.tests[0].name, outcome.tests[0].passed, ctx.environment["seen"])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {n: (f"n={n}", True, n) for n in range(16)}


def test_event_name_defaults_to_the_event(engine: ScriptEngine) -> None:
    outcome = engine.run("pm.test(pm.info.eventName, () => {});", make_ctx("prerequest", info={}))
    assert [t.name for t in outcome.tests] == ["prerequest"]


def test_close_then_run_again_recreates_the_context() -> None:
    engine = ScriptEngine()
    first = engine.run("pm.test('a', () => {});", make_ctx())
    engine.close()
    second = engine.run("pm.test('b', () => {});", make_ctx())
    engine.close()
    assert [t.name for t in first.tests + second.tests] == ["a", "b"]


def test_public_mini_racer_path_works_too(monkeypatch: Any) -> None:
    from runner.scripts import _v8

    monkeypatch.setattr(_v8.V8, "_fast_path", lambda self: None)
    with ScriptEngine(timeout_ms=300) as engine:
        ok = engine.run("pm.test('a', () => pm.expect(1).to.equal(1));", make_ctx())
        slow = engine.run("while (true) {}", make_ctx())
        again = engine.run("pm.test('b', () => {});", make_ctx())
    assert [(t.name, t.passed) for t in ok.tests + again.tests] == [("a", True), ("b", True)]
    assert slow.error is not None
    assert slow.error.message == "script timed out after 300 ms"
