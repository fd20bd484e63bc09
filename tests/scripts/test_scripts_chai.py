"""pm.expect chai chains: each passes when it should and fails with chai's message."""

from __future__ import annotations

from typing import Any

import pytest

PASSING = [
    "pm.expect(1).to.equal(1)",
    "pm.expect('a').to.be.a('string')",
    "pm.expect([1]).to.be.an('array')",
    "pm.expect({}).to.be.an('object')",
    "pm.expect(null).to.be.a('null')",
    "pm.expect(undefined).to.be.an('undefined')",
    "pm.expect(true).to.be.a('boolean')",
    "pm.expect(function () {}).to.be.a('function')",
    "pm.expect(3).to.be.a('number').and.above(2)",
    "pm.expect({a: {b: [1, 2]}}).to.eql({a: {b: [1, 2]}})",
    "pm.expect({a: 1}).to.deep.equal({a: 1})",
    "pm.expect('hello world').to.include('lo w')",
    "pm.expect([1, 2, 3]).to.include(2)",
    "pm.expect([{a: 1}]).to.deep.include({a: 1})",
    "pm.expect({a: 1, b: 2}).to.include({a: 1})",
    "pm.expect('abc').to.contain('b').and.contains('c')",
    "pm.expect([1, 2]).to.not.include(3)",
    "pm.expect(1).to.be.ok",
    "pm.expect(true).to.be.true",
    "pm.expect(false).to.be.false",
    "pm.expect(null).to.be.null",
    "pm.expect(undefined).to.be.undefined",
    "pm.expect(0).to.exist",
    "pm.expect(null).to.not.exist",
    "pm.expect('').to.be.empty",
    "pm.expect([]).to.be.empty",
    "pm.expect({}).to.be.empty",
    "pm.expect('x').to.not.be.empty",
    "pm.expect(5).to.be.above(4).and.below(6)",
    "pm.expect(5).to.be.gt(4).and.lt(6).and.gte(5).and.lte(5)",
    "pm.expect(5).to.be.at.least(5).and.at.most(5)",
    "pm.expect(5).to.be.greaterThan(1).and.lessThan(9)",
    "pm.expect(5).to.be.within(1, 10)",
    "pm.expect([1, 2, 3]).to.have.length.above(2)",
    "pm.expect([1, 2, 3]).to.have.lengthOf(3)",
    "pm.expect('abc').to.have.length(3)",
    "pm.expect(new Date()).to.be.instanceof(Date)",
    "pm.expect({a: 1}).to.have.property('a')",
    "pm.expect({a: 1}).to.have.property('a', 1)",
    "pm.expect({a: 1}).to.have.property('a').that.equals(1)",
    "pm.expect({a: {b: [5]}}).to.have.nested.property('a.b[0]', 5)",
    "pm.expect({a: [1]}).to.have.deep.property('a', [1])",
    "pm.expect({a: 1}).to.have.ownProperty('a')",
    "pm.expect({a: 1}).to.have.own.property('a')",
    "pm.expect({a: 1}).to.not.have.property('b')",
    "pm.expect('abc123').to.match(/\\d+/)",
    "pm.expect('abc').to.have.string('bc')",
    "pm.expect({a: 1, b: 2}).to.have.keys('a', 'b')",
    "pm.expect({a: 1, b: 2}).to.have.all.keys(['a', 'b'])",
    "pm.expect({a: 1, b: 2}).to.have.any.keys('a', 'z')",
    "pm.expect({a: 1, b: 2}).to.contain.keys('a')",
    "pm.expect({a: 1}).to.have.key('a')",
    "pm.expect(2).to.be.oneOf([1, 2])",
    "pm.expect(1.5).to.be.closeTo(1, 0.5)",
    "pm.expect([1, 2]).to.have.members([2, 1])",
    "pm.expect([1, 2, 3]).to.include.members([3])",
    "pm.expect([{a: 1}]).to.have.deep.members([{a: 1}])",
    "pm.expect(4).to.satisfy(function (n) { return n % 2 === 0; })",
    "pm.expect(function () { throw new TypeError('bad thing'); }).to.throw()",
    "pm.expect(function () { throw new TypeError('bad thing'); }).to.throw(TypeError)",
    "pm.expect(function () { throw new TypeError('bad thing'); }).to.throw('bad')",
    "pm.expect(function () { throw new TypeError('bad thing'); }).to.throw(/thing$/)",
    "pm.expect(function () {}).to.not.throw()",
    "pm.expect(NaN).to.be.NaN",
    "pm.expect(1).to.be.finite",
    "pm.expect(1).to.not.equal(2)",
    "pm.expect(1).to.eq(1)",
    "pm.expect([1, [2]]).to.eqls([1, [2]])",
    "pm.expect('a').to.have.length(1).and.be.a('string').that.is.not.empty",
    "pm.expect({x: 1}).to.be.an('object').that.has.property('x').which.is.a('number')",
    "pm.expect([1, 2]).to.be.an('array').that.does.not.include(3)",
    "pm.expect(200).to.be.oneOf([200, 201]).but.not.equal(201)",
    "pm.expect({alpha: true}).to.be.jsonSchema({properties: {alpha: {type: 'boolean'}}})",
    "pm.expect({alpha: 1}).to.not.be.jsonSchema({properties: {alpha: {type: 'boolean'}}})",
]

FAILING = [
    ("pm.expect(404).to.equal(200)", "expected 404 to equal 200"),
    ("pm.expect('a').to.equal('b')", "expected 'a' to equal 'b'"),
    ("pm.expect(1).to.not.equal(1)", "expected 1 to not equal 1"),
    ("pm.expect({a: 1}).to.eql({a: 2})", "expected { a: 1 } to deeply equal { a: 2 }"),
    ("pm.expect(5).to.be.a('string')", "expected 5 to be a string"),
    ("pm.expect({}).to.be.an('array')", "expected {} to be an array"),
    ("pm.expect([1, 2]).to.include(3)", "expected [ 1, 2 ] to include 3"),
    ("pm.expect('abc').to.include('z')", "expected 'abc' to include 'z'"),
    (
        "pm.expect({a: 1}).to.include({a: 2})",
        "expected { a: 1 } to have property 'a' of 2, but got 1",
    ),
    ("pm.expect(0).to.be.ok", "expected 0 to be truthy"),
    ("pm.expect(1).to.not.be.ok", "expected 1 to be falsy"),
    ("pm.expect('true').to.be.true", "expected 'true' to be true"),
    ("pm.expect(0).to.be.false", "expected 0 to be false"),
    ("pm.expect(1).to.be.null", "expected 1 to be null"),
    ("pm.expect(1).to.be.undefined", "expected 1 to be undefined"),
    ("pm.expect(undefined).to.not.be.undefined", "expected undefined not to be undefined"),
    ("pm.expect(null).to.exist", "expected null to exist"),
    ("pm.expect('x').to.be.empty", "expected 'x' to be empty"),
    ("pm.expect([]).to.not.be.empty", "expected [] not to be empty"),
    ("pm.expect(3).to.be.above(5)", "expected 3 to be above 5"),
    ("pm.expect(3).to.be.below(1)", "expected 3 to be below 1"),
    ("pm.expect(3).to.be.at.least(4)", "expected 3 to be at least 4"),
    ("pm.expect(3).to.be.at.most(2)", "expected 3 to be at most 2"),
    ("pm.expect(3).to.be.within(4, 6)", "expected 3 to be within 4..6"),
    ("pm.expect('abc').to.be.above(1)", "expected 'abc' to be a number or a date"),
    ("pm.expect([1]).to.have.length.above(2)", "expected [ 1 ] to have a length above 2 but got 1"),
    ("pm.expect([1, 2]).to.have.lengthOf(3)", "expected [ 1, 2 ] to have a length of 3 but got 2"),
    ("pm.expect({a: 1}).to.have.property('b')", "expected { a: 1 } to have property 'b'"),
    (
        "pm.expect({a: 1}).to.have.property('a', 2)",
        "expected { a: 1 } to have property 'a' of 2, but got 1",
    ),
    ("pm.expect({a: 1}).to.not.have.property('a')", "expected { a: 1 } to not have property 'a'"),
    (
        "pm.expect({a: {}}).to.have.nested.property('a.b')",
        "expected { a: {} } to have nested property 'a.b'",
    ),
    ("pm.expect('abc').to.match(/z/)", "expected 'abc' to match /z/"),
    ("pm.expect('abc').to.have.string('z')", "expected 'abc' to contain 'z'"),
    ("pm.expect({a: 1}).to.have.keys('a', 'b')", "expected { a: 1 } to have keys 'a', and 'b'"),
    ("pm.expect({a: 1}).to.have.any.keys('x', 'y')", "expected { a: 1 } to have keys 'x', or 'y'"),
    ("pm.expect(3).to.be.oneOf([1, 2])", "expected 3 to be one of [ 1, 2 ]"),
    ("pm.expect(3).to.be.closeTo(1, 0.5)", "expected 3 to be close to 1 +/- 0.5"),
    ("pm.expect([1]).to.have.members([2])", "expected [ 1 ] to have the same members as [ 2 ]"),
    ("pm.expect([1]).to.include.members([2])", "expected [ 1 ] to be a superset of [ 2 ]"),
    (
        "pm.expect(3).to.satisfy(function isEven(n) { return n % 2 === 0; })",
        "expected 3 to satisfy [Function isEven]",
    ),
    ("pm.expect(function f() {}).to.throw()", "expected [Function f] to throw an error"),
    (
        "pm.expect(function f() { throw new Error('x'); }).to.throw('y')",
        "expected [Function f] to throw error including 'y' but got 'x'",
    ),
    ("pm.expect(1).to.be.instanceof(Date)", "expected 1 to be an instance of Date"),
    ("pm.expect(5).to.throw()", "expected 5 to be a function"),
    ("pm.expect(1).to.be.NaN", "expected 1 to be NaN"),
    ("pm.expect(Infinity).to.be.finite", "expected Infinity to be a finite number"),
    ("pm.expect(1, 'custom text').to.equal(2)", "custom text: expected 1 to equal 2"),
    ("pm.expect(1).to.equal(2, 'inline message')", "inline message: expected 1 to equal 2"),
    (
        "pm.expect({alpha: 1}).to.be.jsonSchema({properties: {alpha: {type: 'boolean'}}})",
        "expected data to satisfy schema but found following errors: \n"
        "data.alpha should be boolean",
    ),
    (
        "pm.expect({one: 1, two: 'two', three: [3], four: {f: 4}}).to.have.property('five')",
        "expected { one: 1, two: 'two', three: [ 3 ], …(1) } to have property 'five'",
    ),
]


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
