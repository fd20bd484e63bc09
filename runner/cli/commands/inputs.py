"""Loading everything a run needs, reporting all input problems together."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from runner.errors import InputError, InputErrors, RunnerError
from runner.model import Collection, Environment
from runner.values import JSON

Loaded = TypeVar("Loaded")


@dataclass
class Inputs:
    """The loaded collection, environment, globals, data and --var values."""

    collection: Collection
    environment: Environment | None = None
    globals_env: Environment | None = None
    data: list[dict[str, JSON]] | None = None
    variables: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def load_dotenv_file(path: str | None) -> None:
    """Loads a .env file into the process environment without overriding real variables."""
    if path is not None:
        if not Path(path).is_file():
            raise InputError(f"--dotenv {path}: file not found")
    elif Path(".env").is_file():
        path = ".env"
    else:
        return
    from dotenv import load_dotenv  # only when there is a file: importing it costs ~10 ms

    load_dotenv(path, override=False)


def parse_vars(pairs: list[str]) -> dict[str, str]:
    """Returns the --var NAME=VALUE pairs as a dict; raises InputError for a pair without '='."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(
                f"--var '{pair}' is not NAME=VALUE",
                hint="e.g. --var tenantId=contoso.onmicrosoft.com",
            )
        values[name.strip()] = value
    return values


def load_inputs(args: argparse.Namespace) -> Inputs:
    """Returns every input of a run, checked; raises InputErrors with all problems found."""
    from runner.load import load_collection, load_data, load_environment

    load_dotenv_file(getattr(args, "dotenv", None))
    problems: list[InputError] = []
    variables: dict[str, str] = {}
    try:
        variables = parse_vars(getattr(args, "var", []) or [])
    except InputError as exc:
        problems.append(exc)

    def attempt(loader: Callable[[str], Loaded], path: str | None) -> Loaded | None:
        if not path:
            return None
        try:
            return loader(path)
        except InputErrors as exc:
            problems.extend(exc.errors)
        except InputError as exc:
            problems.append(exc)
        return None

    collection = attempt(load_collection, args.collection)
    if not args.collection:
        problems.append(
            InputError("the collection file name is empty", hint="runner run COLLECTION_FILE")
        )
    environment = attempt(load_environment, getattr(args, "environment", None))
    globals_env = attempt(load_environment, getattr(args, "globals", None))
    lenient = collection is not None and collection.dialect == "postman"
    data = attempt(lambda p: load_data(p, lenient=lenient), getattr(args, "data", None))
    if problems:
        raise InputErrors(problems) if len(problems) > 1 else problems[0]
    assert collection is not None  # an empty or unloadable collection is a problem above
    inputs = Inputs(collection, environment, globals_env, data, variables)
    _preflight(inputs, getattr(args, "folder", None) or ())
    return inputs


def _preflight(inputs: Inputs, folders: list[str] | tuple[str, ...]) -> None:
    from runner.engine.options import select_steps
    from runner.engine.session import base_scope
    from runner.load.preflight import static_problems

    scope = base_scope(inputs.collection, inputs.environment, inputs.globals_env, inputs.variables)
    known = dict(scope.items())
    columns = {k for row in inputs.data or [] for k in row}
    # Only what will run: --folder Other must not fail on variables of other folders.
    selected = select_steps(inputs.collection, folders) if folders else None
    errors, warnings = static_problems(inputs.collection, known, columns, selected)
    inputs.warnings.extend(warnings)
    if errors:
        raise InputErrors(errors) if len(errors) > 1 else errors[0]


def error_junit(path: str, error: RunnerError, suite: str) -> None:
    """Writes a JUnit file holding one <error> testcase that says why nothing ran."""
    from runner.report.junit import write_error_junit

    text = error.render()
    write_error_junit(Path(path), suite, text.splitlines()[0], text)
