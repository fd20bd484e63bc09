"""The iteration engine: steps of each iteration in order (or iterations in parallel),
results handed to the reporters in iteration order, setNextRequest, --bail, Ctrl-C."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from runner.auth.base import Emit, TokenCache
from runner.engine.options import RunOptions, select_steps, shard_steps
from runner.engine.scriptstep import StepScripts
from runner.engine.step import StepContext, execute
from runner.model import Collection, Step, flatten
from runner.report import MultiReporter, RunInfo
from runner.resolve.render import Settings
from runner.resolve.variables import Scope
from runner.results import AssertionResult, ItemResult, RunResult, Summary
from runner.secrets import Masker, is_sensitive_name
from runner.status import Terminated
from runner.transport.deadline import RunDeadline, run_deadline
from runner.transport.http import Transport
from runner.transport.retry import MAX_WAIT_MS
from runner.values import JSON
from runner.wording import counted

MAX_STEPS_PER_ITERATION = 10_000


class Loop:
    """Runs the iterations and hands results to the reporters in order."""

    def __init__(
        self,
        collection: Collection,
        options: RunOptions,
        transport: Transport,
        reporter: MultiReporter,
        masker: Masker,
        tokens: TokenCache | None = None,
    ) -> None:
        self.collection = collection
        self.options = options
        self.reporter = reporter
        self.masker = masker
        self.steps = select_steps(collection, options.selection)
        if options.shard is not None:
            self.steps = shard_steps(self.steps, *options.shard, by=options.shard_by)
        self.summary = Summary()
        self.results: list[ItemResult] = []
        self.stop = threading.Event()
        if options.interrupt is not None:
            options.interrupt.watch(self.stop)  # long waits (retries, operations) end at once
        self.lock = threading.Lock()
        self.ctx = StepContext(
            collection=collection,
            transport=transport,
            tokens=_token_cache(tokens, transport, options.retries),
            settings=Settings(options.timeout_request_ms, options.follow_redirects),
            retries=options.retries,
            retry_max_wait_ms=(
                MAX_WAIT_MS if options.retry_max_wait_ms is None else options.retry_max_wait_ms
            ),
            notice=self._notice,
            stop=self.stop,
            scripts=_script_runner(collection, options, transport, masker, self.stop),
            keep_exchange=options.keep_exchange,
            body_views=options.body_views,
            masker=masker,
            file_dirs=file_dirs(collection, options.working_dir),
            certificates=options.certificates,
            certificate_list=options.certificate_list,
            captured_by={
                c.name: " › ".join((*s.path, s.request.name))
                for s in self.steps
                for c in s.request.captures
            },
        )
        self._paced = threading.local()
        #: --timeout: when the run ends, set as it starts (None: no deadline).
        self.deadline: RunDeadline | None = None
        self.iterations = _iteration_count(options)
        self._pending: dict[int, list[ItemResult] | None] = {}
        self._next_flush = 1
        self._buffers: dict[int, list[ItemResult]] = {}
        self._unasserted: dict[str, None] = {}  # request paths, in run order
        self._last_scope: Scope | None = None
        self._last_iteration = 0

    def iterate(self, base: Scope) -> RunResult:
        """Returns the result of every iteration, reported as they finish (in order)."""
        started = time.perf_counter()
        self.reporter.start(
            RunInfo(
                self.collection.name,
                str(self.collection.source),
                len(self.steps),
                self.iterations,
                time.time(),
                self.options.run_timeout_ms or 0,
            )
        )
        outcome = RunResult(self.collection.name, self.summary, self.results)
        outcome.mask = self.masker.mask
        timer = None
        if self.options.run_timeout_ms:
            at = self.options.run_deadline
            if at is None:
                at = time.monotonic() + self.options.run_timeout_ms / 1000
            # What runs then is cut off at the deadline too: requests, waits and scripts.
            self.deadline = RunDeadline(at, self._timeout_reason())
            seconds = self.deadline.left()
            if seconds <= 0:
                self._time_out()  # the shared deadline fell before this run started
            else:
                timer = threading.Timer(seconds, self._time_out)
                timer.daemon = True
                timer.start()
        try:
            if self.options.parallel > 1 and self.iterations > 1:
                self._parallel(base)
            else:
                self._sequential(base)
            if self.deadline is not None and self.deadline.left() <= 0:
                self._time_out()  # what it cut off was the last request: no timer yet
            if self.options.interrupt is not None:
                self._interrupted()  # the signal came during the last request (its wait)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM as Terminated
            self.stop.set()
            self.summary.interrupted = True
            self.summary.signal = "SIGTERM" if isinstance(exc, Terminated) else "SIGINT"
        finally:
            if timer is not None:
                timer.cancel()
            # Whatever ended the run, what ran is reported (an unexpected error still raises).
            self._flush_all()
            self._warn_unasserted()
            final = self._last_scope or base
            outcome.final_variables = {k: dict(v) for k, v in final.layers.items()}
            self.summary.duration_ms = (time.perf_counter() - started) * 1000
            self.summary.iterations = self.iterations
            self.reporter.finish(outcome)
        return outcome

    def _pause(self) -> None:
        """Waits --delay-request between every two consecutive requests, as Newman does.

        Iteration boundaries included: the pause is kept per thread, so a sequential run
        pauses before every request but the first, and each --parallel worker paces its own.
        """
        if not self.options.delay_request_ms:
            return
        if getattr(self._paced, "sent", False):
            self.stop.wait(self.options.delay_request_ms / 1000)  # ends when the run stops
        self._paced.sent = True

    def _notice(self, message: str) -> None:
        with self.lock:  # one line at a time, also from parallel iterations
            self.reporter.notice(message)

    def _time_out(self) -> None:
        """--timeout ran out: stop sending; the requests not yet run are reported as skipped.

        Called by the timer, or by the loop when it sees the deadline passed first (once).
        """
        with self.lock:
            if self.summary.timed_out:
                return
            self.summary.timed_out = True
        self.stop.set()
        self.reporter_warning(
            f"--timeout {self.options.run_timeout_ms} ms reached: the requests not yet run "
            "are skipped"
        )

    def close(self) -> None:
        if self.ctx.scripts is not None:
            self.ctx.scripts.close()

    def _sequential(self, base: Scope) -> None:
        for iteration in range(1, self.iterations + 1):
            # One scope for the whole sequential run: what scripts set in the environment,
            # globals or collection variables carries into the next iteration, as in Newman.
            scope = base
            scope.layers["data"] = self._row(iteration)
            scope.layers["runtime"] = {}
            self._last_scope = scope
            self._iteration(iteration, scope)
            self._flush(iteration)

    def _parallel(self, base: Scope) -> None:
        from concurrent.futures import ThreadPoolExecutor, wait  # only --parallel needs it

        def work(iteration: int) -> None:
            scope = base.copy()
            scope.layers["data"] = self._row(iteration)
            self._iteration(iteration, scope)
            with self.lock:  # the highest iteration's variables are the run's last
                if iteration >= self._last_iteration:
                    self._last_iteration, self._last_scope = iteration, scope
            self._flush(iteration)

        pool = ThreadPoolExecutor(max_workers=self.options.parallel)
        futures = [pool.submit(work, i) for i in range(1, self.iterations + 1)]
        try:
            for future in futures:
                # A timeout keeps the main thread responsive to Ctrl-C.
                # (`wait` returns on timeout; `future.exception(timeout)` would raise.)
                while not future.done():
                    wait([future], timeout=0.2)
                future.result()
        finally:
            self.stop.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def run_once(self, iteration: int, scope: Scope) -> None:
        """Runs one iteration's steps with `scope`, handing each result to the reporters as it
        comes (load mode: many users, each with its own scope, share one engine)."""
        self._iteration(iteration, scope)

    def _guard(self, result: ItemResult) -> None:
        """A completed request that asserts nothing: a failure under --require-assertions,
        otherwise noted for one warning at the end (a 500 would pass unnoticed)."""
        if result.kind != "request" or result.skipped or result.error or result.assertions:
            return
        if self.options.require_assertions:
            result.assertions.append(
                AssertionResult(
                    "has assertions",
                    False,
                    message="the request asserts nothing (--require-assertions)",
                )
            )
            return
        with self.lock:
            self._unasserted.setdefault(" › ".join((*result.path, result.name)), None)

    def _warn_unasserted(self) -> None:
        names = list(self._unasserted)
        if not names:
            return
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        verb = "asserts" if len(names) == 1 else "assert"
        self.reporter_warning(
            f"{counted(len(names), 'request')} {verb} nothing, so any answer passes: {shown} "
            "(add assertions, or --require-assertions to fail them)"
        )

    def _interrupted(self) -> None:
        """Raises what the main thread's signal would have raised, when it says to stop."""
        assert self.options.interrupt is not None
        signal = self.options.interrupt()
        if signal is not None:
            raise Terminated() if signal == "SIGTERM" else KeyboardInterrupt()

    def _stop_reason(self) -> str:
        if self.summary.timed_out:
            return self._timeout_reason()
        return "bail" if self.options.bail else "interrupted"

    def _timeout_reason(self) -> str:
        return f"run timeout ({self.options.run_timeout_ms} ms)"

    def _row(self, iteration: int) -> dict[str, JSON]:
        data = self.options.data
        if not data:
            return {}
        return dict(data[(iteration - 1) % len(data)])

    def _iteration(self, iteration: int, scope: Scope) -> None:
        emit = self._emitter(iteration)
        index, executed = 0, 0
        by_name = {s.request.name: i for i, s in enumerate(self.steps)}
        by_id = {s.request.id: i for i, s in enumerate(self.steps) if s.request.id}
        while index < len(self.steps):
            if self.options.interrupt is not None:
                self._interrupted()
            self._pause()
            if self.deadline is not None and self.deadline.left() <= 0:
                self._time_out()  # the request it cut off ended before the timer fired
            if self.stop.is_set():
                self._skip_rest(iteration, index, self._stop_reason())
                return
            step = self.steps[index]
            executed += 1
            result, jump = self._one(step, scope, iteration, emit)
            self._guard(result)
            emit(result)
            if self.options.bail and not result.ok and not result.skipped:
                self.stop.set()
            index = self._next_index(index, jump, (by_name, by_id), iteration, executed)

    def _next_index(
        self,
        index: int,
        jump: object,
        targets: tuple[dict[str, int], dict[str, int]],
        iteration: int,
        executed: int,
    ) -> int:
        """Returns the index of the next step, following setNextRequest."""
        by_name, by_id = targets
        if jump is _NO_JUMP:
            return index + 1
        if jump is None:
            return len(self.steps)
        target = by_id.get(str(jump), by_name.get(str(jump)))
        if target is None:
            self.reporter_warning(f"setNextRequest('{jump}'): no such request; continuing")
            return index + 1
        if executed >= MAX_STEPS_PER_ITERATION:
            self.reporter_warning(
                f"iteration {iteration}: stopped after {counted(executed, 'request')} "
                "(setNextRequest loop?)"
            )
            return len(self.steps)
        return target

    def _one(
        self, step: Step, scope: Scope, iteration: int, emit: Emit
    ) -> tuple[ItemResult, object]:
        """Returns the step's result and where setNextRequest points (or _NO_JUMP)."""
        if step.request.skip:
            return _skipped(step, iteration, "skip: true"), _NO_JUMP
        # Folder variables apply to the requests inside the folder only (inner folders win).
        scope.layers["folder"] = {k: v for f in step.folders for k, v in f.variables.items()}
        if self.reporter.watchers:
            key = (iteration, id(step))
            label = " › ".join((*step.path, step.request.name))
            self.reporter.step_started(key, label if iteration <= 1 else f"{label} [{iteration}]")
            try:
                with run_deadline(self.deadline):
                    outcome = execute(self.ctx, step, scope, iteration, emit)
            finally:
                self.reporter.step_ended(key)
        else:
            with run_deadline(self.deadline):  # on this thread: a --parallel worker's too
                outcome = execute(self.ctx, step, scope, iteration, emit)
        for layer in ("runtime", "environment", "collection", "globals", "folder", "data"):
            for name, value in scope.layers[layer].items():
                if is_sensitive_name(name):
                    self.masker.add(value)
        return outcome.result, outcome.next_request if outcome.jump else _NO_JUMP

    def _skip_rest(self, iteration: int, index: int, reason: str) -> None:
        emit = self._emitter(iteration)
        for step in self.steps[index:]:
            emit(_skipped(step, iteration, reason))

    def reporter_warning(self, message: str) -> None:
        with self.lock:
            self.summary.warnings.append(message)
            self.reporter.warning(message)

    # Results of iteration N are buffered until iterations 1..N-1 are reported.
    def _emitter(self, iteration: int) -> Emit:
        if self.options.parallel <= 1:
            return self._deliver
        buffer = self._buffers.setdefault(iteration, [])
        return buffer.append

    def _flush(self, iteration: int) -> None:
        if self.options.parallel <= 1:
            return
        with self.lock:
            self._pending[iteration] = self._buffers.pop(iteration, [])
            while self._next_flush in self._pending:
                for result in self._pending.pop(self._next_flush) or []:
                    self._deliver_locked(result)
                self._next_flush += 1

    def _flush_all(self) -> None:
        """Delivers everything still held back (after Ctrl-C), in iteration order."""
        with self.lock:
            held = {i: r or [] for i, r in self._pending.items()}
            held.update(self._buffers)
            self._pending, self._buffers = {}, {}
            for iteration in sorted(held):
                for result in held[iteration]:
                    self._deliver_locked(result)

    def _deliver(self, result: ItemResult) -> None:
        with self.lock:
            self._deliver_locked(result)

    def _deliver_locked(self, result: ItemResult) -> None:
        self.summary.add(result)
        if self.options.keep_results:
            self.results.append(result)
        self.reporter.result(result)


_NO_JUMP = object()


def _token_cache(shared: TokenCache | None, transport: Transport, retries: int) -> TokenCache:
    """Returns the run's token cache: a new one, or `shared` (tokens kept from earlier runs
    of the same process, e.g. one token per pytest worker) fetching through this run's
    transport."""
    if shared is None:
        return TokenCache(transport, retries=retries)
    if not shared.keep_transport:
        shared.transport = transport
    shared.retries = retries
    return shared


def file_dirs(collection: Collection, working_dir: str | None) -> tuple[Path, ...]:
    """Returns where body files are looked for, in order.

    Native collections: the collection's folder (then --working-dir). Postman files, as in
    Newman: --working-dir or the current directory, then the collection's folder.
    """
    work = Path(working_dir) if working_dir else Path.cwd()
    if collection.dialect == "postman":
        return (work, collection.base_dir)
    return (collection.base_dir, work) if working_dir else (collection.base_dir,)


def _iteration_count(options: RunOptions) -> int:
    if options.iterations:
        return options.iterations
    if options.data:
        return len(options.data)
    return 1


def _script_runner(
    collection: Collection,
    options: RunOptions,
    transport: Transport,
    masker: Masker,
    stop: threading.Event,
) -> StepScripts | None:
    """Returns a StepScripts when the collection has scripts, else None (no JS engine)."""
    if not _has_scripts(collection):
        return None
    return StepScripts(collection, transport, masker, options, stop)


def _has_scripts(collection: Collection) -> bool:
    if collection.scripts:
        return True
    for step in flatten(collection.items):
        if step.request.scripts or any(f.scripts for f in step.folders):
            return True
    return False


def _skipped(step: Step, iteration: int, reason: str) -> ItemResult:
    """Returns the result of `step` not run: its method and URL as written (templates not
    rendered, so a secret variable's value never shows), as a request's are until it is sent."""
    request = step.request
    return ItemResult(
        request.name,
        step.path,
        iteration,
        method=request.method,
        url=request.url,
        skipped=True,
        skip_reason=reason,
    )
