"""Data exchanged between the run loop and the script engine.

The run loop fills a `ScriptContext`; `ScriptEngine.run` returns a `ScriptOutcome`.
Script errors are values (`ScriptError`), never exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Final, Literal

from runner.values import JSON

SendRequest = Callable[[dict[str, JSON]], dict[str, JSON]]
CookieJarCall = Callable[[dict[str, JSON]], JSON]
ConsoleSink = Callable[[str, str], None]


class _Unset(Enum):
    """Type of the UNSET sentinel (an enum so `is UNSET` narrows for mypy)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET


@dataclass
class ScriptContext:
    """Everything one script run sees; the variable dicts are written back in place."""

    event: Literal["prerequest", "test"]
    globals: dict[str, JSON]
    collection: dict[str, JSON]
    environment: dict[str, JSON]
    data: dict[str, JSON]
    locals: dict[str, JSON]
    request: dict[str, JSON]
    response: dict[str, JSON] | None
    info: dict[str, JSON]
    send_request: SendRequest | None = None
    #: The run's cookies for the request's URL (pm.cookies in a test script).
    cookies: list[dict[str, JSON]] = field(default_factory=list)
    #: Performs one pm.cookies.jar() call ({op, url, name, value}); raises ValueError.
    cookie_jar: CookieJarCall | None = None
    console: ConsoleSink | None = None
    script_name: str = ""
    #: A native collection's folder variables (read-only: pm.variables sees them between the
    #: collection's and the environment's, as <<name>> does).
    folder: dict[str, JSON] = field(default_factory=dict)
    #: --var values of a native collection: pm.variables sees them above the data row (they
    #: are environment values too); setting or unsetting the name in the environment drops it.
    overrides: dict[str, JSON] = field(default_factory=dict)


@dataclass
class TestResult:
    """One pm.test (or legacy tests[...]) result."""

    name: str
    passed: bool
    error: str | None = None
    skipped: bool = False


@dataclass
class ScriptError:
    """An uncaught error, a syntax error or a timeout of a script."""

    name: str
    message: str
    line: int | None = None
    api: str | None = None
    script: str = ""

    def __str__(self) -> str:
        where = self.script or "script"
        if self.line is not None:
            where += f", line {self.line}"
        return f"{where}: {self.name}: {self.message}"


@dataclass
class ScriptOutcome:
    """What a script did: test results, flow control, errors and the request after it."""

    tests: list[TestResult]
    next_request: str | _Unset | None
    error: ScriptError | None
    request: dict[str, JSON]
    skip_request: bool = False
    console: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Returns True when the script errored or any test failed."""
        return self.error is not None or any(not t.passed for t in self.tests)
