"""What a run is asked to do: its options and the steps it selects (a leaf of the engine)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from runner.errors import InputError
from runner.model import Collection, Step, flatten
from runner.suggest import did_you_mean
from runner.values import JSON


@dataclass
class RunOptions:
    """How to run: iterations, data, parallelism, network settings."""

    iterations: int | None = None
    data: Sequence[Mapping[str, JSON]] | None = None
    parallel: int = 1
    folders: Sequence[str] = ()
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
    module_paths: Sequence[str] = ()
    script_timeout_ms: int = 5000
    working_dir: str | None = None
    #: Mutual TLS: (certificate PEM, unencrypted key PEM), from --cert/--key/--cert-password.
    client_cert: tuple[str, str] | None = None
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


def select_steps(collection: Collection, folders: Sequence[str]) -> list[Step]:
    """Returns the steps to run, limited to the named folders when any are given."""
    steps = flatten(collection.items)
    if not folders:
        return steps
    wanted = set(folders)
    chosen = [s for s in steps if wanted & set(s.path) or s.request.name in wanted]
    found = {n for s in steps for n in s.path} | {s.request.name for s in steps}
    missing = sorted(wanted - found)
    if missing:
        guess = did_you_mean(missing[0], sorted(found))
        raise InputError(
            f"--folder '{missing[0]}': no folder or request of that name",
            hint=f"did you mean '{guess}'?" if guess else "folders: " + ", ".join(sorted(found)),
        )
    return chosen


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
