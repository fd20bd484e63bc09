"""Variable scopes: precedence, write-back into the run loop's dicts, replaceIn, legacy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from script_helpers import make_ctx

from runner.scripts import ScriptEngine


def _names(outcome: Any) -> list[str]:
    return [t.name for t in outcome.tests]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "from-env"),
        ({"data": {"shared": "from-data"}}, "from-data"),
        ({"locals": {"shared": "from-locals"}, "data": {"shared": "from-data"}}, "from-locals"),
        ({"environment": {}}, "from-collection"),
        ({"environment": {}, "collection": {}}, "from-globals"),
        ({"environment": {}, "collection": {}, "globals": {}}, "undefined"),
    ],
)
def test_variables_get_follows_postman_precedence(
    run: Any, overrides: dict[str, Any], expected: str
) -> None:
    outcome, _ = run("pm.test(String(pm.variables.get('shared')), () => {});", **overrides)
    assert _names(outcome) == [expected]


def test_set_writes_back_into_the_same_dicts(run: Any) -> None:
    source = """
pm.environment.set('token', 'abc');
pm.collectionVariables.set('count', 3);
pm.globals.set('obj', {a: [1]});
pm.variables.set('local', true);
pm.environment.unset('e');
pm.globals.clear();
pm.globals.set('after', 'clear');
"""
    outcome, ctx = run(source)
    assert outcome.error is None
    assert ctx.environment == {"shared": "from-env", "token": "abc"}
    assert ctx.collection == {"c": "collection", "shared": "from-collection", "count": 3}
    assert ctx.globals == {"after": "clear"}
    assert ctx.locals == {"local": True}


def test_dicts_keep_their_identity(engine: ScriptEngine) -> None:
    ctx = make_ctx()
    env, glob = ctx.environment, ctx.globals
    engine.run("pm.environment.set('x', 1);", ctx)
    assert ctx.environment is env
    assert env["x"] == 1
    assert ctx.globals is glob
    assert glob == {"g": "global", "shared": "from-globals"}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("pm.environment.has('e')", "true"),
        ("pm.environment.has('g')", "false"),
        ("pm.variables.has('g')", "true"),
        ("pm.globals.get('g')", "global"),
        ("pm.collectionVariables.get('c')", "collection"),
        ("pm.iterationData.get('row')", "5"),
        ("pm.iterationData.has('row')", "true"),
        ("JSON.stringify(pm.iterationData.toObject())", '{"row":5,"shared":"from-data"}'),
        ("JSON.stringify(pm.environment.toObject())", '{"e":"env","shared":"from-env"}'),
        ("pm.variables.replaceIn('{{e}}-{{row}}-{{missing}}')", "env-5-{{missing}}"),
        ("pm.environment.replaceIn('x{{c}}y')", "xcollectiony"),
        ("pm.variables.toObject().shared", "from-data"),
    ],
)
def test_scope_readers(run: Any, expr: str, expected: str) -> None:
    outcome, _ = run(
        f"pm.test(String({expr}), () => {{}});", data={"row": 5, "shared": "from-data"}
    )
    assert _names(outcome) == [expected]


def test_replace_in_stringifies_objects(run: Any) -> None:
    outcome, _ = run(
        "pm.variables.set('o', {a: 1}); pm.test(pm.variables.replaceIn('{{o}}'), () => {});"
    )
    assert _names(outcome) == ['{"a":1}']


def test_iteration_data_is_read_only(run: Any) -> None:
    outcome, ctx = run("pm.iterationData.set('x', 1);", data={"row": 1})
    assert outcome.error is not None
    assert "read-only" in outcome.error.message
    assert ctx.data == {"row": 1}


def test_legacy_setters_stringify_like_newman(run: Any) -> None:
    source = """
postman.setEnvironmentVariable('n', 5);
postman.setEnvironmentVariable('zero', 0);
postman.setGlobalVariable('flag', false);
tests['get'] = postman.getEnvironmentVariable('n') === '5';
tests['zero kept as number'] = postman.getEnvironmentVariable('zero') === 0;
tests['legacy environment object follows'] = environment.n === '5';
tests['globals object follows'] = globals.flag === 'false';
postman.clearGlobalVariable('g');
postman.clearEnvironmentVariable('e');
"""
    outcome, ctx = run(source)
    assert [(t.name, t.passed) for t in outcome.tests] == [
        ("get", True),
        ("zero kept as number", True),
        ("legacy environment object follows", True),
        ("globals object follows", True),
    ]
    assert ctx.environment == {"shared": "from-env", "n": "5", "zero": 0}
    assert ctx.globals == {"shared": "from-globals", "flag": "false"}


def test_legacy_clear_all(run: Any) -> None:
    outcome, ctx = run("postman.clearEnvironmentVariables(); postman.clearGlobalVariables();")
    assert outcome.error is None
    assert ctx.environment == {}
    assert ctx.globals == {}


def test_assigning_legacy_environment_object_does_not_persist(run: Any) -> None:
    outcome, ctx = run("environment.e = 'changed'; data.x = 1;")
    assert outcome.error is None
    assert ctx.environment["e"] == "env"
    assert ctx.data == {}


def test_values_that_are_not_json_are_stored_as_text(run: Any) -> None:
    source = """
var loop = {}; loop.self = loop;
pm.environment.set('fn', function f() {});
pm.environment.set('big', 10n);
pm.environment.set('loop', loop);
pm.environment.set('nothing', undefined);
pm.environment.set('when', new Date(0));
"""
    outcome, ctx = run(source, environment={})
    assert outcome.error is None
    assert ctx.environment == {
        "fn": "function f() {}",
        "big": "10",
        "loop": "[object Object]",
        "nothing": None,
        "when": "1970-01-01T00:00:00.000Z",
    }


@pytest.mark.parametrize(
    ("template", "pattern"),
    [
        ("{{$guid}}", r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
        ("{{$timestamp}}", r"\d{10}"),
        ("{{$isoTimestamp}}", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"),
        ("{{$randomInt}}", r"\d{1,4}"),
        ("{{$randomEmail}}", r"[a-z]+\d+@example\.com"),
        ("{{$notAThing}}", r"\{\{\$notAThing\}\}"),
    ],
)
def test_replace_in_dynamic_variables(run: Any, template: str, pattern: str) -> None:
    outcome, _ = run(f"pm.test(pm.variables.replaceIn('id={template}'), () => {{}});")
    assert re.fullmatch("id=" + pattern, outcome.tests[0].name)
