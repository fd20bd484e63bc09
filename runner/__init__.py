"""runner: run collections of HTTP requests with assertions, tokens and reports.

from runner import run
result = run("collections/graph-users.json", "environments/emulator.json")
assert result.exit_status == 0, result.failures
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["RunResult", "__version__", "run"]

if TYPE_CHECKING:
    from runner.api import run
    from runner.results import RunResult


def __getattr__(name: str) -> Any:
    # Imported on first use, so `runner --help` does not pay for the run machinery.
    if name == "RunResult":
        from runner.results import RunResult

        return RunResult
    raise AttributeError(f"module 'runner' has no attribute {name!r}")


class _Package(types.ModuleType):
    """The package, whose `run` stays the API function.

    `runner/run.py` (the run loop) is a submodule of the same name: when it is first
    imported, the import system binds it as the package's `run` attribute, and
    `from runner import run` gave that module instead of the function.
    """

    @property
    def run(self) -> Any:
        """Returns `runner.api.run`, imported on first use."""
        from runner.api import run

        return run

    @run.setter
    def run(self, module: Any) -> None:
        # The submodule stays reachable as sys.modules["runner.run"] (`from runner.run import`).
        pass


sys.modules[__name__].__class__ = _Package
