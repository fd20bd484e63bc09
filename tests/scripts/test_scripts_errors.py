"""Script errors as data: line numbers, syntax errors, unsupported APIs, timeouts,
isolation between runs, and require() from node_modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from script_helpers import make_ctx

from runner.scripts import ScriptEngine


@pytest.mark.parametrize(
    ("source", "name", "line"),
    [
        ("var a = 1;\nvar b = 2;\nnotDefined();", "ReferenceError", 3),
        ("\n\n\n  null.x;", "TypeError", 4),
        ("throw new Error('custom');", "Error", 1),
        ("var x = 1;\nvar y = ;", "SyntaxError", 2),
        ("function f() {\n  return JSON.parse('{bad');\n}\nf();", "SyntaxError", 2),
    ],
)
def test_error_names_and_lines(run: Any, source: str, name: str, line: int) -> None:
    outcome, _ = run(source)
    assert outcome.error is not None
    assert (outcome.error.name, outcome.error.line) == (name, line)
    assert outcome.error.script == "Folder › Get thing (test)"


def test_error_keeps_tests_collected_so_far(run: Any) -> None:
    outcome, _ = run("pm.test('one', () => {});\nboom();\npm.test('two', () => {});")
    assert [t.name for t in outcome.tests] == ["one"]
    assert outcome.error is not None
    assert str(outcome.error) == (
        "Folder › Get thing (test), line 2: ReferenceError: boom is not defined"
    )


def test_thrown_non_error_value(run: Any) -> None:
    outcome, _ = run("throw 'plain string';")
    assert outcome.error is not None
    assert outcome.error.message == "plain string"


@pytest.mark.parametrize(
    ("source", "api"),
    [
        ("pm.vault.get('x');", "pm.vault"),
        ("pm.somethingNew();", "pm.somethingNew"),
        ("pm.require('pkg');", "pm.require"),
        ("pm.execution.runRequest('id');", "pm.execution.runRequest"),
        ("postman.setGlobalVar('x');", "postman.setGlobalVar"),
        ("require('fs');", "require('fs')"),
        ("require('child_process');", "require('child_process')"),
    ],
)
def test_unsupported_api_is_named(run: Any, source: str, api: str) -> None:
    outcome, _ = run(source)
    assert outcome.error is not None
    assert outcome.error.api == api
    assert api.split("(")[0] in outcome.error.message


def test_visualizer_is_a_no_op(run: Any) -> None:
    outcome, _ = run("pm.visualizer.set('<b>{{x}}</b>', {x: 1}); pm.test('ok', () => {});")
    assert outcome.error is None
    assert [t.passed for t in outcome.tests] == [True]


def test_missing_module_says_how_to_install(run: Any) -> None:
    outcome, _ = run("var pad = require('left-pad');")
    assert outcome.error is not None
    assert outcome.error.message == (
        "require('left-pad'): module not found; it is not one of the libraries of Postman's "
        "sandbox: install it with `npm install left-pad` next to the collection or pass "
        "--module-path"
    )


def test_timeout_then_engine_still_usable() -> None:
    with ScriptEngine(timeout_ms=200) as engine:
        slow = engine.run("pm.test('before', () => {}); while (true) {}", make_ctx())
        assert slow.error is not None
        assert slow.error.message == "script timed out after 200 ms"
        fine = engine.run("pm.test('after', () => pm.expect(1).to.equal(1));", make_ctx())
        assert fine.error is None
        assert [(t.name, t.passed) for t in fine.tests] == [("after", True)]


def test_script_locals_do_not_leak_between_runs(run: Any) -> None:
    first, _ = run("var leaky = 1; let scoped = 2; implicitGlobal = 3; function helper() {}")
    assert first.error is None
    second, _ = run(
        "pm.test([typeof leaky, typeof scoped, typeof implicitGlobal, typeof helper].join(), "
        "() => {});"
    )
    assert second.error is None
    assert [t.name for t in second.tests] == ["undefined,undefined,undefined,undefined"]
    third, _ = run("let scoped = 'again'; const leaky = 1; pm.test(scoped, () => {});")
    assert third.error is None
    assert [t.name for t in third.tests] == ["again"]


def test_same_source_is_compiled_once_and_reused(engine: ScriptEngine) -> None:
    source = "pm.test(String(pm.info.iteration), () => {});"
    names = []
    defined = len(engine._compiled)
    for i in range(3):
        ctx = make_ctx(info={"iteration": i, "eventName": "test"})
        names.append(engine.run(source, ctx).tests[0].name)
    assert names == ["0", "1", "2"]
    assert len(engine._compiled) == defined + 1  # one function for the three runs
    assert engine._compiled[source].error is None


def _write_module(root: Path) -> None:
    pkg = root / "node_modules" / "tiny-greeter"
    (pkg / "lib").mkdir(parents=True)
    (pkg / "package.json").write_text('{"name": "tiny-greeter", "main": "lib/main.js"}')
    (pkg / "lib" / "main.js").write_text(
        "var words = require('./words');\n"
        "var data = require('../data.json');\n"
        "module.exports = function greet(name) { return words.hello + ', ' + name + data.mark; };\n"
    )
    (pkg / "lib" / "words.js").write_text("exports.hello = 'Hello';\n")
    (pkg / "data.json").write_text('{"mark": "!"}')
    lodash = root / "node_modules" / "lodash"
    lodash.mkdir(parents=True)
    (lodash / "index.js").write_text(
        "exports.parseInt = function (s) { return parseInt(s, 10); };\n"
        "exports.isArray = Array.isArray;\n"
    )


def test_require_from_node_modules(tmp_path: Path) -> None:
    _write_module(tmp_path)
    source = (
        "var greet = require('tiny-greeter');\n"
        "pm.test(greet('pm'), () => {});\n"
        "pm.test(String(_.parseInt('42') + 1), () => {});\n"
        "pm.test(String(require('tiny-greeter') === greet), () => {});"
    )
    with ScriptEngine(module_paths=[tmp_path]) as engine:
        outcome = engine.run(source, make_ctx())
    assert outcome.error is None
    assert [t.name for t in outcome.tests] == ["Hello, pm!", "43", "true"]


def test_require_error_inside_module_has_message(tmp_path: Path) -> None:
    bad = tmp_path / "node_modules" / "needs-fs"
    bad.mkdir(parents=True)
    (bad / "index.js").write_text("module.exports = require('fs');\n")
    with ScriptEngine(module_paths=[tmp_path / "node_modules"]) as engine:
        outcome = engine.run("require('needs-fs');", make_ctx())
    assert outcome.error is not None
    assert outcome.error.api == "require('fs')"


def test_require_of_modules_runner_provides(run: Any) -> None:
    source = (
        "var B = require('buffer').Buffer; var enc = require('btoa');"
        "pm.test(B.from(require('atob')(enc('hi'))).toString(), () => {});"
    )
    outcome, _ = run(source)
    assert outcome.error is None
    assert [t.name for t in outcome.tests] == ["hi"]


def test_cached_syntax_error_names_each_script(engine: ScriptEngine) -> None:
    source = "var broken = ;"
    first = engine.run(source, make_ctx(script_name="A (test)"))
    second = engine.run(source, make_ctx(script_name="B (test)"))
    assert first.error is not None and second.error is not None
    assert (first.error.script, second.error.script) == ("A (test)", "B (test)")
    assert second.error.line == 1
