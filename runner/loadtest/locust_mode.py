"""Running a collection under Locust: users, shared tokens, assertions as Locust failures.

gevent must have patched the standard library before this module is imported (the
`runner load` command does that first), so the transport's sockets cooperate with Locust's
greenlets.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import gevent
import gevent.event
from locust import User, constant, events, task
from locust.env import Environment
from locust.runners import MasterRunner, Runner, WorkerRunner

from runner.engine.loop import Loop
from runner.engine.options import RunOptions
from runner.model import Collection
from runner.report import MultiReporter, RunInfo
from runner.resolve.variables import Scope
from runner.results import ItemResult, RunResult
from runner.secrets import Masker
from runner.transport.http import RequestsTransport
from runner.values import JSON

#: How long users may take to finish their current pass through the collection at the end.
STOP_TIMEOUT_S = 30.0
#: Percentiles in the printed summary (Locust's CSV and HTML have their own, longer list).
SUMMARY_PERCENTILES = (0.5, 0.95, 0.99)


@dataclass(frozen=True)
class LoadOptions:
    """How to load: users, ramp, duration, distribution, outputs."""

    users: int = 1
    spawn_rate: float = 1.0
    run_time_s: float | None = None
    role: str = "local"  # "local", "master" or "worker"
    master_host: str = "127.0.0.1"
    master_port: int = 5557
    master_bind_host: str = "*"
    expect_workers: int = 1
    expect_workers_max_wait_s: float = 60.0
    csv_prefix: str | None = None
    html: str | None = None
    think_time_ms: int = 0


class RequestFailed(Exception):
    """A request that could not complete (Locust counts it as a failure)."""


class AssertionsFailed(Exception):
    """A request whose assertions did not hold (Locust counts it as a failure)."""


class LocustReporter:
    """A runner reporter that turns each result into a Locust request event."""

    def __init__(self, environment: Environment, masker: Masker) -> None:
        self.events = environment.events
        self.masker = masker
        self.fired = 0  # requests and token steps this process reported

    def start(self, info: RunInfo) -> None:
        """Nothing to do: Locust has its own start."""

    def warning(self, message: str) -> None:
        """Warnings are not load statistics."""

    def finish(self, run: RunResult) -> None:
        """Nothing to do: Locust has its own end."""

    def result(self, result: ItemResult) -> None:
        """Fires one Locust request event (token steps as request type TOKEN)."""
        if result.skipped:
            return
        exception: Exception | None = None
        if result.error is not None:
            exception = RequestFailed(self.masker.mask(result.error))
        elif result.failed:
            failed = [a for a in result.assertions if not a.passed and not a.skipped]
            exception = AssertionsFailed(
                self.masker.mask("; ".join(a.message or f"{a.name} failed" for a in failed))
            )
        token = result.kind == "token"
        self.fired += 1
        self.events.request.fire(  # type: ignore[no-untyped-call]
            request_type="TOKEN" if token else (result.method or "GET"),
            name=result.name if token else " › ".join((*result.path, result.name)),
            response_time=result.elapsed_ms,
            response_length=0,
            exception=exception,
            context={},
        )


def user_class(
    loop: Loop, base: Scope, data: Sequence[Mapping[str, JSON]] | None, think_s: float
) -> type[User]:
    """Returns a Locust user class whose task is one pass through the collection.

    Every user has its own variables (captures stay with the user that made them); all
    users share the engine, so a token is fetched once per credential and renewed before it
    expires, never per user.
    """
    numbers = itertools.count(1)

    class CollectionUser(User):
        wait_time = constant(think_s)

        def on_start(self) -> None:
            self.number = next(numbers)
            self.iterations = 0
            self.scope = base.copy()

        @task
        def iteration(self) -> None:
            self.iterations += 1
            if data:
                # Users take different rows, and each user cycles through them.
                row = data[(self.number - 1 + self.iterations - 1) % len(data)]
                self.scope.layers["data"] = dict(row)
            self.scope.layers["runtime"] = {}
            loop.run_once(self.iterations, self.scope)

    return CollectionUser


def run_load(
    collection: Collection,
    base: Scope,
    run_options: RunOptions,
    load: LoadOptions,
    masker: Masker,
    out: TextIO,
) -> int:
    """Runs the load test and returns the exit status (1 when any request failed)."""
    transport = RequestsTransport(
        verify=False if run_options.insecure else (run_options.ca_bundle or True),
        connect_to=run_options.connect_to,
        pool_size=max(load.users, 10),
    )
    # At the end, users finish the pass they are in (up to STOP_TIMEOUT_S) instead of being
    # killed mid-request: every request that reached a server is in the figures.
    environment = Environment(events=events, stop_timeout=STOP_TIMEOUT_S)
    reporter = LocustReporter(environment, masker)
    loop = Loop(collection, run_options, transport, MultiReporter([reporter]), masker)
    environment.user_classes = [user_class(loop, base, run_options.data, load.think_time_ms / 1000)]
    try:
        if load.role == "worker":
            status = _work(environment, load, out)
            out.write(f"worker: sent {reporter.fired} requests (token steps included)\n")
            return status
        return _lead(environment, load, out, masker)
    finally:
        loop.close()
        transport.close()


def _work(environment: Environment, load: LoadOptions, out: TextIO) -> int:
    runner = environment.create_worker_runner(load.master_host, load.master_port)

    def tell(client_id: str, data: dict[str, object]) -> None:
        # With every report, how many users still run: 0 after the last pass has ended, so
        # the master knows the report holds every request this worker sent.
        data["runner_users"] = runner.user_count

    environment.events.report_to_master.add_listener(tell)  # type: ignore[no-untyped-call]
    out.write(f"worker: connected to the master at {load.master_host}:{load.master_port}\n")
    out.flush()
    assert isinstance(runner, WorkerRunner)
    runner.greenlet.join()
    return 0


def _lead(environment: Environment, load: LoadOptions, out: TextIO, masker: Masker) -> int:
    from locust import stats

    runner: Runner
    if load.role == "master":
        runner = environment.create_master_runner(load.master_bind_host, load.master_port)
        assert isinstance(runner, MasterRunner)
        out.write(
            f"master: listening on port {load.master_port}, waiting for "
            f"{load.expect_workers} worker{'s' if load.expect_workers != 1 else ''}\n"
        )
        out.flush()
        waited = time.monotonic()
        while len(runner.clients.ready) < load.expect_workers:
            if time.monotonic() - waited > load.expect_workers_max_wait_s:
                runner.quit()
                out.write(
                    f"master: gave up after {load.expect_workers_max_wait_s:.0f} s: "
                    f"{len(runner.clients.ready)} of {load.expect_workers} workers connected\n"
                )
                return 1
            gevent.sleep(0.1)
    else:
        runner = environment.create_local_runner()
    writer = writing = None
    if load.csv_prefix:
        Path(load.csv_prefix).parent.mkdir(parents=True, exist_ok=True)
        writer = stats.StatsCSVFileWriter(
            environment, stats.PERCENTILES_TO_REPORT, load.csv_prefix, full_history=False
        )
        writing = gevent.spawn(writer.stats_writer)
    gevent.spawn(stats.stats_history, runner)
    started = time.monotonic()
    runner.start(load.users, load.spawn_rate)
    finished = gevent.event.Event()
    # The event loop's clock is cached: after seconds of imports and set-up it is stale, and a
    # timer set from it would fire at once.
    gevent.get_hub().loop.update_now()
    if load.run_time_s is not None:
        gevent.spawn_later(load.run_time_s, finished.set)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the load early, with figures
        finished.wait()
    if isinstance(runner, MasterRunner):
        _quit_workers(runner, environment)
    runner.quit()
    duration = time.monotonic() - started
    if writer is not None and writing is not None:
        # The writer rewrites the files once a second: one more round holds the final figures.
        gevent.sleep(stats.CSV_STATS_INTERVAL_SEC + 0.2)
        writing.kill()
        writer.close_files()
    if load.html:
        from locust.html import get_html_report

        Path(load.html).parent.mkdir(parents=True, exist_ok=True)
        Path(load.html).write_text(
            get_html_report(environment, show_download_link=False),  # type: ignore[no-untyped-call]
            encoding="utf-8",
        )
    _summary(environment, load, duration, out, masker)
    return 1 if environment.stats.total.num_failures else 0


def _quit_workers(runner: MasterRunner, environment: Environment) -> None:
    """Tells the workers to quit and waits until each has reported with no user left.

    Locust's own quit waits half a second for the workers' last reports; a worker whose
    users are still finishing their pass (stop_timeout) reports later, and its last requests
    would be missing from the figures.
    """
    from locust.rpc import Message

    asked = time.monotonic()
    done: set[str] = set()

    def note(client_id: str, data: dict[str, object]) -> None:
        if data.get("runner_users") == 0 and time.monotonic() >= asked:
            done.add(client_id)

    environment.events.worker_report.add_listener(note)  # type: ignore[no-untyped-call]
    workers = [client.id for client in runner.clients.all]
    for worker in workers:
        runner.server.send_to_client(Message("quit", None, worker))  # type: ignore[no-untyped-call]
    give_up = asked + STOP_TIMEOUT_S + 5
    while time.monotonic() < give_up and not done.issuperset(workers):
        gevent.sleep(0.1)


def _summary(
    environment: Environment, load: LoadOptions, duration: float, out: TextIO, masker: Masker
) -> None:
    """Prints requests, RPS, percentiles and failures by request."""
    total = environment.stats.total
    rps = total.num_requests / duration if duration > 0 else 0.0
    out.write(
        f"\nLoad: {load.users} user{'s' if load.users != 1 else ''} for {duration:.1f} s: "
        f"{total.num_requests} requests, {rps:.1f} req/s, {total.num_failures} failed\n"
    )
    header = ["request", "reqs", "fails", "req/s"] + [
        f"p{int(p * 100)} ms" for p in SUMMARY_PERCENTILES
    ]
    rows = []
    for entry in sorted(environment.stats.entries.values(), key=lambda e: (e.name, e.method)):
        rows.append(
            [
                f"{entry.method} {entry.name}",
                str(entry.num_requests),
                str(entry.num_failures),
                f"{entry.num_requests / duration if duration > 0 else 0.0:.1f}",
            ]
            + [f"{entry.get_response_time_percentile(p):.0f}" for p in SUMMARY_PERCENTILES]
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        out.write("  " + "  ".join(cells) + "\n")
    errors = sorted(environment.stats.errors.values(), key=lambda e: -e.occurrences)
    if errors:
        out.write("Failures:\n")
        for error in errors:
            out.write(
                f"  {error.occurrences}× {error.method} {error.name}: "
                f"{masker.mask(str(error.error))}\n"
            )
    out.flush()
