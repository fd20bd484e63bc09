"""pm.response / pm.request helpers and the Postman-specific assertions."""

from __future__ import annotations

from typing import Any

import pytest
from script_helpers import request_with, response

HEADERS = [
    ["Content-Type", "application/json; charset=utf-8"],
    ["X-Trace", "abc"],
    ["Set-Cookie", "session=s3cr3t; Path=/; HttpOnly"],
]


def _tests(run: Any, body: str, **kw: Any) -> list[tuple[bool, str | None]]:
    outcome, _ = run(f"pm.test('t', function () {{ {body}; }});", **kw)
    assert outcome.error is None, outcome.error
    return [(t.passed, t.error) for t in outcome.tests]


@pytest.mark.parametrize(
    "expr",
    [
        "pm.response.to.have.status(200)",
        "pm.response.to.have.status('OK')",
        "pm.response.to.be.ok",
        "pm.response.to.be.success",
        "pm.response.to.not.be.error",
        "pm.response.to.not.be.clientError",
        "pm.response.to.not.be.serverError",
        "pm.response.to.be.json",
        "pm.response.to.have.header('content-type')",
        "pm.response.to.have.header('X-TRACE', 'abc')",
        "pm.response.to.not.have.header('X-Missing')",
        "pm.response.to.have.jsonBody('nested.deep.x', 1)",
        "pm.response.to.have.jsonBody('name')",
        "pm.response.to.have.jsonBody("
        "{id: 7, name: 'alpha', tags: ['a', 'b'], nested: {deep: {x: 1}}})",
        "pm.response.to.have.body()",
        "pm.response.to.have.body(/alpha/)",
        "pm.response.to.have.statusCode(200)",
        "pm.response.to.have.statusReason('OK')",
        "pm.response.to.be.withBody",
        "pm.response.to.not.be.a.postmanRequest",
        "pm.response.to.be.a.postmanRequestOrResponse",
        "pm.request.to.be.a.postmanRequest",
        "pm.request.to.have.header('accept')",
        "pm.response.to.have.jsonSchema({properties: {id: {type: 'integer'}}, required: ['id']})",
        "pm.expect(pm.response.code).to.equal(200)",
        "pm.expect(pm.response.status).to.equal('OK')",
        "pm.expect(pm.response.reason()).to.equal('OK')",
        "pm.expect(pm.response.json().tags).to.eql(['a', 'b'])",
        "pm.expect(pm.response.text()).to.include('alpha')",
        "pm.expect(pm.response.headers.get('x-trace')).to.equal('abc')",
        "pm.expect(pm.response.headers.has('X-Trace')).to.be.true",
        "pm.expect(pm.response.headers.toObject()['X-Trace']).to.equal('abc')",
        "pm.expect(pm.response.responseTime).to.be.below(100)",
        "pm.expect(pm.response.responseSize).to.be.above(10)",
        "pm.expect(pm.response.size().body).to.equal(pm.response.text().length)",
        "pm.expect(pm.cookies.get('session')).to.equal('s3cr3t')",
        "pm.expect(pm.cookies.has('nope')).to.be.false",
        "pm.expect(pm.response.stream.toString()).to.equal(pm.response.text())",
        "pm.expect(pm.response).to.have.property('code', 200)",
        "pm.expect(pm.response).to.have.status(200)",
    ],
)
def test_response_helpers_pass(run: Any, expr: str) -> None:
    assert _tests(run, expr, response=response(headers=HEADERS)) == [(True, None)]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (
            "pm.response.to.have.status(200)",
            "expected response to have status code 200 but got 404",
        ),
        ("pm.response.to.not.have.status(404)", "expected response to not have status code 404"),
        (
            "pm.response.to.have.status('OK')",
            "expected response to have status reason 'OK' but got 'Not Found'",
        ),
        # chai-postman's wording (Newman's: tests/postman/test_postman_chai_messages.py)
        (
            "pm.response.to.be.ok",
            "expected response to have status reason 'OK' but got 'NOT FOUND'",
        ),
        ("pm.response.to.be.success", "expected response code to be 2XX but found 404"),
        ("pm.response.to.be.serverError", "expected response code to be 5XX but found 404"),
        (
            "pm.response.to.not.be.notFound",
            "expected response to not have status reason 'NOT FOUND'",
        ),
        (
            "pm.response.to.have.header('X-Nope')",
            "expected response to have header with key 'X-Nope'",
        ),
        (
            "pm.response.to.have.header('X-Trace', 'zzz')",
            "expected 'X-Trace' response header to be 'zzz' but got 'abc'",
        ),
        (
            "pm.response.to.have.body('nope')",
            "expected response body to equal 'nope' but got '<html>'",
        ),
    ],
)
def test_response_helpers_fail(run: Any, expr: str, message: str) -> None:
    resp = response(404, "<html>", HEADERS, "Not Found")
    assert _tests(run, expr, response=resp) == [(False, message)]


def test_be_json_fails_on_html(run: Any) -> None:
    [(passed, error)] = _tests(run, "pm.response.to.be.json", response=response(body="<html>"))
    assert not passed
    assert error is not None
    assert error.startswith("expected response body to be a valid json but got error")


def test_json_error_is_postman_style(run: Any) -> None:
    outcome, _ = run("var j = pm.response.json();", response=response(body="<html>\n</html>"))
    assert outcome.error is not None
    assert (outcome.error.name, outcome.error.message) == (
        "JSONError",
        "Unexpected token '<' at 1:1",
    )
    assert outcome.error.line == 1


def test_json_error_on_empty_body(run: Any) -> None:
    outcome, _ = run("pm.response.json();", response=response(body=""))
    assert outcome.error is not None
    assert outcome.error.message == "No data, empty input at 1:1"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("pm.request.url.toString()", "https://api.example.test/things/7?expand=all"),
        ("pm.request.url.getHost()", "api.example.test"),
        ("pm.request.url.getPath()", "/things/7"),
        ("pm.request.url.query.get('expand')", "all"),
        ("pm.request.url.getQueryString()", "expand=all"),
        ("pm.request.method", "GET"),
        ("pm.request.headers.get('ACCEPT')", "application/json"),
        ("JSON.stringify(pm.request.headers.toObject())", '{"Accept":"application/json"}'),
        (
            "pm.info.requestName + '/' + pm.info.eventName + '/' + pm.info.iteration",
            "Get thing/test/0",
        ),
        ("String(pm.info.iterationCount) + pm.info.requestId", "1req-1"),
    ],
)
def test_request_and_info_values(run: Any, expr: str, expected: str) -> None:
    outcome, _ = run(f"pm.test(String({expr}), () => {{}});")
    assert outcome.tests[0].name == expected


def test_prerequest_can_modify_the_request(run: Any) -> None:
    source = """
pm.request.headers.add({key: 'X-One', value: '1'});
pm.request.headers.upsert({key: 'accept', value: 'text/plain'});
pm.request.addHeader('X-Two: 2');
pm.request.headers.remove('X-Two');
pm.request.url.query.add({key: 'page', value: '2'});
pm.request.method = 'POST';
pm.request.body = undefined;
"""
    outcome, _ = run(source, event="prerequest")
    assert outcome.error is None
    req = outcome.request
    assert req["headers"] == [["Accept", "text/plain"], ["X-One", "1"]]
    assert req["url"] == "https://api.example.test/things/7?expand=all&page=2"
    assert req["method"] == "POST"
    assert req["name"] == "Get thing"


def test_prerequest_can_replace_url_and_body(run: Any) -> None:
    body = {"mode": "urlencoded", "urlencoded": [["a", "1"]]}
    request = request_with("POST", "http://a.test/x", body)
    source = """
pm.request.url = 'http://b.test/y?q=1';
pm.request.body.urlencoded.add({key: 'b', value: '2'});
"""
    outcome, _ = run(source, event="prerequest", request=request)
    assert outcome.request["url"] == "http://b.test/y?q=1"
    assert outcome.request["body"] == {"mode": "urlencoded", "urlencoded": [["a", "1"], ["b", "2"]]}


def test_response_is_undefined_in_prerequest(run: Any) -> None:
    outcome, _ = run("pm.test(String(typeof pm.response), () => {});", event="prerequest")
    assert outcome.tests[0].name == "undefined"
