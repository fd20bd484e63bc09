"""The Python API: `runner.run(...)` for scripts and test suites."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runner.model import Collection, Environment
from runner.report import Reporter
from runner.results import RunResult
from runner.values import JSON


def run(
    collection: Collection | str | Path,
    environment: Environment | str | Path | None = None,
    variables: Mapping[str, JSON] | None = None,
    *,
    globals: Environment | str | Path | None = None,
    data: Sequence[Mapping[str, JSON]] | str | Path | None = None,
    reporters: Sequence[Reporter] = (),
    **options: Any,
) -> RunResult:
    """Returns the result of running `collection` (every request, assertion and error).

    Files are loaded and checked as `runner run` does (raising InputError/InputErrors
    for invalid input); a failed assertion is part of the result, never an exception.
    `options` are RunOptions fields, e.g. `iterations=3`, `bail=True`, `retries=2`.
    """
    from runner.engine.options import RunOptions
    from runner.engine.session import base_scope, run_collection
    from runner.errors import collect
    from runner.load import load_collection, load_data, load_environment
    from runner.load.preflight import static_problems

    if not isinstance(collection, Collection):
        collection = load_collection(collection)
    if environment is not None and not isinstance(environment, Environment):
        environment = load_environment(environment)
    if globals is not None and not isinstance(globals, Environment):
        globals = load_environment(globals)
    rows = load_data(Path(data)) if isinstance(data, str | Path) else data
    known = dict(base_scope(collection, environment, globals, variables).items())
    errors, _ = static_problems(collection, known, {k for row in rows or [] for k in row})
    collect(errors)
    return run_collection(
        collection,
        environment,
        globals_env=globals,
        variables=variables,
        options=RunOptions(data=rows, **options),
        reporters=reporters,
    )
