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


class _CountingDll:
    """Wraps mini-racer's DLL handle and counts the calls of each function by name."""

    def __init__(self, dll: Any) -> None:
        self._dll = dll
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._dll, name)

        def counted(*args: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return target(*args)

        return counted


def test_a_script_run_is_one_call_into_v8_with_no_object_writes() -> None:
    source = (
        "pm.test('status', () => pm.response.to.have.status(200));"
        "pm.test('name', () => pm.expect(pm.response.json().name).to.eql('alpha'));"
    )
    payload = "ünïcødé ' \" \\ \u2028 " + "x" * 10_000  # the payload is one string, intact
    with ScriptEngine() as engine:
        engine.run(source, make_ctx())  # creates the context, compiles the script
        v8 = engine._v8
        assert v8 is not None and v8._fast is not None, "the fast path is expected here"
        counting = _CountingDll(v8._fast._dll)
        object.__setattr__(v8._fast, "_dll", counting)
        outcome = engine.run(source, make_ctx(environment={"long": payload}))
        again = engine.run(source, make_ctx())
    assert [(t.name, t.passed) for t in outcome.tests + again.tests] == [
        ("status", True),
        ("name", True),
    ] * 2
    calls = {name: n for name, n in counting.calls.items() if name != "mr_free_value"}
    # Per run: one function call (the payload as its receiver), one string handle made in
    # process; no eval (nothing compiled) and no mr_set_object_item round trip.
    assert calls == {"mr_call_function": 2, "mr_alloc_string_val": 2}


def test_the_payload_reaches_the_script_unchanged() -> None:
    text = "ünïcødé ' \" \\ \u2028 \U0001f600 </script>" + "y" * 5000
    with ScriptEngine() as engine:
        ctx = make_ctx(environment={"v": text})
        engine.run("pm.environment.set('back', pm.environment.get('v') + '!');", ctx)
    assert ctx.environment["back"] == text + "!"
