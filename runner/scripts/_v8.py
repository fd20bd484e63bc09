"""A thin, synchronous wrapper around one mini-racer (V8) context.

mini-racer's public `eval` hops through an asyncio loop thread (~300 µs per call). When
the library exposes its internal task queue we call the DLL directly (~60 µs) and
cancel the task ourselves on timeout; otherwise we fall back to the public API.
"""

from __future__ import annotations

import contextlib
import queue
from typing import Any


class V8Timeout(Exception):
    """The evaluation ran longer than its time limit (the context is then discarded)."""


class V8Error(Exception):
    """JavaScript raised while evaluating (message as mini-racer reports it)."""


class V8:
    """One V8 context; not thread-safe (callers hold a lock)."""

    def __init__(self) -> None:
        import py_mini_racer  # lazy: importing V8 costs ~100 ms

        self._mod: Any = py_mini_racer
        self._mr: Any = py_mini_racer.MiniRacer()
        self._fast = self._fast_path()

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
        self._cb_id = cb_id
        return ctx

    def eval(self, code: str, timeout_ms: int) -> Any:
        """Returns the value of `code`; raises V8Timeout or V8Error."""
        try:
            if self._fast is not None:
                return self._eval_fast(code, timeout_ms)
            return self._mr.eval(code, timeout_sec=timeout_ms / 1000)
        except self._mod.JSTimeoutException as exc:
            raise V8Timeout(str(exc)) from None
        except self._mod.JSEvalException as exc:
            raise V8Error(str(exc)) from None

    def _eval_fast(self, code: str, timeout_ms: int) -> Any:
        ctx = self._fast
        handle = ctx._python_to_value_handle(code)
        task = ctx._dll.mr_eval(ctx._ctx, handle.raw, self._cb_id)
        results = ctx._non_cancelable_mr_task_results_queue
        try:
            value = results.get(timeout=timeout_ms / 1000)
        except queue.Empty:
            ctx._dll.mr_cancel_task(ctx._ctx, task)
            value = results.get()
            with contextlib.suppress(self._mod.JSEvalException):
                ctx._value_handle_to_python(value)
            raise V8Timeout(f"timed out after {timeout_ms} ms") from None
        return ctx._value_handle_to_python(value)

    def close(self) -> None:
        """Frees the V8 context."""
        self._mr.close()
