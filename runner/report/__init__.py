"""Reporters observe a run: console, JUnit, JSON. The run loop never prints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from runner.records import record
from runner.results import ItemResult, RunResult
from runner.secrets import Masker


@record
class RunInfo:
    """What a reporter knows when the run starts."""

    collection: str
    source: str
    steps: int
    iterations: int
    started_at: float
    #: --timeout in ms (0: none): the reports name it when it runs out.
    timeout_ms: int = 0


class Reporter(Protocol):
    """Receives results in run order (iteration order, even with --parallel)."""

    def start(self, info: RunInfo) -> None:
        """Called once before the first request."""
        ...

    def result(self, result: ItemResult) -> None:
        """Called once per request, token acquisition or skipped request."""
        ...

    def warning(self, message: str) -> None:
        """Called for things worth knowing that are not failures."""
        ...

    def finish(self, run: RunResult) -> None:
        """Called once at the end, also after a failure part-way or Ctrl-C."""
        ...


@runtime_checkable
class Watcher(Protocol):
    """A reporter that also shows requests while they are in flight (the live progress line)."""

    def step_started(self, key: object, label: str) -> None:
        """Called when a request starts; `key` identifies it until step_ended."""
        ...

    def step_ended(self, key: object) -> None:
        """Called when the request of `key` ends."""
        ...


class MultiReporter:
    """Fans every event out to several reporters."""

    def __init__(self, reporters: Sequence[Reporter]) -> None:
        self.reporters = list(reporters)
        # Reporters that show requests while they are in flight (the live progress line).
        self.watchers = [r for r in self.reporters if isinstance(r, Watcher)]

    def step_started(self, key: object, label: str) -> None:
        """Tells the watchers a request started (called only when there are watchers)."""
        for watcher in self.watchers:
            watcher.step_started(key, label)

    def step_ended(self, key: object) -> None:
        """Tells the watchers a request ended."""
        for watcher in self.watchers:
            watcher.step_ended(key)

    def notice(self, message: str) -> None:
        """Tells the reporters that show them what the run is waiting for, as it happens."""
        for reporter in self.reporters:
            show = getattr(reporter, "notice", None)
            if show is not None:
                show(message)

    def start(self, info: RunInfo) -> None:
        """Forwards start."""
        for reporter in self.reporters:
            reporter.start(info)

    def result(self, result: ItemResult) -> None:
        """Forwards a result."""
        for reporter in self.reporters:
            reporter.result(result)

    def warning(self, message: str) -> None:
        """Forwards a warning."""
        for reporter in self.reporters:
            reporter.warning(message)

    def finish(self, run: RunResult) -> None:
        """Forwards finish to every reporter, even when one of them fails."""
        first: BaseException | None = None
        for reporter in self.reporters:
            try:
                reporter.finish(run)
            except Exception as exc:  # one broken report must not lose the others
                first = first or exc
        if first is not None:
            raise first


def file_reporters(
    junit: str | Path | None,
    json: str | Path | None,
    masker: Masker,
    layout: str = "runner",
    *,
    html: str | Path | None = None,
) -> list[Reporter]:
    """Returns the JUnit, JSON and HTML reporters asked for (none when every path is None)."""
    reporters: list[Reporter] = []
    if junit:
        from runner.report.junit import JUnitReporter, NewmanJUnitReporter

        kind = NewmanJUnitReporter if layout == "newman" else JUnitReporter
        reporters.append(kind(Path(junit), masker))
    if json:
        from runner.report.json_report import JsonReporter

        reporters.append(JsonReporter(Path(json), masker))
    if html:
        from runner.report.html import HtmlReporter

        reporters.append(HtmlReporter(Path(html), masker))
    return reporters
