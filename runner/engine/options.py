"""What a run is asked to do: its options and the steps it selects (a leaf of the engine)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runner.errors import InputError
from runner.model import Collection, Step, flatten


@dataclass
class RunOptions:
    """How to run: iterations, data, parallelism, network settings."""

    iterations: int | None = None
    data: Sequence[Mapping[str, Any]] | None = None
    parallel: int = 1
    folders: Sequence[str] = ()
    bail: bool = False
    timeout_request_ms: int | None = None
    delay_request_ms: int = 0
    retries: int = 0
    insecure: bool = False
    ca_bundle: str | None = None
    connect_to: Mapping[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    follow_redirects: bool = True
    keep_results: bool = True
    keep_exchange: bool = True
    module_paths: Sequence[str] = ()
    script_timeout_ms: int = 5000
    working_dir: str | None = None


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
        from runner.suggest import did_you_mean

        guess = did_you_mean(missing[0], sorted(found))
        raise InputError(
            f"--folder '{missing[0]}': no folder or request of that name",
            hint=f"did you mean '{guess}'?" if guess else "folders: " + ", ".join(sorted(found)),
        )
    return chosen
