"""JUnit XML reports: runner's layout (junit-xml) and Newman's layout (--junit-layout newman)."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from runner.report import RunInfo
from runner.results import AssertionResult, ItemResult, RunResult
from runner.secrets import Masker


@dataclass(slots=True)
class _Case:
    """What a testcase needs, kept small so long runs stay light."""

    name: str
    classname: str
    seconds: float
    outcome: str  # pass, failure, error, skipped
    message: str = ""
    detail: str = ""


@dataclass(slots=True)
class _Counts:
    """The suite's totals, counted as testcases go to the spool."""

    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0
    seconds: float = 0.0


class JUnitReporter:
    """Writes one <testsuite> per run and one <testcase> per request and token acquisition.

    Each testcase is written to an anonymous spool file as it arrives, and the report is
    assembled from the spool at the end, so memory stays flat however long the run.
    junit-xml builds and escapes each testcase; the <testsuites>/<testsuite> wrapper is
    written here because junit-xml needs every testcase in memory to write it, and adds a
    `disabled` attribute that the JUnit XSD (Jenkins' junit-10.xsd) rejects.
    """

    def __init__(self, path: Path, masker: Masker) -> None:
        self.path = path
        self.masker = masker
        self.suite = "runner"
        self.started = time.time()
        self.timeout_ms = 0  # the run's --timeout (0: none), named when it ran out
        self.counts = _Counts()
        self._names: dict[tuple[str, str], int] = {}
        self._iteration = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        # An anonymous file: nothing is left behind if the run dies before finish().
        self._spool: IO[str] = tempfile.TemporaryFile(  # noqa: SIM115 - closed in finish()
            "w+", encoding="utf-8", dir=path.parent
        )

    def start(self, info: RunInfo) -> None:
        """Remembers the suite name."""
        self.suite = info.collection
        self.started = info.started_at
        self.timeout_ms = info.timeout_ms

    def warning(self, message: str) -> None:
        """Warnings do not appear in JUnit."""

    def result(self, result: ItemResult) -> None:
        """Writes the testcase for `result` to the spool and counts it."""
        classname = "auth" if result.kind == "token" else ".".join((self.suite, *result.path))
        if result.iteration != self._iteration:
            # Names carry their iteration ("Get user [2]"), so only one iteration's names can
            # clash: forgetting the others keeps memory flat on long runs.
            self._iteration = result.iteration
            self._names.clear()
        name = self._unique(classname, result.display_name)
        self.add(_testcase(result, name, classname, self.masker))

    def add(self, case: _Case) -> None:
        """Writes `case` to the spool and counts it."""
        counts = self.counts
        counts.tests += 1
        counts.seconds += case.seconds
        counts.failures += case.outcome == "failure"
        counts.errors += case.outcome == "error"
        counts.skipped += case.outcome == "skipped"
        self._spool.write(testcase_xml(case))

    def _unique(self, classname: str, name: str) -> str:
        # Two requests with one name in one folder would merge in CI history; number them.
        key = (classname, name)
        seen = self._names.get(key, 0)
        self._names[key] = seen + 1
        return name if seen == 0 else f"{name} ({seen + 1})"

    def finish(self, run: RunResult | None) -> None:
        """Writes the XML file: the suite's header, the spooled testcases, the closing tags."""
        write_suites(self.path, [(self, run)])

    def write_suite(self, out: IO[str], run: RunResult | None) -> None:
        """Writes this run's <testsuite> to `out`: its header, the spooled testcases, the
        interruption note; the spool is closed."""
        counts = self.counts
        stamp = datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds")
        suite = ET.Element(
            "testsuite",
            {"name": self.suite, **_totals([counts]), "skipped": str(counts.skipped),
             "time": f"{counts.seconds:.3f}", "timestamp": stamp},
        )  # fmt: skip
        properties, notes = self._run_marks(run)
        with self._spool:
            self._spool.seek(0)
            out.write("\t" + _start_tag(suite) + "\n")
            if properties:
                out.write("\t\t<properties>\n")
                for name, value in properties:
                    out.write(f'\t\t\t<property name="{name}" value="{value}" />\n')
                out.write("\t\t</properties>\n")
            shutil.copyfileobj(self._spool, out)
            if notes:
                out.write(f"\t\t<system-err>{'; '.join(notes)}</system-err>\n")
            out.write("\t</testsuite>\n")

    def _run_marks(self, run: RunResult | None) -> tuple[list[tuple[str, str]], list[str]]:
        """Returns the suite's properties and <system-err> notes saying how the run ended
        early: interrupted (and by what signal), or cut off by --timeout (and at what)."""
        properties: list[tuple[str, str]] = []
        notes: list[str] = []
        summary = run.summary if run is not None else None
        if summary is not None and summary.timed_out:
            properties += [("timed_out", "true"), ("timeout_ms", str(self.timeout_ms))]
            reason = f"run timeout ({self.timeout_ms} ms)"
            notes.append(
                f"{reason} reached: what was in flight was cut off, requests not run are "
                f"reported as skipped ({reason})"
            )
        if summary is not None and summary.interrupted:
            signal = summary.signal or "SIGINT"
            properties += [("interrupted", "true"), ("signal", signal)]
            key = "Ctrl-C" if signal == "SIGINT" else signal
            notes.append(
                f"run interrupted ({key}): requests not run are reported as skipped (interrupted)"
            )
        return properties, notes


def _totals(counts: Sequence[_Counts]) -> dict[str, str]:
    """Returns the tests, failures and errors attributes summed over `counts`."""
    return {
        "tests": str(sum(c.tests for c in counts)),
        "failures": str(sum(c.failures for c in counts)),
        "errors": str(sum(c.errors for c in counts)),
    }


def write_suites(path: Path, suites: Sequence[tuple[JUnitReporter, RunResult | None]]) -> None:
    """Writes the JUnit file `path`: <testsuites> with the totals, then a <testsuite> for each
    (reporter, run) pair, in order (one per collection of a run of several)."""
    counts = [reporter.counts for reporter, _ in suites]
    # Suite times are SUREFIRE_TIME in the XSD: at most three decimals.
    seconds = f"{sum(c.seconds for c in counts):.3f}"
    root = ET.Element("testsuites", {**_totals(counts), "time": seconds})
    temp = path.with_name(path.name + ".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(temp, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write(_start_tag(root) + "\n")
        for reporter, run in suites:
            reporter.write_suite(out, run)
        out.write("</testsuites>\n")
    temp.replace(path)


def write_error_junit(path: Path, suite: str, message: str, detail: str) -> None:
    """Writes a JUnit file holding one <error> testcase that says why nothing ran."""
    reporter = JUnitReporter(path, Masker())
    reporter.suite = suite
    reporter.add(_Case("invalid input", "runner", 0.0, "error", message, detail))
    reporter.finish(None)


def _start_tag(element: ET.Element) -> str:
    """Returns `element`'s start tag, attributes escaped, characters XML cannot hold dropped."""
    return _ILLEGAL_XML.sub("", ET.tostring(element, encoding="unicode").removesuffix(" />") + ">")


def testcase_xml(case: _Case) -> str:
    """Returns one <testcase> element (indented two levels, one line per child) built by
    junit-xml, with the characters XML 1.0 cannot hold dropped."""
    from junit_xml import TestCase, TestSuite

    tc = TestCase(case.name, classname=case.classname)
    if case.outcome == "failure":
        tc.add_failure_info(message=case.message, output=case.detail)
    elif case.outcome == "error":
        tc.add_error_info(message=case.message, output=case.detail)
    elif case.outcome == "skipped":
        tc.add_skipped_info(message=case.message)
    element = TestSuite("", [tc]).build_xml_doc().find("testcase")
    assert element is not None  # junit-xml always writes the testcase it was given
    # Always a time, with microseconds: a local response can take < 0.5 ms, and junit-xml
    # leaves out a time of 0.
    element.set("time", f"{case.seconds:.6f}")
    ET.indent(element, space="\t", level=2)
    text = ET.tostring(element, encoding="unicode")
    return "\t\t" + _ILLEGAL_XML.sub("", text) + "\n"


def _testcase(result: ItemResult, name: str, classname: str, masker: Masker) -> _Case:
    seconds = result.elapsed_ms / 1000
    if result.skipped:
        return _Case(name, classname, 0.0, "skipped", result.skip_reason or "skipped")
    lines = [
        f"{result.method} {result.url} → {result.status if result.status is not None else '—'}"
    ]
    failed = [a for a in result.assertions if not a.passed and not a.skipped]
    lines.extend(f"FAILED {a.message or a.name}{_compared(a, masker, ' (', ')')}" for a in failed)
    if result.hint:
        lines.append(f"hint: {result.hint}")
    lines.extend(f"retry: {a.status or a.error} ({a.reason})" for a in result.attempts)
    if result.operation is not None:
        lines.append(f"{result.operation.describe()}, status URL {result.operation.url}")
    detail = masker.mask("\n".join(lines))
    if result.error is not None:
        return _Case(name, classname, seconds, "error", masker.mask(result.error), detail)
    if failed:
        first = failed[0]
        message = first.message or first.name + _compared(first, masker, ": ")
        if len(failed) > 1:
            message += f" (and {len(failed) - 1} more)"
        return _Case(name, classname, seconds, "failure", masker.mask(message), detail)
    return _Case(name, classname, seconds, "pass")


def _compared(result: AssertionResult, masker: Masker, before: str, after: str = "") -> str:
    """Returns `expected X, actual Y` between `before` and `after`, or "" when the assertion
    compares no values (a script's pm.test, --require-assertions): `None` would be noise."""
    if not result.compares:
        return ""
    # Values are masked before repr() escapes them: an escaped secret would not be found.
    expected, actual = masker.mask_value(result.expected), masker.mask_value(result.actual)
    return f"{before}expected {expected!r}, actual {actual!r}{after}"


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold at all, not even escaped (junit-xml drops them too)."""


def write_text(path: Path, text: str) -> None:
    """Writes `text` to `path`, creating folders, via a temporary file (no half-written reports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)


def newman_classname(full_name: str) -> str:
    """Returns Newman's classname: the item's full name in UpperCamelCase, word characters only."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", full_name)
    return "".join(w[:1].upper() + w[1:].lower() for w in words)


@dataclass
class _Suite:
    name: str
    executions: int = 0
    total_ms: float = 0.0
    tests: int = 0
    failures: int = 0
    errors: int = 0
    cases: OrderedDict[str, list[str]] = field(default_factory=OrderedDict)
    errors_text: list[str] = field(default_factory=list)


class NewmanJUnitReporter:
    """Writes Newman's JUnit layout: a <testsuite> per request, a <testcase> per assertion."""

    def __init__(self, path: Path, masker: Masker) -> None:
        self.path = path
        self.masker = masker
        self.suites: OrderedDict[tuple[str, ...], _Suite] = OrderedDict()
        self.collection = "runner"
        self.started = time.time()
        self._occurrences: dict[tuple[str, ...], int] = {}
        self._iteration = 0

    def start(self, info: RunInfo) -> None:
        """Remembers the collection name and start time."""
        self.collection = info.collection
        self.started = info.started_at

    def warning(self, message: str) -> None:
        """Warnings do not appear in JUnit."""

    def result(self, result: ItemResult) -> None:
        """Folds the result into its request's suite."""
        if result.kind == "token":
            return
        # Two requests of one name in one folder are two suites: the k-th of an iteration
        # folds into the k-th suite of that name.
        if result.iteration != self._iteration:  # results come in iteration order
            self._iteration = result.iteration
            self._occurrences.clear()
        named = (*result.path, result.name)
        seen = self._occurrences.get(named, 0)
        self._occurrences[named] = seen + 1
        if result.skipped:
            return
        key = (*named, str(seen)) if seen else named
        # Newman names a request's suite by its full path joined with " / ".
        suite = self.suites.setdefault(key, _Suite(" / ".join(named)))
        suite.executions += 1
        suite.total_ms += result.elapsed_ms
        suite.tests = len(result.assertions)
        if result.error is not None:
            suite.errors += 1
            suite.errors_text.append(
                f"Iteration: {result.iteration - 1}\nRequestError: {result.error}\n---\n"
            )
        for assertion in result.assertions:
            failures = suite.cases.setdefault(assertion.name, [])
            if not assertion.passed and not assertion.skipped:
                suite.failures += 1
                # Newman's message is the error's alone; runner's begins with the test's name.
                message = assertion.message.removeprefix(f"{assertion.name}: ")
                failures.append(message or assertion.name)

    def finish(self, run: RunResult) -> None:
        """Writes the XML file."""
        write_newman_suites(self.path, [(self, run)])

    def element(self, run: RunResult) -> ET.Element:
        """Returns the <testsuites> element of this run: a <testsuite> per request."""
        # Newman's `tests` here is its count of test events: one per request executed.
        executed = sum(suite.executions for suite in self.suites.values())
        root = ET.Element("testsuites", name=self.collection, tests=str(executed))
        stamp = datetime.fromtimestamp(self.started, UTC).isoformat(timespec="milliseconds")
        total = 0.0
        for suite in self.suites.values():
            mean = suite.total_ms / max(suite.executions, 1) / 1000
            total += suite.total_ms / 1000
            node = ET.SubElement(
                root,
                "testsuite",
                name=suite.name,
                timestamp=stamp.replace("+00:00", "Z"),
                tests=str(suite.tests),
                failures=str(suite.failures),
                errors=str(suite.errors),
                time=f"{mean:.3f}",
            )
            if suite.errors_text:
                ET.SubElement(node, "system-err").text = self.masker.mask(
                    "".join(suite.errors_text)
                )
            for name, failures in suite.cases.items():
                case = ET.SubElement(
                    node,
                    "testcase",
                    name=name,
                    time=f"{mean:.3f}",
                    classname=newman_classname(suite.name),
                )
                if failures:
                    failure = ET.SubElement(
                        case,
                        "failure",
                        type="AssertionFailure",
                        message=self.masker.mask(failures[0]),
                    )
                    failure.text = self.masker.mask(
                        f"Failed {len(failures)} times. Collection name: {self.collection}. "
                        f"Request name: {suite.name}. "
                        f"Test description: {name}. Error message: {failures[0]}."
                    )
        root.set("time", f"{total:.3f}")
        return root


def write_newman_suites(path: Path, runs: Sequence[tuple[NewmanJUnitReporter, RunResult]]) -> None:
    """Writes Newman's layout to `path`; with several runs, their request suites in one
    <testsuites>, each suite's name led by its collection's."""
    roots = [(reporter, reporter.element(run)) for reporter, run in runs]
    root = roots[0][1]
    if len(roots) > 1:
        root = ET.Element(
            "testsuites",
            name=", ".join(reporter.collection for reporter, _ in roots),
            tests=str(sum(int(r.get("tests", 0)) for _, r in roots)),
            time=f"{sum(float(r.get('time', 0)) for _, r in roots):.3f}",
        )
        for reporter, part in roots:
            for suite in part:
                suite.set("name", f"{reporter.collection} / {suite.get('name')}")
                root.append(suite)
    ET.indent(root)
    write_text(
        path,
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + _ILLEGAL_XML.sub("", ET.tostring(root, encoding="unicode"))
        + "\n",
    )
