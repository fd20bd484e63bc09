"""Purpose-written collections run through `runner` and Newman 6.2.2, compared request by request.

Each case is a collection under `tests/postman/semantics/` (plus optional data file, flags
and environment variables such as `HTTP_PROXY`). Newman runs every case in one Node process
(starting it costs more than a small collection); `runner` runs each through its CLI,
in-process, with no `--module-path`. Per executed request both must agree on its name, its
assertions (name and pass/fail, in order), whether it had an error, and each script error's
message; the exit statuses must agree too.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from newman_tools import StandIn, newman_options, start_newman
from support.loopback import loopback_only

from runner.cli import main

FOLDER = Path(__file__).resolve().parent / "semantics"


@dataclass(frozen=True)
class Case:
    """One collection (by default `FOLDER/<name>.postman_collection.json`), with its data file,
    environment, folders to run, extra flags and process environment."""

    name: str
    data: str | Path | None = None  # relative to FOLDER, or a path
    flags: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None
    environment: Path | None = None
    globals: Path | None = None
    folders: tuple[str, ...] = ()
    working_dir: Path | None = None  # Newman's (runner's is the current directory)

    @property
    def collection(self) -> Path:
        """Returns the collection file's path."""
        return self.source or FOLDER / f"{self.name}.postman_collection.json"

    @property
    def data_file(self) -> Path | None:
        """Returns the data file's path (None without one)."""
        return FOLDER / self.data if self.data else None


@dataclass(frozen=True)
class Seen:
    """One executed request: name, assertions [(name, passed)], errors (script/request)."""

    name: str
    assertions: tuple[tuple[str, bool], ...]
    errors: tuple[tuple[str, str], ...]  # (kind: script/request, or '' for runner; message)

    @property
    def passed(self) -> bool:
        """Returns True when nothing failed or errored."""
        return not self.errors and all(ok for _, ok in self.assertions)


@dataclass(frozen=True)
class Run:
    """What one tool did with one case: exit status and the executed requests."""

    status: int
    requests: tuple[Seen, ...]
    output: str = ""


class NewmanRuns:
    """Cases running through Newman in one Node process (started at once, in the background)."""

    def __init__(self, cases: list[Case], target: StandIn, folder: Path, modules: Path) -> None:
        jobs = [
            {
                "options": newman_options(
                    case.collection,
                    case.working_dir or case.collection.parent,
                    environment=case.environment,
                    globals=case.globals,
                    data=case.data_file,
                    folders=case.folders,
                    flags=case.flags,
                ),
                "env": dict(case.env),
            }
            for case in cases
        ]
        self.index = {case.name: i for i, case in enumerate(cases)}
        self.jobs = start_newman(jobs, target, folder, modules)

    def run(self, name: str) -> Run:
        """Returns case `name`'s Newman run, waiting only until that case is done."""
        result = self.jobs.result(self.index[name])
        requests = tuple(
            Seen(
                r["name"],
                tuple((a, ok) for a, ok in r["assertions"]),
                tuple((kind, message) for kind, message in r["errors"]),
            )
            for r in result["requests"]
        )
        return Run(1 if result["failures"] else 0, requests)

    def stop(self) -> None:
        """Ends the Node process if it is still running."""
        self.jobs.stop()


def newman_runs(cases: list[Case], target: StandIn, folder: Path, modules: Path) -> dict[str, Run]:
    """Returns every case's Newman run (one Node process for all of them)."""
    started = NewmanRuns(cases, target, folder, modules)
    runs = {case.name: started.run(case.name) for case in cases}
    started.stop()
    return runs


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Sets `values` in os.environ for the block (runner runs in-process)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def runner_run(case: Case, echo: StandIn, out: Path) -> Run:
    """Returns `runner run`'s result on `case` (in-process, as a user runs it)."""
    report = out / f"{case.name}.json"
    argv = ["run", str(case.collection), "--json", str(report), "--ca-bundle", echo.ca_file]
    if case.data_file:
        argv += ["-d", str(case.data_file)]
    if case.environment:
        argv += ["-e", str(case.environment)]
    if case.globals:
        argv += ["-g", str(case.globals)]
    for folder in case.folders:
        argv += ["--folder", folder]
    argv += list(case.flags)
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    stdout, stderr = io.StringIO(), io.StringIO()
    with environment(case.env), loopback_only():
        status = main(argv, stdout=stdout, stderr=stderr)
    results = json.loads(report.read_text(encoding="utf-8"))["results"]
    requests = tuple(
        Seen(
            r["name"],
            tuple((a["name"], bool(a["passed"])) for a in r["assertions"]),
            (("", str(r["error"])),) if r.get("error") else (),
        )
        for r in results
        if r.get("kind", "request") == "request" and not r.get("skipped")
    )
    return Run(status, requests, stdout.getvalue() + stderr.getvalue())


def request_differences(mine: Seen, other: Seen) -> list[str]:
    """Returns how runner's run of one request differs from Newman's (empty: they agree)."""
    out = []
    if mine.assertions != other.assertions:
        out.append(f"{mine.name}: runner {mine.assertions}, newman {other.assertions}")
    if bool(mine.errors) != bool(other.errors):
        out.append(f"{mine.name}: runner errors {mine.errors}, newman {other.errors}")
    text = " ".join(message for _, message in mine.errors)
    # Each script error's message is in runner's error (request errors are worded by each
    # tool its own way).
    missing = [m for kind, m in other.errors if kind == "script" and m not in text]
    if missing:
        out.append(f"{mine.name}: runner's error {text!r} does not say {missing}")
    return out


def same_requests(ours: Run, theirs: Run) -> bool:
    """Returns True when both tools ran the same requests, in the same order."""
    return [r.name for r in ours.requests] == [r.name for r in theirs.requests]


def disagreements(ours: Run, theirs: Run, allowed: Collection[str] = ()) -> list[str]:
    """Returns how `runner`'s run differs from Newman's (empty when they agree), leaving out
    the requests named in `allowed` (and the exit status when one of those differs)."""
    if not same_requests(ours, theirs):
        return [
            f"requests run: runner {[r.name for r in ours.requests]}, "
            f"newman {[r.name for r in theirs.requests]}"
        ]
    out, excused = [], False
    for mine, other in zip(ours.requests, theirs.requests, strict=True):
        differences = request_differences(mine, other)
        if mine.name in allowed:
            excused = excused or bool(differences)
        else:
            out += differences
    if (ours.status == 0) != (theirs.status == 0) and not excused:
        out.append(f"exit status: runner {ours.status}, newman {theirs.status}")
    return out


def agreeing_requests(ours: Run, theirs: Run) -> int:
    """Returns how many of Newman's requests runner ran the same way (0 when the two ran
    different requests)."""
    if not same_requests(ours, theirs):
        return 0
    pairs = zip(ours.requests, theirs.requests, strict=True)
    return sum(not request_differences(mine, other) for mine, other in pairs)


TIMED = re.compile(r"(?i)\bresponse ?time\b")
"""Assertions on the response time: their pass/fail depends on the machine's load."""


def steady(run: Run, random_names: re.Pattern[str] | None = None) -> Run:
    """Returns `run` without what differs from one run to the next: the pass/fail of
    response-time assertions (counted as passed), and the parts of assertion names matching
    `random_names` (a suite naming its tests by random values). A run that failed only on
    response time then exits 0, as it would on an idle machine."""

    def name(text: str) -> str:
        return random_names.sub("…", text) if random_names else text

    requests = tuple(
        Seen(
            r.name,
            tuple((name(a), ok or bool(TIMED.search(a))) for a, ok in r.assertions),
            r.errors,
        )
        for r in run.requests
    )
    status = 0 if run.status == 1 and all(r.passed for r in requests) else run.status
    return Run(status, requests, run.output)
