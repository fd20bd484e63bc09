"""The console reporter: a line per request, failed assertions with expected and actual."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from runner.report import RunInfo
from runner.report.progress import LiveLine, live_progress_wanted
from runner.report.terminal import use_color
from runner.results import VERBOSE_BODY as VERBOSE_BODY  # how much of a body --verbose shows
from runner.results import (
    BodyView,
    ItemResult,
    Operation,
    Part,
    Redirect,
    RunResult,
    Summary,
    body_view,
)
from runner.secrets import Masker
from runner.wording import counted

if TYPE_CHECKING:
    from runner.report.curl import RunConnection

_COLORS = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1", "cyan": "36"}


class ConsoleReporter:
    """Streams results as they arrive; a progress line on TTYs, plain lines in CI."""

    def __init__(
        self,
        masker: Masker,
        *,
        stream: TextIO | None = None,
        verbosity: int = 1,
        color: bool | str = "auto",
        progress: str = "auto",
        curl: bool = False,
        curl_run: RunConnection | None = None,
        dump_failures: bool = False,
        name: str | None = None,
    ) -> None:
        self.stream = stream or sys.stdout
        self.name = name  # leads the summary line: one collection of several
        self.masker = masker
        self.verbosity = verbosity
        self.curl = curl  # each request as a curl command
        self.curl_run = curl_run  # with the run's TLS and --connect-to options
        self.dump_failures = dump_failures  # --verbose=failures: exchanges of failures only
        tty = self.stream.isatty() if hasattr(self.stream, "isatty") else False
        self.color = use_color(color, tty) if isinstance(color, str) else color
        # The live line (done/total, failures, request in flight, ETA): TTYs outside CI.
        self.live = (
            LiveLine(self._out_flush, self.color)
            if verbosity >= 1 and live_progress_wanted(progress, tty)
            else None
        )
        self.total = 0
        self.done = 0
        self._closed = False

    def _out(self, text: str, *, flush: bool = False) -> None:
        """Writes to the stream; a closed pipe (`runner run | head`) ends console output only.

        The run goes on, so the reports are complete and the exit status tells the truth.
        """
        if self._closed:
            return
        try:
            self.stream.write(text)
            if flush:
                self.stream.flush()
        except BrokenPipeError:
            self._closed = True
            if self.stream is sys.stdout:
                # Python flushes stdout again at exit: point it at /dev/null first.
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)

    def _out_flush(self, text: str) -> None:
        self._out(text, flush=True)

    def _c(self, text: str, color: str) -> str:
        text = printable(text)
        return f"\x1b[{_COLORS[color]}m{text}\x1b[0m" if self.color else text

    def _write(self, text: str) -> None:
        line = self.masker.mask(text) + "\n"
        if self.live is not None:
            self.live.print(line)
        else:
            self._out(line)

    def step_started(self, key: object, label: str) -> None:
        """Shows a request as in flight on the live line."""
        if self.live is not None:
            self.live.begin(key, label)

    def step_ended(self, key: object) -> None:
        """Takes a request off the live line's in-flight list."""
        if self.live is not None:
            self.live.end(key)

    def start(self, info: RunInfo) -> None:
        """Prints the run's header."""
        self.total = info.steps * info.iterations
        if self.live is not None:
            self.live.start(self.total)
        if self.verbosity >= 1:
            extra = f", {counted(info.iterations, 'iteration')}" if info.iterations > 1 else ""
            steps = counted(info.steps, "request")
            self._write(self._c(f"{info.collection}", "bold") + f" ({steps}{extra})")

    def result(self, result: ItemResult) -> None:
        """Prints one result line, then its failures and errors."""
        if result.kind == "request":
            self.done += 1
            if self.live is not None:
                self.live.count(result.ok or result.skipped)
        if self.verbosity >= 1 or not result.ok:
            self._write(self._line(result))
            for line in self._details(result):
                self._write(line)
        if self.live is not None:
            self.live.draw()

    def _line(self, result: ItemResult) -> str:
        name = (
            " › ".join((*result.path, result.display_name))
            if result.kind == "request"
            else result.name
        )
        if result.skipped:
            return self._c(f"  - {name} (skipped: {result.skip_reason})", "dim")
        mark = self._c("✔", "green") if result.ok else self._c("✘", "red")
        status = f"{result.status} {result.reason}".strip() if result.status is not None else "—"
        timing = f"{result.elapsed_ms:.0f} ms"
        count = len(result.attempts)
        retries = f" ({count} {'retry' if count == 1 else 'retries'})" if count else ""
        if result.operation is not None:
            retries += f" ({result.operation.describe()})"
        plain = printable(f"{name}  {result.method} {result.url}  {status}")
        return f"  {mark} {plain}  {timing}{retries}"

    def _details(self, result: ItemResult) -> list[str]:
        lines: list[str] = []
        for assertion in result.assertions:
            if not assertion.passed and not assertion.skipped:
                text = assertion.message or f"{assertion.name} failed"
                lines.append(self._c(f"      ✘ {text}", "red"))
            elif self.verbosity >= 2:
                lines.append(self._c(f"      ✔ {assertion.name}", "dim"))
        if result.error:
            lines.append(self._c(f"      error: {result.error}", "red"))
        if result.hint:
            lines.append(self._c(f"      hint: {result.hint}", "yellow"))
        for attempt in result.attempts:
            if self.verbosity >= 2 or not result.ok:
                got = attempt.status if attempt.status is not None else attempt.error
                lines.append(self._c(f"      retry: {got} ({attempt.reason})", "dim"))
        if result.operation is not None and (self.verbosity >= 2 or not result.ok):
            lines.extend(self._c(f"      {line}", "dim") for line in _polls(result.operation))
        if self.verbosity >= 1:
            lines.extend(
                self._c(f"      {line}", "yellow")
                for line in result.console
                if line.startswith("warning")
            )
        if self.verbosity >= 2:
            lines.extend(
                printable(f"      {line}")
                for line in result.console
                if not line.startswith("warning")
            )
        if self.verbosity >= 2 or (self.dump_failures and not result.ok):
            lines.extend(self._exchange(result))
        if self.curl and result.exchange is not None:
            from runner.report.curl import curl_command

            command = curl_command(result.exchange, self.masker, self.curl_run)
            prompt = "" if command.startswith("#") else "$ "  # a comment is no command
            lines.append(self._c(f"      {prompt}{command}", "cyan"))
        return lines

    def _exchange(self, result: ItemResult) -> list[str]:
        ex = result.exchange
        if ex is None:
            return []
        lines = [f"      > {ex.method} {ex.url}"]
        lines.extend(f"      > {k}: {v}" for k, v in self.masker.mask_headers(ex.request_headers))
        if ex.request_body:
            lines.extend(
                f"      > {line}" for line in _shown_body(ex.request_body, ex.request_view)
            )
        if ex.request_parts:
            count = len(ex.request_parts)
            lines.append(f"      > multipart body, {count} part{'' if count == 1 else 's'}:")
            lines.extend(f"      >   {shown_part(part)}" for part in ex.request_parts)
        # The chain, hop by hop, before the response it ended with.
        lines.extend(
            f"      ↪ {shown_redirect(number, hop)}"
            for number, hop in enumerate(ex.redirects, start=1)
        )
        first = result.operation.first if result.operation is not None else None
        if first is not None:  # the operation's polls are listed above the exchange
            started = "(the first answer: it started the operation)"
            lines.append(f"      < {first.status} {first.reason} {started}")
            lines.extend(f"      < {k}: {v}" for k, v in self.masker.mask_headers(first.headers))
            if first.body:
                lines.extend(f"      < {line}" for line in _shown_body(first.body, first.view))
        if ex.final_request is not None:
            final = ex.final_request
            lines.append(f"      ↪ final request: {final.method} {final.url}")
        lines.extend(f"      < {k}: {v}" for k, v in self.masker.mask_headers(ex.response_headers))
        if ex.response_body:
            lines.extend(
                f"      < {line}" for line in _shown_body(ex.response_body, ex.response_view)
            )
        return [printable(line) for line in lines]

    def notice(self, message: str) -> None:
        """Prints what the run is waiting for (a long retry wait), while it waits."""
        if self.verbosity >= 1:
            self._write(self._c(f"  … {message}", "dim"))

    def warning(self, message: str) -> None:
        """Prints a warning."""
        self._write(self._c(f"warning: {message}", "yellow"))

    def overall(self, runs: Sequence[RunResult], total: RunResult) -> None:
        """Prints the total line of several collections run as one (after their own
        summaries): how many passed, the counts summed, and which did not pass."""
        s = total.summary
        passed = sum(1 for run in runs if run.exit_status == 0)
        verdict = (
            "interrupted" if s.interrupted else ("passed" if passed == len(runs) else "failed")
        )
        from runner.report.many import unique_names

        # Named as their summary lines name them: two of one name are told apart.
        names = unique_names([run.collection for run in runs])
        others = [name for run, name in zip(runs, names, strict=True) if run.exit_status != 0]
        parts = [
            counted(len(runs), "collection"),
            self._c(f"{passed} passed", "green" if not others else "red"),
            *self._counts(s),
        ]
        if s.skipped:
            parts.append(f"{s.skipped} skipped")
        line = f"TOTAL {verdict.upper()}: " + ", ".join(parts) + f" in {s.duration_ms / 1000:.2f} s"
        if others:
            line += " (not passed: " + ", ".join(others) + ")"
        self._write("\n" + self._c(line, "green" if verdict == "passed" else "red"))
        self._out("", flush=True)

    def _counts(self, s: Summary) -> list[str]:
        """Returns the counts of a summary line: requests, assertions, failed, errors."""
        return [
            counted(s.requests, "request"),
            counted(s.assertions, "assertion"),
            self._c(f"{s.assertions_failed} failed", "red" if s.assertions_failed else "green"),
            self._c(counted(s.errors, "error"), "red" if s.errors else "green"),
        ]

    def finish(self, run: RunResult) -> None:
        """Stops the live line and prints the summary."""
        if self.live is not None:
            self.live.stop()
            self.live = None
        s = run.summary
        parts = self._counts(s)
        if s.tokens:
            parts.insert(1, counted(s.tokens, "token request"))
        if s.skipped:
            parts.append(f"{s.skipped} skipped")
        verdict = (
            "interrupted" if s.interrupted else ("passed" if run.exit_status == 0 else "failed")
        )
        color = "green" if verdict == "passed" else "red"
        by = f" by {s.signal}" if s.interrupted and s.signal == "SIGTERM" else ""
        named = self._c(self.name, "bold") + " " if self.name is not None else ""
        self._write(
            named
            + self._c(verdict.upper(), color)
            + by
            + ": "
            + ", ".join(parts)
            + f" in {s.duration_ms / 1000:.2f} s"
        )
        self._out("", flush=True)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters (NUL, BEL, ESC of ANSI sequences, CR…): shown escaped, never sent to
the terminal, where they would ring, recolour or overwrite lines. Tab and newline stay."""


def printable(text: str) -> str:
    """Returns `text` with control characters written as escapes (`\\x1b`, `\\x00`)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _polls(operation: Operation) -> list[str]:
    """Returns one line per poll of a long-running operation, and where its result came from."""
    lines = [
        printable(
            f"poll {n}: GET {p.url} → {p.status} {p.state} after "
            f"{p.waited_ms:.0f} ms wait, {p.elapsed_ms:.0f} ms"
        )
        for n, p in enumerate(operation.polls, 1)
    ]
    if operation.final_url:
        lines.append(printable(f"result: GET {operation.final_url}"))
    return lines


def shown_redirect(number: int, hop: Redirect) -> str:
    """Returns one line for a redirect followed: `redirect 1: POST URL → 302, Location: …`."""
    return (
        f"redirect {number}: {hop.method} {hop.url} → {hop.status}, "
        f"Location: {hop.location or '(none)'}"
    )


def shown_part(part: Part) -> str:
    """Returns one line for a multipart part: name, file, type, size, a text preview."""
    pieces = [f"{part.name!r}"]
    if part.filename is not None:
        pieces.append(f"file {part.filename!r}")
    if part.content_type:
        pieces.append(part.content_type)
    pieces.append(f"{part.size} byte{'' if part.size == 1 else 's'}")
    line = ", ".join(pieces)
    if part.preview is None:
        return line + " (binary)" if part.size else line
    return f"{line}: {part.preview!r}"


def _shown_body(body: str, view: BodyView | None) -> list[str]:
    """Returns a body's lines as --verbose shows them (see body_view), and a line saying
    how much more there was; `view` is the engine's, made from a body longer than `body`."""
    shown = view if view is not None else body_view(body)
    lines = shown.text.splitlines() or [""]
    if shown.left_out:
        lines.append(f"… {shown.left_out} more characters")
    return lines
