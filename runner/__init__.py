"""runner: run collections of HTTP requests with assertions, tokens and reports.

from runner import run
result = run("collections/graph-users.json", "environments/emulator.json")
assert result.exit_status == 0, result.failures
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.version import __version__

__all__ = ["RunResult", "__version__", "run"]

if TYPE_CHECKING:
    from runner.api import run
    from runner.results import RunResult


def __getattr__(name: str) -> object:
    # Imported on first use, so `runner --help` does not pay for the run machinery.
    if name == "run":
        from runner.api import run

        return run
    if name == "RunResult":
        from runner.results import RunResult

        return RunResult
    raise AttributeError(f"module 'runner' has no attribute {name!r}")
