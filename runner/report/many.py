"""Several collections run as one: a part of each report file per collection, merged into
one JUnit, JSON and HTML file at the end, and the live progress line they share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from runner.report import Reporter, RunInfo, file_reporters
from runner.report.progress import LiveLine
from runner.results import ItemResult, RunResult, Summary
from runner.secrets import Masker


def unique_names(names: Sequence[str]) -> list[str]:
    """Returns `names` with repeats numbered (`api`, `api (2)`): JUnit suites must differ."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


class _Part:
    """One collection's share of a merged report: events go to its own reporter (named as
    the merged file names it); `finish` only records the run, the file is written later."""

    def __init__(self, reporter: Reporter, name: str, runs: list[RunResult | None], index: int):
        self.reporter = reporter
        self.name = name
        self.runs = runs
        self.index = index

    def start(self, info: RunInfo) -> None:
        """Forwards start, the collection named as in the merged file."""
        self.reporter.start(replace(info, collection=self.name))

    def result(self, result: ItemResult) -> None:
        """Forwards a result."""
        self.reporter.result(result)

    def warning(self, message: str) -> None:
        """Forwards a warning."""
        self.reporter.warning(message)

    def finish(self, run: RunResult) -> None:
        """Records the run; ManyReports.finish writes the file."""
        self.runs[self.index] = replace(run, collection=self.name)


class ManyReports:
    """The --junit, --json and --html files of a run of several collections: one file each,
    with a <testsuite> (JUnit), a `collections` entry (JSON) or folders led by the
    collection's name (HTML) per collection, in the order given."""

    def __init__(
        self,
        names: Sequence[str],
        junit: str | Path | None,
        json: str | Path | None,
        html: str | Path | None,
        layout: str = "runner",
    ) -> None:
        self.names = unique_names(names)
        self.junit, self.json, self.html, self.layout = junit, json, html, layout
        self.runs: list[RunResult | None] = [None] * len(names)
        self.parts: list[list[Any]] = [[] for _ in names]  # junit, json, html reporters

    def reporters(self, index: int, masker: Masker) -> list[Reporter]:
        """Returns the report parts of collection `index`, masking with its run's masker."""
        made = file_reporters(self.junit, self.json, masker, self.layout, html=self.html)
        for reporter in made:  # named also when the run never starts (Ctrl-C before it)
            if hasattr(reporter, "suite"):
                reporter.suite = self.names[index]
            if hasattr(reporter, "collection"):
                reporter.collection = self.names[index]
        self.parts[index] = made
        return [_Part(r, self.names[index], self.runs, index) for r in made]

    def finish(self, total: RunResult, started: float) -> None:
        """Writes every report file; a broken one does not stop the others."""
        from runner.report.html import HtmlReporter, write_page
        from runner.report.json_report import JsonReporter, write_combined
        from runner.report.junit import (
            JUnitReporter,
            NewmanJUnitReporter,
            write_newman_suites,
            write_suites,
        )

        runs = [
            run or RunResult(name, Summary(interrupted=total.summary.interrupted))
            for run, name in zip(self.runs, self.names, strict=True)
        ]

        def of(kind: type) -> list[tuple[Any, RunResult]]:
            return [
                (reporter, run)
                for made, run in zip(self.parts, runs, strict=True)
                for reporter in made
                if isinstance(reporter, kind)
            ]

        writers: list[Callable[[], None]] = []
        junit, json, html = self.junit, self.json, self.html
        if junit and self.layout == "newman":
            writers.append(lambda: write_newman_suites(Path(junit), of(NewmanJUnitReporter)))
        elif junit:
            writers.append(lambda: write_suites(Path(junit), of(JUnitReporter)))
        if json:
            writers.append(lambda: write_combined(Path(json), of(JsonReporter), total, started))
        if html:

            def page() -> None:
                parts = of(HtmlReporter)
                try:
                    write_page(Path(html), parts, total, total.collection)
                finally:
                    for reporter, _ in parts:
                        reporter.close()

            writers.append(page)
        first: BaseException | None = None
        for write in writers:
            try:
                write()
            except Exception as exc:  # one broken report must not lose the others
                first = first or exc
        if first is not None:
            raise first


class SharedProgress:
    """One collection's view of the live line that collections run side by side share:
    its requests are added to the total as it starts, counted and shown in flight."""

    def __init__(self, live: LiveLine) -> None:
        self.live = live
        self.name = ""

    def start(self, info: RunInfo) -> None:
        """Adds the collection's requests to the line's total."""
        self.name = info.collection
        self.live.add(info.steps * info.iterations)

    def result(self, result: ItemResult) -> None:
        """Counts a request."""
        if result.kind == "request":
            self.live.count(result.ok or result.skipped)

    def warning(self, message: str) -> None:
        """Warnings are printed with the collection's console output."""

    def finish(self, run: RunResult) -> None:
        """The line stops when every collection is done."""

    def step_started(self, key: object, label: str) -> None:
        """Shows a request in flight (keys of several collections never collide)."""
        self.live.begin((id(self), key), f"{self.name} › {label}")

    def step_ended(self, key: object) -> None:
        """Takes a request off the line."""
        self.live.end((id(self), key))
