"""runner: run collections of HTTP requests with assertions, tokens and reports.

    from runner import run
    result = run("collections/graph-users.json", "environments/emulator.json")
    assert result.passed, result.failures

The names below are imported on first use, so `runner --help` does not pay for the run
machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from runner.version import __version__

_EXPORTS = {
    "run": "runner.api",
    "run_many": "runner.api",
    "ManyResult": "runner.results",
    "load": "runner.api",
    "load_inputs": "runner.api",
    "get_token": "runner.api",
    "TokenCache": "runner.api",
    "Collection": "runner.model",
    "Environment": "runner.model",
    "RunResult": "runner.results",
    "ItemResult": "runner.results",
    "RequestResult": "runner.results",
    "TokenResult": "runner.results",
    "AssertionResult": "runner.results",
    "Attempt": "runner.results",
    "Summary": "runner.results",
    "InputError": "runner.errors",
    "InputErrors": "runner.errors",
    "RunnerError": "runner.errors",
}

__all__ = [
    "AssertionResult",
    "Attempt",
    "Collection",
    "Environment",
    "InputError",
    "InputErrors",
    "ItemResult",
    "ManyResult",
    "RequestResult",
    "RunResult",
    "RunnerError",
    "Summary",
    "TokenCache",
    "TokenResult",
    "__version__",
    "get_token",
    "load",
    "load_inputs",
    "run",
    "run_many",
]

if TYPE_CHECKING:
    from runner.api import TokenCache, get_token, load, load_inputs, run, run_many
    from runner.errors import InputError, InputErrors, RunnerError
    from runner.model import Collection, Environment
    from runner.results import (
        AssertionResult,
        Attempt,
        ItemResult,
        ManyResult,
        RequestResult,
        RunResult,
        Summary,
        TokenResult,
    )


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'runner' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
