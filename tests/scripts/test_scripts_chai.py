"""pm.expect chai chains: each passes when it should and fails with chai's message."""

from __future__ import annotations

from typing import Any

import pytest
from support.chai_cases import FAILING, PASSING


@pytest.mark.parametrize("expr", PASSING)
def test_chain_passes(run: Any, expr: str) -> None:
    outcome, _ = run(f"pm.test('t', function () {{ {expr}; }});")
    assert outcome.error is None
    assert [(t.passed, t.error) for t in outcome.tests] == [(True, None)]


@pytest.mark.parametrize(("expr", "message"), FAILING)
def test_chain_fails_with_chai_message(run: Any, expr: str, message: str) -> None:
    outcome, _ = run(f"pm.test('t', function () {{ {expr}; }});")
    assert outcome.error is None
    assert [(t.passed, t.error) for t in outcome.tests] == [(False, message)]


def test_expect_outside_pm_test_is_a_script_error(run: Any) -> None:
    outcome, _ = run(
        "pm.test('before', () => {});\npm.expect(1).to.equal(2);\npm.test('after', () => {});"
    )
    assert outcome.error is not None
    assert outcome.error.name == "AssertionError"
    assert outcome.error.message == "expected 1 to equal 2"
    assert outcome.error.line == 2
    assert [t.name for t in outcome.tests] == ["before"]


def test_failing_test_does_not_stop_the_script(run: Any) -> None:
    outcome, _ = run("pm.test('a', () => pm.expect(1).to.equal(2));\npm.test('b', () => {});")
    assert [(t.name, t.passed) for t in outcome.tests] == [("a", False), ("b", True)]


def test_non_assertion_error_in_test_names_the_error(run: Any) -> None:
    outcome, _ = run("pm.test('a', () => { undefinedThing.x; });")
    assert outcome.tests[0].error == "ReferenceError: undefinedThing is not defined"


def test_skip_records_a_skipped_test(run: Any) -> None:
    outcome, _ = run("pm.test.skip('later', () => { throw new Error('not run'); });")
    assert [(t.name, t.skipped, t.passed) for t in outcome.tests] == [("later", True, True)]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (
            "pm.response.to.be.sucess",
            'Error: Invalid Chai property: sucess. Did you mean "success"?',
        ),
        ("pm.expect(1).to.be.qwertyuiop", "Error: Invalid Chai property: qwertyuiop"),
    ],
)
def test_unknown_chai_property_fails_like_chai(run: Any, expr: str, message: str) -> None:
    outcome, _ = run(f"pm.test('t', function () {{ {expr}; }});")
    assert [(t.passed, t.error) for t in outcome.tests] == [(False, message)]


def test_assertions_returned_from_tests_are_not_thenables(run: Any) -> None:
    outcome, _ = run("pm.test('arrow', () => pm.expect(1).to.equal(1)); console.log(pm.expect(1));")
    assert [(t.passed, t.error) for t in outcome.tests] == [(True, None)]
    assert outcome.error is None


def test_long_strings_are_cut_in_messages(run: Any) -> None:
    outcome, _ = run("pm.test('t', () => pm.expect('x'.repeat(5000)).to.include('y'));")
    error = outcome.tests[0].error
    assert error is not None
    assert error.startswith("expected 'xxx") and error.endswith("…' to include 'y'")
    assert len(error) < 260


def test_pm_expect_is_requires_chai_set_up_once_per_context() -> None:
    from script_helpers import make_ctx

    from runner.scripts import ScriptEngine

    # As in Postman's sandbox: pm.expect is chai.expect (with chai-postman), one chai per
    # context that every script shares, not one set up per script.
    first = "var c = require('chai'); c.runnerRuns = (c.runnerRuns || 0) + 1;"
    first += "pm.test('same', () => pm.expect(pm.expect).to.equal(c.expect));"
    later = "pm.test('once', () => pm.expect(require('chai').runnerRuns).to.equal(2));"
    with ScriptEngine(timeout_ms=5000) as engine:
        outcomes = [engine.run(src, make_ctx("test")) for src in (first, first, later)]
    assert [(t.name, t.passed, t.error) for o in outcomes for t in o.tests] == [
        ("same", True, None),
        ("same", True, None),
        ("once", True, None),
    ]
