"""JUnit XML reports: runner's layout (junit-xml) and Newman's layout (--junit-layout newman)."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from runner.report import RunInfo
from runner.results import ItemResult, RunResult
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


class JUnitReporter:
    """Writes one <testsuite> per run and one <testcase> per request and token acquisition."""

    def __init__(self, path: Path, masker: Masker) -> None:
        self.path = path
        self.masker = masker
        self.cases: list[_Case] = []
        self.suite = "runner"
        self.started = time.time()
        self._names: dict[tuple[str, str], int] = {}

    def start(self, info: RunInfo) -> None:
        """Remembers the suite name."""
        self.suite = info.collection
        self.started = info.started_at

    def warning(self, message: str) -> None:
        """Warnings do not appear in JUnit."""

    def result(self, result: ItemResult) -> None:
        """Keeps a compact testcase for `result`."""
        classname = "auth" if result.kind == "token" else ".".join((self.suite, *result.path))
        name = self._unique(classname, result.display_name)
        self.cases.append(_testcase(result, name, classname, self.masker))

    def _unique(self, classname: str, name: str) -> str:
        # Two requests with one name in one folder would merge in CI history; number them.
        key = (classname, name)
        seen = self._names.get(key, 0)
        self._names[key] = seen + 1
        return name if seen == 0 else f"{name} ({seen + 1})"

    def finish(self, run: RunResult) -> None:
        """Writes the XML file."""
        from junit_xml import TestCase, TestSuite, to_xml_report_string

        cases = []
        for case in self.cases:
            # Not rounded: junit-xml drops a time of 0.0, and a local response can take < 0.5 ms.
            tc = TestCase(case.name, classname=case.classname, elapsed_sec=case.seconds)
            if case.outcome == "failure":
                tc.add_failure_info(message=case.message, output=case.detail)
            elif case.outcome == "error":
                tc.add_error_info(message=case.message, output=case.detail)
            elif case.outcome == "skipped":
                tc.add_skipped_info(message=case.message)
            cases.append(tc)
        stamp = datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds")
        suite = TestSuite(self.suite, cases, timestamp=stamp)
        write_text(self.path, to_xml_report_string([suite], encoding="utf-8"))


def _testcase(result: ItemResult, name: str, classname: str, masker: Masker) -> _Case:
    seconds = result.elapsed_ms / 1000
    if result.skipped:
        return _Case(name, classname, 0.0, "skipped", result.skip_reason or "skipped")
    lines = [
        f"{result.method} {result.url} → {result.status if result.status is not None else '—'}"
    ]
    failed = [a for a in result.assertions if not a.passed and not a.skipped]
    # Values are masked before repr() escapes them: an escaped secret would not be found.
    lines.extend(
        f"FAILED {a.message or a.name} (expected {masker.mask_value(a.expected)!r}, "
        f"actual {masker.mask_value(a.actual)!r})"
        for a in failed
    )
    if result.hint:
        lines.append(f"hint: {result.hint}")
    lines.extend(f"retry: {a.status or a.error} ({a.reason})" for a in result.attempts)
    detail = masker.mask("\n".join(lines))
    if result.error is not None:
        return _Case(name, classname, seconds, "error", masker.mask(result.error), detail)
    if failed:
        first = failed[0]
        message = (
            first.message or f"{first.name}: expected {first.expected!r}, got {first.actual!r}"
        )
        if len(failed) > 1:
            message += f" (and {len(failed) - 1} more)"
        return _Case(name, classname, seconds, "failure", masker.mask(message), detail)
    return _Case(name, classname, seconds, "pass")


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
        suite = self.suites.setdefault(key, _Suite("/".join(named)))
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
                failures.append(assertion.message or assertion.name)

    def finish(self, run: RunResult) -> None:
        """Writes the XML file."""
        root = ET.Element("testsuites", name=self.collection, tests=str(run.summary.assertions))
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
                        f"Failed {len(failures)} times. Request name: {suite.name}. "
                        f"Test description: {name}. Error message: {failures[0]}."
                    )
        root.set("time", f"{total:.3f}")
        ET.indent(root)
        write_text(
            self.path,
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            + _ILLEGAL_XML.sub("", ET.tostring(root, encoding="unicode"))
            + "\n",
        )
