"""What a run is asked to do: its options and the steps it selects (a leaf of the engine)."""

from __future__ import annotations

import re
import shlex
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from typing import TYPE_CHECKING

from runner.errors import InputError
from runner.model import Certificate, Collection, Folder, Item, Step, flatten, quote_name
from runner.records import record
from runner.suggest import did_you_mean
from runner.values import JSON

if TYPE_CHECKING:
    from runner.transport.cert_list import CertificateRule


@record
class Selection:
    """Which requests run: `--folder` paths, `--tag`/`--exclude-tag`, `--grep` (all AND-ed).

    A folder path is folder (or request) names joined by "/" ("Users/Admin"); a "/" inside a
    name is written `\\/` (a backslash as `\\\\`); a leading "/" anchors at the collection's
    top. A path may leave out leading folders when it stays unique. Several folders: any of
    them. Tags are a request's own and its folders'; several `--tag`: any of them.
    `--grep` is a case-insensitive regular expression searched in "Folder/Sub/Request";
    several `--grep`: any of them.
    """

    folders: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    grep: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.folders or self.tags or self.exclude_tags or self.grep)

    def describe(self) -> str:
        """Returns the selection as the options that make it, e.g. `--tag smoke --grep user`."""
        parts = [f"--folder {shlex.quote(f)}" for f in self.folders]
        parts += [f"--tag {shlex.quote(t)}" for t in self.tags]
        parts += [f"--exclude-tag {shlex.quote(t)}" for t in self.exclude_tags]
        parts += [f"--grep {shlex.quote(g)}" for g in self.grep]
        return " ".join(parts)


@record(hashable=False)
class RunOptions:
    """How to run: iterations, data, parallelism, network settings."""

    iterations: int | None = None
    data: Sequence[Mapping[str, JSON]] | None = None
    parallel: int = 1
    #: Which requests run (--folder, --tag, --exclude-tag, --grep).
    selection: Selection = field(default_factory=Selection)
    bail: bool = False
    timeout_request_ms: int | None = None
    delay_request_ms: int = 0
    retries: int = 0
    #: The longest wait before a retry (None: the default, 10 s), whatever Retry-After asks.
    retry_max_wait_ms: int | None = None
    insecure: bool = False
    ca_bundle: str | None = None
    connect_to: Mapping[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    follow_redirects: bool = True
    keep_results: bool = True
    keep_exchange: bool = True
    #: The console shows bodies (--verbose): see StepContext.body_views.
    body_views: bool = False
    module_paths: Sequence[str] = ()
    script_timeout_ms: int = 5000
    working_dir: str | None = None
    #: Mutual TLS: (certificate PEM, unencrypted key PEM), from --cert/--key/--cert-password.
    client_cert: tuple[str, str] | None = None
    #: The collection's own `certificate` settings, each read into (certificate, key) PEMs.
    certificates: Mapping[Certificate, tuple[str, str]] = field(default_factory=dict)
    #: --ssl-client-cert-list: certificates chosen by URL (for requests with no setting).
    certificate_list: Sequence[CertificateRule] = ()
    #: A request that asserts nothing fails (without it: one warning names them).
    require_assertions: bool = False
    #: A deadline for the whole run (Newman's --timeout): what has not run by then is skipped.
    run_timeout_ms: int | None = None
    #: (index, total), 1-based: run only this share of the selected requests (CI matrices).
    shard: tuple[int, int] | None = None
    #: "request" splits the request list; "folder" keeps each top-level folder whole.
    shard_by: str = "request"
    #: False (--no-cookies): the run keeps no cookie jar, so no request sends or keeps one.
    cookies: bool = True
    #: A Netscape cookies.txt read into the jar before the run and written after it.
    cookie_jar: str | None = None
    #: When the deadline of --timeout falls (time.monotonic()), if not `run_timeout_ms` from
    #: the start: collections run one after another share one deadline.
    run_deadline: float | None = None
    #: Runs in worker threads (`--jobs`) never see Ctrl-C or SIGTERM: the main thread
    #: passes it on through this, and each run stops as that signal would have stopped it.
    interrupt: Interrupt | None = None


class Interrupt:
    """A signal the main thread passes on to runs in worker threads: asked before each
    request, and it sets each watching run's stop event, so long waits end at once."""

    def __init__(self) -> None:
        self.signal: str | None = None
        self._events: list[threading.Event] = []
        self._lock = threading.Lock()

    def watch(self, stop: threading.Event) -> None:
        """Sets `stop` when the signal comes (at once if it came already)."""
        with self._lock:
            self._events.append(stop)
            if self.signal is not None:
                stop.set()

    def set(self, signal: str) -> None:
        """Records the signal ("SIGINT" or "SIGTERM"; the first one stays) and stops the runs."""
        with self._lock:
            self.signal = self.signal or signal
            for stop in self._events:
                stop.set()

    def __call__(self) -> str | None:
        """Returns the signal to stop with, or None."""
        return self.signal


def _split_path(text: str) -> tuple[bool, list[str]]:
    """Returns (anchored, segments) of a `--folder` path; `\\/` and `\\\\` are escapes."""
    segments: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and text[i + 1 : i + 2] in ("/", "\\"):
            current.append(text[i + 1])
            i += 2
            continue
        if char == "/":
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    segments.append("".join(current))
    anchored = len(segments) > 1 and segments[0] == ""
    if anchored:
        segments = segments[1:]
    if len(segments) > 1 and segments[-1] == "":
        segments = segments[:-1]  # "Users/" is the folder Users
    return anchored, segments


@record
class _Node:
    """A folder or request of the collection: its names from the top, and its steps."""

    names: tuple[str, ...]
    id: str
    first: int  # the range of flatten() indexes under the node
    end: int

    @property
    def path(self) -> str:
        return "/".join(quote_name(n) for n in self.names)


def _nodes(items: tuple[Item, ...], above: tuple[str, ...], start: int, out: list[_Node]) -> int:
    """Appends every folder and request below `items` to `out`; returns the next step index."""
    index = start
    for item in items:
        names = (*above, item.name)
        if isinstance(item, Folder):
            end = _nodes(item.items, names, index, out)
            out.append(_Node(names, item.id, index, end))
            index = end
        else:
            out.append(_Node(names, item.id, index, index + 1))
            index += 1
    return index


def _find(text: str, nodes: list[_Node]) -> list[_Node]:
    """Returns the nodes `--folder text` names; raises InputError when none or several do."""
    anchored, segments = _split_path(text)
    if "" in segments:
        raise InputError(
            f"--folder '{text}': a path has an empty name",
            hint='write folder names joined by "/", e.g. --folder "Users/Admin"',
        )
    size = len(segments)
    found = [
        n
        for n in nodes
        if (list(n.names) == segments if anchored else list(n.names[-size:]) == segments)
    ]
    if not found:  # a name with a "/" in it written as is, or a Postman id (as Newman takes)
        found = [n for n in nodes if n.names[-1] == text or (n.id and n.id == text)]
    paths = sorted({n.path for n in found})
    if len(paths) > 1:
        shown = "\n".join(f"    --folder {shlex.quote('/' + p)}" for p in paths[:20])
        raise InputError(
            f"--folder '{text}' is ambiguous: {len(paths)} folders or requests have that name",
            hint=f"name one by its path:\n{shown}",
        )
    if not found:
        every = [n.path for n in nodes]
        guess = did_you_mean(text, every) or did_you_mean(
            segments[-1], [n.names[-1] for n in nodes]
        )
        tops = sorted({quote_name(n.names[0]) for n in nodes})
        raise InputError(
            f"--folder '{text}': no folder or request of that name",
            hint=f"did you mean '{_full(guess, nodes)}'?"
            if guess
            else "top-level folders and requests: " + ", ".join(tops),
        )
    return found


def _full(guess: str, nodes: list[_Node]) -> str:
    """Returns the path to show for a did-you-mean that may be a bare name."""
    paths = [n.path for n in nodes if n.path == guess or n.names[-1] == guess]
    return paths[0] if len(paths) == 1 else guess


def select_steps(
    collection: Collection, selection: Selection, warnings: list[str] | None = None
) -> list[Step]:
    """Returns the steps `selection` picks, in run order (all of them without a selection).

    A `--tag` or `--exclude-tag` that no request or folder carries adds a warning to
    `warnings` (a typo must not pass unnoticed).

    Raises:
        InputError: an unknown or ambiguous folder, an invalid --grep, or a selection that
            picks no request at all (saying how many each option kept).
    """
    steps = flatten(collection.items)
    if not selection:
        return steps
    keep = [True] * len(steps)
    counts: list[str] = []

    def narrow(flag: str, test: Callable[[int, Step], bool]) -> None:
        for i, step in enumerate(steps):
            keep[i] = keep[i] and test(i, step)
        counts.append(f"{flag} keeps {sum(keep)}")

    if selection.folders:
        nodes: list[_Node] = []
        _nodes(collection.items, (), 0, nodes)
        inside = [False] * len(steps)
        for text in selection.folders:
            for node in _find(text, nodes):
                inside[node.first : node.end] = [True] * (node.end - node.first)
        narrow("--folder", lambda i, s: inside[i])
    known_tags = {t for s in steps for t in s.tags}
    if selection.tags:
        wanted = set(selection.tags)
        narrow("--tag", lambda i, s: bool(wanted & set(s.tags)))
    if selection.exclude_tags:
        unwanted = set(selection.exclude_tags)
        narrow("--exclude-tag", lambda i, s: not unwanted & set(s.tags))
    if selection.grep:
        patterns = [grep_pattern(text) for text in selection.grep]
        narrow("--grep", lambda i, s: any(p.search(full_name(s)) for p in patterns))
    unknown = [
        _unknown_tag(flag, name, known_tags, collection)
        for flag, names in (("--tag", selection.tags), ("--exclude-tag", selection.exclude_tags))
        for name in names
        if name not in known_tags
    ]
    chosen = [s for k, s in zip(keep, steps, strict=True) if k]
    if not chosen:
        raise InputError(
            f"{selection.describe()}: selects no request of the {len(steps)} in "
            f"{collection.name!r} ({', then '.join(counts)})",
            hint="; ".join(unknown)
            or "the options combine with AND: each one narrows what the others select",
        )
    if warnings is not None:
        warnings.extend(unknown)
    return chosen


def full_name(step: Step) -> str:
    """Returns the path `--grep` searches: "Folder/Sub/Request" (names as written)."""
    return "/".join((*step.path, step.request.name))


def _unknown_tag(flag: str, name: str, known: set[str], collection: Collection) -> str:
    """Returns the sentence for a tag no request or folder carries."""
    if not known:
        where = " (Postman collections carry no tags)" if collection.dialect == "postman" else ""
        return f"{flag} {name}: no request or folder has tags{where}"
    guess = did_you_mean(name, sorted(known))
    return f"{flag} {name}: no request or folder has that tag" + (
        f"; did you mean '{guess}'?" if guess else f" (tags: {', '.join(sorted(known))})"
    )


def grep_pattern(text: str) -> re.Pattern[str]:
    """Returns `--grep`'s pattern, case-insensitive; raises InputError when it is not one."""
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise InputError(
            f"--grep {text!r}: invalid regular expression: {exc}",
            hint=r"a Python regular expression, e.g. --grep 'user|group' or --grep '^Admin/'; "
            r"escape special characters with \ (e.g. '\(v2\)')",
        ) from None


def parse_shard(text: str) -> tuple[int, int]:
    """Returns (index, total) from `--shard i/n`; raises InputError unless 1 <= i <= n."""
    index, sep, total = text.partition("/")
    if sep and index.strip().isdigit() and total.strip().isdigit():
        i, n = int(index), int(total)
        if 1 <= i <= n:
            return i, n
    raise InputError(
        f"--shard {text}: expected i/n with 1 <= i <= n",
        hint="e.g. --shard 2/4 runs the second of four equal shares",
    )


def shard_steps(steps: Sequence[Step], index: int, total: int, by: str = "request") -> list[Step]:
    """Returns shard `index` of `total` (1-based): contiguous, disjoint, together all `steps`.

    By request, shares differ in size by at most one. By folder, each top-level folder (and
    each request outside a folder) is one unit that goes whole to the share its middle falls
    in, so requests that capture values for later ones in their folder stay together.
    """
    count = len(steps)
    if count == 0:
        return []
    if by == "request":
        return list(steps[(index - 1) * count // total : index * count // total])
    units: list[list[Step]] = []
    for step in steps:
        key = step.path[0] if step.path else None
        if units and key is not None and (units[-1][0].path[:1] == (key,)):
            units[-1].append(step)
        else:
            units.append([step])
    chosen: list[Step] = []
    before = 0
    for unit in units:
        # The share this unit's midpoint falls into: deterministic and balanced by requests.
        share = int((before + len(unit) / 2) * total // count) + 1
        if share == index:
            chosen.extend(unit)
        before += len(unit)
    return chosen
