"""Translate between `ScriptContext`/`ScriptOutcome` and the sandbox's JSON reports."""

from __future__ import annotations

import json
import re

from runner.scripts.context import UNSET, ScriptContext, ScriptError, TestResult, _Unset
from runner.scripts.scan import Uses
from runner.values import JSON

_SCOPES = {"globals", "collection", "environment", "locals", "overrides"}
_PARSE_LINE = re.compile(r":(\d+): (\w*Error): (.*)")


def run_argument(script_hash: str, ctx: ScriptContext, uses: Uses | None = None) -> str:
    """Returns the JSON argument of `__runner.run` that starts one script run (`uses`: what
    the script may touch; None: anything)."""
    payload = {
        "hash": script_hash,
        "mutates": uses is None or uses.mutates,
        "legacy": uses is None or uses.legacy,
        "event": ctx.event,
        "vars": {
            "globals": ctx.globals,
            "collection": ctx.collection,
            "environment": ctx.environment,
            "data": ctx.data,
            "folder": ctx.folder,
            "overrides": ctx.overrides,
            "locals": ctx.locals,
        },
        "request": ctx.request,
        "response": ctx.response if ctx.event == "test" else None,
        # Without the run's jar (the engine used on its own), the response's own cookies.
        "cookies": ctx.cookies if ctx.cookie_jar is not None else None,
        "info": {"eventName": ctx.event, **ctx.info},
    }
    return json.dumps(payload, default=str)


def turn_argument(results: list[dict[str, JSON]]) -> str:
    """Returns the JSON argument of `__runner.turn` (sendRequest results, or a timer turn)."""
    return json.dumps(results, default=str)


def write_back(report: dict[str, JSON], ctx: ScriptContext) -> None:
    """Copies changed variable scopes from a report into the context's own dicts."""
    for scope, values in report.get("vars", {}).items():
        if scope in _SCOPES:
            target: dict[str, JSON] = getattr(ctx, scope)
            target.clear()
            target.update(values)


def tests_of(report: dict[str, JSON]) -> list[TestResult]:
    """Returns the test results in a report; unfinished async tests count as failed."""
    out = []
    for t in report.get("tests", []):
        passed = t.get("passed")
        error = t.get("error")
        if passed is None:
            passed, error = False, "test did not finish (done() not called or promise pending)"
        out.append(TestResult(str(t["name"]), bool(passed), error, bool(t.get("skipped"))))
    return out


def next_request_of(report: dict[str, JSON]) -> str | _Unset | None:
    """Returns the setNextRequest target: UNSET, None (stop) or a request name/id."""
    nxt = report.get("next") or {}
    if not nxt.get("set"):
        return UNSET
    value = nxt.get("value")
    return None if value is None else str(value)


def error_of(report: dict[str, JSON], script: str) -> ScriptError | None:
    """Returns the uncaught error recorded in a report, if any."""
    err = report.get("error")
    if not err:
        return None
    return ScriptError(err["name"], err["message"], err.get("line"), err.get("api"), script)


def syntax_error(message: str, script: str) -> ScriptError:
    """Returns a ScriptError for a compile failure reported by V8 (line made script-relative)."""
    match = _PARSE_LINE.search(message)
    if match is None:
        return ScriptError("SyntaxError", message.strip().splitlines()[0], None, None, script)
    line = max(1, int(match.group(1)) - 1)
    return ScriptError(match.group(2), match.group(3).strip(), line, None, script)
