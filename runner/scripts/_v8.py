"""A thin, synchronous wrapper around one mini-racer (V8) context.

mini-racer's public `eval` hops through an asyncio loop thread (~300 µs per call). When
the library exposes its internal task queue we call the DLL directly (~60 µs) and
cancel the task ourselves on timeout; otherwise we fall back to the public API.

`call` runs a global function with one string argument. On the fast path the function is
called through V8 directly, so no source text is compiled per call: evaluating a fresh
string per call compiles a new script each time, which V8 keeps until a full GC (the heap
grew by ~3.5 KB per script run, i.e. ~80 MB over 20,000 iterations).

A fast call is one task on V8's thread: the payload string travels as the receiver (`this`)
of a strict-mode trampoline compiled once per function, with an empty argument array made
once, so nothing is written into a JS object per call (filling an argument array costs a
second, synchronous round trip to V8's thread: ~40 % of a call that does nothing). Results
come back through a `queue.SimpleQueue` (one C-level lock) instead of mini-racer's
`queue.Queue` (a Python condition variable and three locks per hand-over).
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from typing import Any

_POLL_S = 0.1
"""How often a call that may be stopped looks at its stop event (a result ends it at once)."""


class V8Timeout(Exception):
    """The evaluation ran longer than its time limit (the context is then discarded)."""


class V8Stopped(V8Timeout):
    """The caller's stop event was set while the evaluation ran (the run stopped)."""


class V8Error(Exception):
    """JavaScript raised while evaluating (message as mini-racer reports it)."""


class V8OutOfMemory(V8Error):
    """The context's heap outgrew its hard limit; V8 stopped the script (discard the context)."""


class V8:
    """One V8 context; not thread-safe (callers hold a lock)."""

    def __init__(self, heap_limit_bytes: int | None = None) -> None:
        import py_mini_racer  # lazy: importing V8 costs ~100 ms

        self._mod: Any = py_mini_racer
        self._mr: Any = py_mini_racer.MiniRacer()
        if heap_limit_bytes:
            # Past it V8 terminates the running script (JSOOMException) instead of growing
            # until the process is killed; the context stays usable but should be dropped.
            self._mr.set_hard_memory_limit(heap_limit_bytes)
        self._fast = self._fast_path()
        self._functions: dict[str, Any] = {}  # name -> value handle of its trampoline
        self._argv: Any = None  # handle of an empty JS array: the argument list of every call

    def _fast_path(self) -> Any:
        """Returns the internal context when its task queue is usable, else None."""
        try:
            from py_mini_racer._context import _UNCANCELABLE_TASK_CALLBACK_ID as cb_id
        except ImportError:
            return None
        ctx = getattr(self._mr, "_ctx", None)
        needed = (
            "_dll",
            "_ctx",
            "_non_cancelable_mr_task_results_queue",
            "_python_to_value_handle",
        )
        if ctx is None or not all(hasattr(ctx, n) for n in needed):
            return None
        if isinstance(ctx._non_cancelable_mr_task_results_queue, queue.Queue):
            # Same put/get(timeout) interface; the field is only read through the attribute.
            object.__setattr__(ctx, "_non_cancelable_mr_task_results_queue", queue.SimpleQueue())
        self._cb_id = cb_id
        return ctx

    def eval(self, code: str, timeout_ms: int | None) -> Any:
        """Returns the value of `code`; raises V8Timeout or V8Error (`timeout_ms` None: no
        limit)."""
        try:
            if self._fast is not None:
                return self._eval_fast(code, timeout_ms)
            return self._mr.eval(code, timeout_sec=_seconds(timeout_ms))
        except self._mod.JSTimeoutException as exc:
            # The cancelled task still reports to mini-racer's event loop later; one more
            # eval waits for that report, so closing the context next is safe.
            with contextlib.suppress(self._mod.JSEvalException):
                self._mr.eval("0", timeout_sec=10)
            raise V8Timeout(str(exc)) from None
        except self._mod.JSEvalException as exc:
            raise self._error(exc) from None

    def call(
        self,
        function: str,
        argument: str,
        timeout_ms: int | None,
        stop: threading.Event | None = None,
    ) -> Any:
        """Returns the value of `function(argument)` (`function` names a global function);
        raises V8Stopped when `stop` is set meanwhile (on the fast path: the public API
        cannot be stopped part-way)."""
        if self._fast is None:
            return self.eval(f"{function}({json.dumps(argument)})", timeout_ms)
        try:
            return self._call_fast(function, argument, timeout_ms, stop)
        except self._mod.JSTimeoutException as exc:
            raise V8Timeout(str(exc)) from None
        except self._mod.JSEvalException as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> V8Error:
        """Returns the V8Error for a JS failure (on the fast path an out-of-memory stop
        arrives as a plain termination: the context's flag tells them apart)."""
        if isinstance(exc, self._mod.JSOOMException) or self._mr.was_hard_memory_limit_reached():
            return V8OutOfMemory(str(exc))
        return V8Error(str(exc))

    def _call_fast(
        self, function: str, argument: str, timeout_ms: int | None, stop: threading.Event | None
    ) -> Any:
        ctx = self._fast
        target = self._functions.get(function)
        if target is None:
            # In strict mode a primitive `this` stays a string (not a String object).
            source = f"(function () {{ 'use strict'; var f = {function}; "
            source += "return function () { return f(this); }; })()"
            trampoline = self._eval_fast(source, timeout_ms)
            target = self._functions[function] = ctx._python_to_value_handle(trampoline)
            if self._argv is None:
                self._argv = ctx._python_to_value_handle(self._eval_fast("[]", timeout_ms))
        receiver = ctx._python_to_value_handle(argument)  # a plain string value, no V8 call
        task = ctx._dll.mr_call_function(
            ctx._ctx, target.raw, receiver.raw, self._argv.raw, self._cb_id
        )
        return self._wait(task, timeout_ms, stop)

    def _eval_fast(self, code: str, timeout_ms: int | None) -> Any:
        ctx = self._fast
        handle = ctx._python_to_value_handle(code)
        task = ctx._dll.mr_eval(ctx._ctx, handle.raw, self._cb_id)
        return self._wait(task, timeout_ms)

    def _wait(self, task: Any, timeout_ms: int | None, stop: threading.Event | None = None) -> Any:
        """Returns the result of a DLL task; cancels it and raises V8Timeout when late, or
        V8Stopped when `stop` is set first."""
        ctx = self._fast
        results = ctx._non_cancelable_mr_task_results_queue
        ends = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000
        while True:
            left = None if ends is None else max(0.0, ends - time.monotonic())
            # With a stop event, wake now and then to look at it (nothing else can).
            wait = left if stop is None else min(left if left is not None else _POLL_S, _POLL_S)
            try:
                value = results.get(timeout=wait)
                return ctx._value_handle_to_python(value)
            except queue.Empty:
                stopped = stop is not None and stop.is_set()
                if not stopped and (ends is None or time.monotonic() < ends):
                    continue
            ctx._dll.mr_cancel_task(ctx._ctx, task)
            value = results.get()
            with contextlib.suppress(self._mod.JSEvalException):
                ctx._value_handle_to_python(value)
            if stopped:
                raise V8Stopped("the caller stopped it")
            raise V8Timeout(f"timed out after {timeout_ms} ms")

    def close(self) -> None:
        """Frees the V8 context."""
        self._functions.clear()  # our handles go before the context they belong to
        self._argv = None
        self._mr.close()


def _seconds(timeout_ms: int | None) -> float | None:
    """Returns a timeout in seconds (None: no limit)."""
    return None if timeout_ms is None else timeout_ms / 1000
