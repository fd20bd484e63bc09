"""Results of a run: values the run loop produces and reporters consume.

The Python API hands these to its callers: `RunResult` (the run), `ItemResult` (one
request in one iteration; `RequestResult` is the same class), `TokenResult` (one token
acquisition), `AssertionResult` (one assertion), `Attempt` (one retried try) and `Operation` (the
Azure long-running operation a request waited for, with its `Poll`s).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import field
from typing import Literal

from runner.records import record
from runner.status import ExitStatus
from runner.values import JSON

Kind = Literal["request", "token"]

BODY_LIMIT = 4000
"""Characters of a request or response body (and of an assertion's actual text) kept for
reports; the rest is replaced by a marker saying how much was left out."""


def capped(text: str, limit: int = BODY_LIMIT) -> str:
    """Returns `text`, or its first `limit` characters and a marker of how many more there were.

    Mask before capping: a secret cut in two would no longer be recognised.
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters of {len(text)} not shown]"


_CAPPED = re.compile(r"… \[(\d+) more characters of (\d+) not shown\]\Z")


def uncapped(text: str) -> tuple[str, int | None]:
    """Returns the kept part of a `capped` text and its whole length (None: it is whole)."""
    marker = _CAPPED.search(text)
    if marker is None or marker.start() + int(marker[1]) != int(marker[2]):
        return text, None
    return text[: marker.start()], int(marker[2])


VERBOSE_BODY = 2000
"""Characters of a body --verbose shows."""

EXEC = "EXEC"
"""The method of a step that ran a program instead of sending an HTTP request (the Azure
CLI's token); its exchange's `url` is the command line it ran."""

CONSOLE_ONLY = {"report": False}
"""The metadata of a field the console shows and the report files leave out."""


@record(hashable=False)
class BodyView:
    """The start of a body as --verbose shows it, and how many more characters there were."""

    text: str
    left_out: int = 0


def body_view(body: str, limit: int = VERBOSE_BODY) -> BodyView:
    """Returns `body` as --verbose shows it: JSON pretty-printed, then cut to `limit` characters.

    Pass the whole body (masked), never a capped one: a cut JSON text no longer parses, and
    what is left out is counted in the pretty-printed text.
    """
    text = body
    if body[:1] in "{[":
        with suppress(ValueError):  # not JSON after all: shown as it is
            text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    return BodyView(text[:limit], max(0, len(text) - limit))


@record(hashable=False)
class AssertionResult:
    """One assertion: what was expected, what was found, whether it held."""

    name: str
    passed: bool
    expected: JSON = None
    actual: JSON = None
    message: str = ""
    skipped: bool = False

    @property
    def compares(self) -> bool:
        """Returns whether it compares values: False for a script's test or the
        --require-assertions failure, whose expected and actual are both None."""
        return self.expected is not None or self.actual is not None


@record(hashable=False)
class Attempt:
    """One try of a request that was retried: its status or error, and why it was retried."""

    status: int | None
    error: str | None
    reason: str
    waited_ms: float = 0.0


@record(hashable=False)
class Poll:
    """One poll of a long-running operation: where, what it said, and the pause before it."""

    url: str
    status: int
    state: str  # InProgress, Succeeded, Failed, Canceled (or the service's own word)
    waited_ms: float
    elapsed_ms: float


@record(hashable=False)
class Answer:
    """A response besides the exchange's: its status, headers and body (masked, capped)."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: str
    #: --verbose's view of a body longer than the reports keep (see Exchange.response_view).
    view: BodyView | None = field(default=None, repr=False, metadata=CONSOLE_ONLY)


@record(hashable=False)
class Operation:
    """The Azure long-running operation a request waited for (`lro`), poll by poll."""

    via: str  # Azure-AsyncOperation, Operation-Location, Location (headers) or provisioningState
    url: str  # the status monitor polled
    state: str  # the last state seen: Succeeded, Failed, Canceled, or InProgress if cut short
    polls: list[Poll] = field(default_factory=list)
    waited_ms: float = 0.0  # the pauses between polls (Retry-After or intervalMs)
    final_url: str | None = None  # fetched once the operation succeeded (PUT/PATCH/POST)
    error: str | None = None  # the operation's own error: "Code: message"
    #: The answer that started the operation (202 with its Location, Retry-After…); the
    #: exchange's response is the operation's final one.
    first: Answer | None = None

    def describe(self) -> str:
        """Returns e.g. `operation Succeeded after 3 polls in 2.5 s via Azure-AsyncOperation`."""
        count = len(self.polls)
        took = sum(p.elapsed_ms for p in self.polls) + self.waited_ms
        return (
            f"operation {self.state} after {count} poll{'' if count == 1 else 's'} in "
            f"{took / 1000:.1f} s via {self.via}"
        )


@record(hashable=False)
class Redirect:
    """One redirect followed on the way to the response: the request and where it was sent."""

    method: str
    url: str
    status: int
    location: str


@record(hashable=False)
class RequestLine:
    """The method and URL of a request."""

    method: str
    url: str


@record(hashable=False)
class Part:
    """A multipart part as reports show it: what it is, never its bytes."""

    name: str
    filename: str | None
    content_type: str | None
    size: int
    #: The start of a text part (masked, then cut); None for a binary one.
    preview: str | None = None


@record(hashable=False)
class Sending:
    """How a request was sent besides its method, URL, headers and body: the TLS and
    redirect settings `--curl` repeats (None: the run's own, from the command line)."""

    #: False: the server's certificate was not checked (verify_tls false).
    verify: bool | None = None
    #: The client certificate's (certificate PEM, key PEM) files; False: none was presented.
    client_cert: tuple[str, str] | Literal[False] | None = None
    follow_redirects: bool = True
    max_redirects: int | None = None
    #: Redirects kept the method (Postman's followOriginalHttpMethod).
    keep_method: bool = False
    #: Each redirect sent the redirecting URL as Referer (as Postman does).
    referer: bool = False
    #: The user of HTTP Digest auth, whose challenge the transport answered (None: none).
    digest_user: str | None = None


@record(hashable=False)
class Exchange:
    """What was sent and received, kept for reports (masked before it is written)."""

    method: str
    url: str
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: str | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: str | None = None
    #: The redirects followed before the response, in order.
    redirects: list[Redirect] = field(default_factory=list)
    #: The request the response answers when it is not the one above (None: it is): where
    #: the redirects led, with the method they left.
    final_request: RequestLine | None = None
    #: The parts of a multipart request body (its request_body is then None).
    request_parts: list[Part] = field(default_factory=list)
    #: --verbose's view of a body longer than the reports keep, made while the whole body
    #: was at hand (None: the body above is whole, the console makes the view from it).
    request_view: BodyView | None = field(default=None, repr=False, metadata=CONSOLE_ONLY)
    response_view: BodyView | None = field(default=None, repr=False, metadata=CONSOLE_ONLY)
    sending: Sending = field(default_factory=Sending, repr=False, metadata=CONSOLE_ONLY)


@record(hashable=False)
class ItemResult:
    """The outcome of one request (or token acquisition) in one iteration."""

    name: str
    path: tuple[str, ...]
    iteration: int
    kind: Kind = "request"
    method: str = ""
    url: str = ""
    status: int | None = None
    reason: str = ""
    elapsed_ms: float = 0.0
    assertions: list[AssertionResult] = field(default_factory=list)
    captures: dict[str, JSON] = field(default_factory=dict)
    error: str | None = None
    hint: str | None = None
    skipped: bool = False
    skip_reason: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    exchange: Exchange | None = None
    operation: Operation | None = None
    console: list[str] = field(default_factory=list)
    started_at: float = 0.0

    @property
    def failed(self) -> bool:
        """Returns True when an assertion failed (a failure, not an error)."""
        return any(not a.passed and not a.skipped for a in self.assertions)

    @property
    def ok(self) -> bool:
        """Returns True when nothing failed or errored."""
        return self.error is None and not self.failed

    @property
    def outcome(self) -> str:
        """Returns `skipped`, `error`, `failed` or `passed`, in that order of precedence."""
        if self.skipped:
            return "skipped"
        if self.error:
            return "error"
        return "failed" if self.failed else "passed"

    @property
    def display_name(self) -> str:
        """Returns the name with the iteration, `Name [2]` from the second iteration on."""
        return self.name if self.iteration <= 1 else f"{self.name} [{self.iteration}]"


RequestResult = ItemResult
"""The result of one request in one iteration (the name the Python API documents)."""


@record(hashable=False)
class TokenResult(ItemResult):
    """One token acquisition: `name` is `token: <client> → <scope or resource>`, `path` is
    `("auth",)`, `error`/`hint` say why it failed; never has assertions."""

    kind: Kind = "token"


@record(hashable=False)
class Summary:
    """Counts for the whole run; kept incrementally so memory stays flat."""

    requests: int = 0
    tokens: int = 0
    assertions: int = 0
    assertions_failed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    iterations: int = 0
    duration_ms: float = 0.0
    interrupted: bool = False
    signal: str | None = None  # what interrupted the run: SIGINT (Ctrl-C) or SIGTERM
    #: --timeout ran out: the requests not yet run were skipped, and the run fails.
    timed_out: bool = False
    warnings: list[str] = field(default_factory=list)

    def add(self, result: ItemResult) -> None:
        """Counts `result`."""
        if result.skipped:
            self.skipped += 1
            return
        if result.kind == "token":
            self.tokens += 1
        else:
            self.requests += 1
        self.assertions += sum(1 for a in result.assertions if not a.skipped)
        failures = sum(1 for a in result.assertions if not a.passed and not a.skipped)
        self.assertions_failed += failures
        if result.error is not None:
            self.errors += 1
        elif failures:
            self.failed += 1

    @property
    def exit_status(self) -> ExitStatus:
        """Returns the process exit status the run earned."""
        if self.interrupted:
            if self.signal == "SIGTERM":
                return ExitStatus.TERMINATED
            return ExitStatus.INTERRUPTED
        if self.failed or self.errors or self.timed_out:
            return ExitStatus.FAILED
        return ExitStatus.SUCCESS


@record(hashable=False)
class RunResult:
    """A whole run: the summary and (when kept) every item result in order."""

    collection: str
    summary: Summary
    results: list[ItemResult] = field(default_factory=list)
    #: The variables at the end of the run, by layer (globals, collection, environment, cli,
    #: data, runtime…): what --export-environment and --export-globals write. Unmasked (the
    #: next run needs the secrets), so left out of repr(): printing a result shows no secret.
    final_variables: dict[str, dict[str, JSON]] = field(default_factory=dict, repr=False)
    #: Hides the run's secrets (every form of them) in a text; results themselves are not
    #: masked, so whatever shows them outside the reporters (the pytest plugin) uses this.
    mask: Callable[[str], str] = field(default=str, repr=False)

    @property
    def exit_status(self) -> ExitStatus:
        """Returns the run's exit status."""
        return self.summary.exit_status

    @property
    def failures(self) -> list[ItemResult]:
        """Returns the results with a failed assertion."""
        return [r for r in self.results if r.failed and r.error is None]

    @property
    def errors(self) -> list[ItemResult]:
        """Returns the results that could not complete."""
        return [r for r in self.results if r.error is not None]

    @property
    def requests(self) -> list[ItemResult]:
        """Returns the request results (every iteration, skipped ones included), in run order."""
        return [r for r in self.results if r.kind == "request"]

    @property
    def tokens(self) -> list[ItemResult]:
        """Returns the token acquisitions, in run order."""
        return [r for r in self.results if r.kind == "token"]

    @property
    def passed(self) -> bool:
        """Returns True when every assertion held and every request completed."""
        return self.exit_status == ExitStatus.SUCCESS

    @property
    def warnings(self) -> list[str]:
        """Returns the warnings of loading and running (unresolved Postman variables, …)."""
        return self.summary.warnings

    def result(self, name: str, iteration: int = 1) -> ItemResult:
        """Returns the result of the request named `name` (or `Folder/name`) in `iteration`.

        Raises:
            KeyError: no such request ran in that iteration.
        """
        for item in self.requests:
            if item.iteration == iteration and name in (
                item.name,
                "/".join((*item.path, item.name)),
            ):
                return item
        raise KeyError(f"no request {name!r} in iteration {iteration}")


_COUNTERS = ("requests", "tokens", "assertions", "assertions_failed", "failed", "errors", "skipped")


def combined(runs: list[RunResult], name: str, duration_ms: float) -> RunResult:
    """Returns one RunResult totalling `runs` (collections run as one): counts summed, the
    first interruption's signal, warnings in order; its exit status is the worst of theirs."""
    total = Summary(duration_ms=duration_ms)
    for run in runs:
        s = run.summary
        for counter in _COUNTERS:
            setattr(total, counter, getattr(total, counter) + getattr(s, counter))
        total.iterations = max(total.iterations, s.iterations)
        total.timed_out = total.timed_out or s.timed_out
        if s.interrupted and not total.interrupted:
            total.interrupted, total.signal = True, s.signal
        total.warnings += s.warnings
    return RunResult(name, total, [r for run in runs for r in run.results])


class ManyResult:
    """Several collections run as one (`runner run a.json b.json`): a RunResult per
    collection in the order given, and `total`, the whole run's."""

    # A plain class, not a dataclass: making one costs every run's start-up, several or not.
    def __init__(self, runs: list[RunResult], total: RunResult) -> None:
        self.runs = runs
        self.total = total

    def __repr__(self) -> str:
        return f"ManyResult(runs={self.runs!r}, total={self.total!r})"

    @property
    def exit_status(self) -> ExitStatus:
        """Returns the worst exit status of the runs."""
        return self.total.exit_status
