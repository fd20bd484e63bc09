"""Run Postman-style scripts in one embedded V8 context per engine.

The sandbox prelude (runner/scripts/js/*.js, the `pm` API) is loaded once; each distinct
script source is compiled once into a function keyed by its hash, and scanned once for
what it may touch (runner.scripts.scan: the next run restores the globals only after a
script that may have changed one). A run is one JSON string in and one JSON report out,
then further turns only while the script has `pm.sendRequest` calls or timers pending:
Python performs the queued requests through `ScriptContext.send_request` and hands the
results back, so JS never calls Python.

An engine serialises its runs with a lock (a V8 context is not thread-safe); threads
that want scripts to run in parallel should use one engine each. The context's
callbacks (send_request, console) must not run scripts on the same engine.

A script cannot break the run: its time limit covers all of its turns (JS time, not the
network time of its sendRequests), its heap has a hard limit, and after a timeout, an
out-of-memory stop or any failure of the bridge itself the context is dropped and the next
script gets a fresh one. Whatever goes wrong becomes that script's ScriptError.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import threading
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from types import TracebackType

from runner.scripts import payload, scan
from runner.scripts._v8 import V8, V8Error, V8OutOfMemory, V8Stopped, V8Timeout
from runner.scripts.context import UNSET, ScriptContext, ScriptError, ScriptOutcome, TestResult
from runner.scripts.libraries import LibraryStore, lock
from runner.scripts.modules import CHAI, ModuleResolver, sandbox_modules, wanted_modules
from runner.transport.deadline import RunDeadline, current_run_deadline
from runner.values import JSON

_PRELUDE = (
    "inspect.js",
    "sugar.js",
    "dynamic.js",
    "vars.js",
    "http.js",
    "message.js",
    "chai.js",
    "pm.js",
    "legacy.js",
    "xml.js",
    "url.js",
    "modules.js",
    "runtime.js",
)
_MAX_TURNS = 10_000
_SETUP_TIMEOUT_MS = 60_000
HEAP_LIMIT_MB = 512


def _prelude_sources() -> list[tuple[str, str]]:
    """Returns (file name, text) of the sandbox JS files shipped in this package."""
    folder = resources.files("runner.scripts").joinpath("js")
    return [(name, folder.joinpath(name).read_text(encoding="utf-8")) for name in _PRELUDE]


@dataclasses.dataclass(frozen=True)
class _Compiled:
    """A script source defined in the context: its key, its syntax error, what it touches."""

    key: str
    error: ScriptError | None
    uses: scan.Uses


class _TimerTimeout(V8Timeout):
    """The script's time ran out while a timer was pending (worded as Newman words it)."""


class _RunOver(V8Timeout):
    """The run's deadline (--timeout) came while the script ran: it is cut off there."""


class ScriptEngine:
    """Compiles and runs scripts; `run` never raises for script errors.

    A script runs within its own time limit and within the deadline of the run the calling
    thread works for (runner.transport.deadline.run_deadline), whichever comes first.
    """

    def __init__(
        self,
        *,
        module_paths: Sequence[Path] = (),
        timeout_ms: int = 5000,
        libraries: LibraryStore | None = None,
        heap_limit_mb: int = HEAP_LIMIT_MB,
        stop: threading.Event | None = None,
    ) -> None:
        self._lock = threading.Lock()
        # Set when the run stops (Ctrl-C, SIGTERM, --timeout): a running script ends then,
        # even without a time limit of its own (--timeout-script 0).
        self._stop = stop
        self._timeout_ms = timeout_ms
        self._heap_limit_mb = heap_limit_mb
        self._budget_ms = self._limit()  # what is left of the running script's time
        self._run_limit: RunDeadline | None = None  # the deadline of the run it serves
        self._module_paths = tuple(module_paths)
        self._libraries = libraries or LibraryStore()
        self._v8: V8 | None = None
        self._compiled: dict[str, _Compiled] = {}  # source -> its compiled function
        self._resolver = ModuleResolver(self._module_paths, self._libraries)

    def __enter__(self) -> ScriptEngine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Frees the V8 context; a later run creates a fresh one."""
        with self._lock:
            self._discard()

    def _discard(self) -> None:
        """Drops the V8 context (after a timeout or a failure it may be half-way anywhere)."""
        v8, self._v8 = self._v8, None
        if v8 is not None:
            with contextlib.suppress(Exception):  # a context that failed may fail to close
                v8.close()
        self._reset()

    def run(self, source: str, ctx: ScriptContext) -> ScriptOutcome:
        """Returns the outcome of running `source` with `ctx` (variables written back)."""
        with self._lock:
            return self._run(source, ctx)

    def _reset(self) -> None:
        self._v8 = None
        self._compiled = {}
        self._resolver = ModuleResolver(self._module_paths, self._libraries)

    def _context(self) -> V8:
        if self._v8 is None:
            v8 = V8(self._heap_limit_mb * 1024 * 1024)
            setup = "globalThis.__runner = {libraryGlobals: %s}; Error.stackTraceLimit = 50;"
            v8.eval(setup % json.dumps(dict(lock().globals)), _SETUP_TIMEOUT_MS)
            for name, text in _prelude_sources():
                v8.eval(f"{text}\n//# sourceURL=runner-sandbox/{name}", _SETUP_TIMEOUT_MS)
            self._v8 = v8
        return self._v8

    def _compile(self, v8: V8, source: str, script: str) -> _Compiled:
        """Returns the script's compiled entry (defined in V8 once per context and source:
        the source text is the key, so a run does not hash it again)."""
        compiled = self._compiled.get(source)
        if compiled is None:
            key = hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]
            self._load_modules(v8, source)
            error = self._define(v8, key, source, script)
            compiled = self._compiled[source] = _Compiled(key, error, scan.uses(source))
        return compiled

    def _define(self, v8: V8, key: str, source: str, script: str) -> ScriptError | None:
        for kind in ("function", "async function"):
            code = f'__runner.define("{key}", {kind} () {{\n{source}\n}});\n'
            try:
                v8.eval(code + f"//# sourceURL=runner-script-{key}.js", _SETUP_TIMEOUT_MS)
                return None
            except V8Error as exc:
                error = payload.syntax_error(str(exc), script)
                if "await is only valid" not in error.message:
                    return error
        return error

    def _load_modules(self, v8: V8, source: str) -> None:
        names = wanted_modules(source) + sandbox_modules(source)
        if not names:
            return
        try:
            bundle = self._resolver.bundle(names)
        except OSError:  # an unreadable node_modules file: `require` reports it as missing
            return
        if bundle is not None:
            v8.eval("__runner.addModules(" + json.dumps(bundle) + ")", _SETUP_TIMEOUT_MS)
            if CHAI[0] in names:  # chai's set-up is the context's, not the script's, time
                v8.eval("__runner.prepareChai()", _SETUP_TIMEOUT_MS)

    def _run(self, source: str, ctx: ScriptContext) -> ScriptOutcome:
        outcome = ScriptOutcome([], UNSET, None, ctx.request)
        name, message = "Error", ""
        try:
            v8 = self._context()
            compiled = self._compile(v8, source, ctx.script_name)
            if compiled.error is not None:
                outcome.error = dataclasses.replace(compiled.error, script=ctx.script_name)
                return outcome
            self._budget_ms = self._limit()
            self._run_limit = current_run_deadline()
            self._loop(v8, compiled, ctx, outcome)
            return outcome
        except V8Stopped:
            name, message = "Error", "script stopped: the run stopped"
        except _RunOver:
            label = self._run_limit.label if self._run_limit is not None else "run's deadline"
            name, message = "TimeoutError", f"script cut off by the {label}"
        except _TimerTimeout as exc:
            name, message = "TimeoutError", str(exc)
        except V8Timeout:
            name, message = "TimeoutError", f"script timed out after {self._timeout_ms} ms"
        except V8OutOfMemory:
            name = "RangeError"
            message = (
                f"script ran out of memory (the sandbox's heap limit is {self._heap_limit_mb} MB)"
            )
        except V8Error as exc:  # the bridge itself failed (script errors are caught in JS)
            message = str(exc).strip()
        except Exception as exc:  # anything unforeseen is this script's error, not the run's
            name, message = "InternalError", f"the script sandbox failed: {exc!r}"
        self._discard()
        outcome.error = ScriptError(name, message, None, None, ctx.script_name)
        return outcome

    def _loop(
        self, v8: V8, compiled: _Compiled, ctx: ScriptContext, outcome: ScriptOutcome
    ) -> None:
        argument = payload.run_argument(compiled.key, ctx, compiled.uses)
        report = self._call(v8, "__runner.run", argument)
        for _ in range(_MAX_TURNS):
            self._absorb(report, ctx, outcome)
            if outcome.error is not None:
                return
            requests = report.get("requests", [])
            if not requests and not (report.get("waiting") and report.get("acted")):
                return
            self._sleep(float(report.get("sleep") or 0))
            results = [self._send(ctx, r) for r in requests]
            report = self._call(v8, "__runner.turn", payload.turn_argument(results))
        message = f"more than {_MAX_TURNS} asynchronous turns (sendRequest/timers)"
        outcome.error = ScriptError("Error", message, None, None, ctx.script_name)

    def _run_left_ms(self) -> float:
        """Returns the ms left of the run's deadline (infinity without one)."""
        run = self._run_limit
        return math.inf if run is None else run.left() * 1000

    def _limit(self) -> float:
        """Returns a script's time in ms: its timeout, or infinity for 0 (no limit, as in
        Newman)."""
        return float(self._timeout_ms) if self._timeout_ms > 0 else math.inf

    def _sleep(self, ms: float) -> None:
        """Waits `ms` for the script's next timer; the wait counts against its time limit
        (a timer due after the limit is a timeout at once: waiting would change nothing)."""
        if ms <= 0:
            return
        run_left = self._run_left_ms()
        if ms >= run_left and run_left < self._budget_ms:
            self._nap(max(0.0, run_left) / 1000)  # the run ends before the timer is due
            raise _RunOver()
        if ms >= self._budget_ms:
            self._budget_ms = 0
            raise _TimerTimeout(
                "sandbox: asynchronous script execution timeout (a timer was still pending "
                f"at the script's {self._timeout_ms} ms limit)"
            )
        self._nap(ms / 1000)
        self._budget_ms -= ms

    def _nap(self, seconds: float) -> None:
        """Sleeps `seconds`; raises V8Stopped when the run stops meanwhile (_RunOver when
        that is its deadline)."""
        if self._stop is None:
            time.sleep(seconds)
        elif self._stop.wait(seconds):
            raise _RunOver() if self._run_left_ms() <= 0 else V8Stopped("the run stopped")

    def _call(self, v8: V8, function: str, argument: str) -> dict[str, JSON]:
        """Returns the report of one turn; the turns of a script share its time limit."""
        if self._budget_ms <= 0:
            raise V8Timeout("no time left")
        run_left = self._run_left_ms()
        cut = run_left < self._budget_ms  # the run's deadline comes first
        if cut and run_left <= 0:
            raise _RunOver()
        limit = min(self._budget_ms, run_left)
        started = time.monotonic()
        try:
            ms = None if math.isinf(limit) else max(1, round(limit))
            raw = v8.call(function, argument, ms, self._stop)
        except V8Stopped:
            if self._run_left_ms() <= 0:  # the run stopped at its deadline: say which
                raise _RunOver() from None
            raise
        except V8Timeout:
            if cut:
                raise _RunOver() from None
            raise
        finally:
            self._budget_ms -= (time.monotonic() - started) * 1000
        result: dict[str, JSON] = json.loads(raw)
        return result

    def _absorb(self, report: dict[str, JSON], ctx: ScriptContext, outcome: ScriptOutcome) -> None:
        """Folds one sandbox report into the outcome and the context's dicts."""
        payload.write_back(report, ctx)
        for level, message in report.get("console", []):
            outcome.console.append((level, message))
            if ctx.console is not None:
                ctx.console(level, message)
        outcome.tests = payload.tests_of(report)
        outcome.next_request = payload.next_request_of(report)
        outcome.error = payload.error_of(report, ctx.script_name)
        outcome.skip_request = bool(report.get("skip"))
        if report.get("request") is not None:
            outcome.request = report["request"]

    @staticmethod
    def _send(ctx: ScriptContext, item: dict[str, JSON]) -> dict[str, JSON]:
        """Returns the result of one queued pm.sendRequest or cookie jar call."""
        jar = item.get("jar")
        if isinstance(jar, dict):
            if ctx.cookie_jar is None:
                return {"id": item["id"], "error": "the cookie jar is not available here"}
            try:
                return {"id": item["id"], "error": None, "value": ctx.cookie_jar(jar)}
            except ValueError as exc:
                return {"id": item["id"], "error": str(exc), "value": None}
        if ctx.send_request is None:
            return {
                "id": item["id"],
                "error": "pm.sendRequest is not available here",
                "response": None,
            }
        try:
            result = ctx.send_request(item["request"])
        except Exception as exc:  # a failed request is the callback's `err`, as in Postman
            return {"id": item["id"], "error": str(exc) or type(exc).__name__, "response": None}
        return {"id": item["id"], "error": result.get("error"), "response": result.get("response")}


__all__ = ["ScriptEngine", "TestResult"]
