"""JavaScript syntax of scripts, checked before a run: V8 compiles each script, never runs it.

The source goes to V8's `Function` constructor as a string, which parses it as a function
body and returns the function without calling it: nothing in the script can run, even text
that tries to close the body early. Scripts with a top-level `await` are compiled as an
async function body, as the script engine runs them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

_HEADER = re.compile(r":(\d+): (\w*Error): (.*)")
_WRAPPER_LINES = 2
"""Lines V8's Function constructor puts before the body (`function anonymous(` and `) {`)."""
_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a script stops being JavaScript: 1-based line and column in the script itself."""

    line: int
    column: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"JavaScript syntax error at {where}: {self.message}"


def syntax_problems(sources: Iterable[str]) -> dict[str, SyntaxProblem]:
    """Returns the syntax problem of each source that has one (each distinct source once)."""
    unique = list(dict.fromkeys(sources))
    if not unique:
        return {}
    from runner.scripts._v8 import V8, V8Error

    v8 = V8()  # a bare context: no sandbox, no modules, nothing a script could reach
    found: dict[str, SyntaxProblem] = {}
    try:
        for source in unique:
            problem: SyntaxProblem | None = None
            for constructor in ("Function", "(async function () {}).constructor"):
                try:
                    v8.eval(f"{constructor}({json.dumps(source)}); 0", _TIMEOUT_MS)
                    problem = None
                    break
                except V8Error as exc:
                    problem = _problem(str(exc), source)
                    if "await is only valid" not in problem.message:
                        break
            if problem is not None:
                found[source] = problem
    finally:
        v8.close()
    return found


def _problem(report: str, source: str) -> SyntaxProblem:
    """Returns the problem V8 reported (`undefined:LINE: SyntaxError: …`, the line, a caret)."""
    lines = report.splitlines()
    header = _HEADER.search(lines[0]) if lines else None
    if header is None:
        return SyntaxProblem(1, None, lines[0] if lines else "does not compile")
    message = header.group(3).strip()
    line = int(header.group(1)) - _WRAPPER_LINES
    body = source.split("\n")
    if line > len(body):  # reported on the wrapper's closing line: the script ended too soon
        last = body[-1] if body else ""
        return SyntaxProblem(len(body), len(last) + 1, message)
    caret = lines[2] if len(lines) > 2 else ""
    column = caret.index("^") + 1 if "^" in caret else None
    return SyntaxProblem(max(line, 1), column, message)
