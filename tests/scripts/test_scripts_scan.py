"""What a script may touch (runner.scripts.scan), and the work a run skips because of it.

A run restores the sandbox's globals only after a script that may have changed one, and
binds the legacy globals only for a script that names one: the scan must say "may" for
every way a script can change a global, and skipping must never let one script see
another's leftovers.
"""

from __future__ import annotations

from typing import Any

import pytest
from script_helpers import make_ctx

from runner.scripts import ScriptEngine
from runner.scripts.scan import uses

QUIET = [
    "pm.test('s', function () { pm.response.to.have.status(200); });",
    "var body = pm.response.json();\npm.test('n', () => pm.expect(body.n).to.eql(1));",
    "const a = 1;\nlet b = a + 1;\nif (a == b || a !== b || a <= b || a >= b) {}",
    "pm.environment.set('token', pm.response.json().token);",
    "var f = (x) => x * 2;\npm.test('f', () => pm.expect(f(2)).to.equal(4));",
]
MUTATING = [
    "leaked = 1;",
    "pm = undefined;",
    "JSON.stringify = function () { return 'x'; };",
    "var x = 1, y = 2;",  # the second declaration is not recognised: counted as a change
    "var j = JSON; j.parse = null;",
    "delete globalThis.require;",
    "this.leaked = 1;",
    "Object.defineProperty(pm, 'test', {value: null});",
    "Object.assign(console, {log: null});",
    "eval('leaked = 1');",
    "new Function('leaked = 1')();",
    "[a, b] = [1, 2];",
    "for (var i = 0; i < 3; i++) {}",
    "var m = require('moment');",
    "_.extend(pm, {});",
    "tests['legacy'] = true;",
    "// the scan reads text, not code: a comment that says x = 1 counts too",
]


@pytest.mark.parametrize("source", QUIET)
def test_a_script_that_only_declares_and_calls_changes_no_global(source: str) -> None:
    assert not uses(source).mutates


@pytest.mark.parametrize("source", MUTATING)
def test_every_way_of_changing_a_global_counts(source: str) -> None:
    assert uses(source).mutates


@pytest.mark.parametrize(
    ("source", "legacy"),
    [
        ("pm.test('x', () => pm.expect(pm.response.code).to.equal(200));", False),
        ("pm.request.url; pm.environment.get('a'); pm.globals.get('b');", False),
        ("var j = JSON.parse(responseBody);", True),
        ("tests['ok'] = responseCode.code === 200;", True),
        ("postman.setEnvironmentVariable('a', environment.b);", True),
        ("eval(code);", True),
    ],
)
def test_legacy_globals_are_bound_when_named(source: str, legacy: bool) -> None:
    assert uses(source).legacy is legacy


def _tests(engine: ScriptEngine, source: str, event: str = "test", **kw: Any) -> list[Any]:
    outcome = engine.run(source, make_ctx(event, **kw))
    assert outcome.error is None, outcome.error
    return [(t.name, t.passed, t.error) for t in outcome.tests]


def test_a_quiet_script_after_a_leaking_one_sees_the_globals_restored() -> None:
    with ScriptEngine(timeout_ms=5000) as engine:
        _tests(engine, "pm.test('first', () => {});")  # the baseline of the globals
        _tests(engine, "leaked = 1; JSON.stringify = () => 'broken'; pm.test = null;")
        quiet = "pm.test('clean', () => pm.expect([typeof leaked, JSON.stringify(1)])"
        quiet += ".to.eql(['undefined', '1']));"
        assert _tests(engine, quiet) == [("clean", True, None)]
        assert _tests(engine, quiet) == [("clean", True, None)]  # and after a quiet one


def test_legacy_results_and_globals_do_not_leak_into_the_next_script() -> None:
    with ScriptEngine(timeout_ms=5000) as engine:
        legacy = "tests['legacy'] = responseCode.code === 200;"
        assert _tests(engine, legacy) == [("legacy", True, None)]
        assert _tests(engine, "pm.test('modern', () => {});") == [("modern", True, None)]
        # A later legacy script gets its own responseBody, not a stale one.
        body = "tests[responseBody] = true;"
        response = {"code": 200, "status": "OK", "headers": [], "body": "second"}
        assert _tests(engine, body, response=response) == [("second", True, None)]


def test_a_prerequest_script_that_never_reads_pm_request_leaves_it_as_it_came() -> None:
    with ScriptEngine(timeout_ms=5000) as engine:
        ctx = make_ctx("prerequest")
        outcome = engine.run("pm.variables.set('a', 1);", ctx)
        assert outcome.request is ctx.request
        ctx = make_ctx("prerequest")
        changed = engine.run("pm.request.headers.add({key: 'X-A', value: '1'});", ctx)
        assert ["X-A", "1"] in changed.request["headers"]
