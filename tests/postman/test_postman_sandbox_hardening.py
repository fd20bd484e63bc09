"""Issue 11 point 3: a script cannot break the run.

Through the CLI against the echo servers: a runaway allocation is a script error (V8's
heap limit), the script timeout covers all of a script's steps, a timeout leaves a fresh
context, a script that vandalises `pm`, `JSON`, `console` or the bridge does not affect the
next script, and an unforeseen failure inside a step is that request's error while the
run goes on and its reports are written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from postman_helpers import collection, item, results, run_cli, script_errors
from support.echo_server import EchoServers

from runner.transport.http import RequestsTransport

BUSY = "function busy(ms) { var t = Date.now(); while (Date.now() - t < ms) {} }"


def test_a_runaway_allocation_is_a_script_error_and_the_run_goes_on(
    echo: EchoServers, tmp_path: Path
) -> None:
    doc = collection(
        item("hog", "var a = []; while (true) a.push(new Array(100000).fill(1.5));"),
        item("after", "pm.test('runs', () => pm.expect(typeof a).to.equal('undefined'));"),
    )
    status, output, report = run_cli(tmp_path, doc, echo, "--timeout-script", "60000")
    assert status == 1
    (error,) = script_errors(report)
    assert "hog (test script): RangeError: script ran out of memory" in error, output
    assert "heap limit is 512 MB" in error
    assert results(report)["after"] == [("runs", True)]


@pytest.mark.parametrize(("each_ms", "timed_out"), [(350, True), (100, False)])
def test_the_script_timeout_covers_all_of_a_scripts_steps(
    echo: EchoServers, tmp_path: Path, each_ms: int, timed_out: bool
) -> None:
    # Two steps (the script, then its timer) of each_ms each, against a 500 ms limit: each
    # step alone fits; together 700 ms do not.
    doc = collection(
        item(
            "two steps",
            BUSY,
            f"busy({each_ms});",
            f"setTimeout(() => {{ busy({each_ms}); pm.test('late', () => {{}}); }}, 0);",
        ),
        item("next", "pm.test('next', () => {});"),
    )
    status, output, report = run_cli(tmp_path, doc, echo, "--timeout-script", "500")
    if timed_out:
        assert script_errors(report) == [
            "two steps (test script): TimeoutError: script timed out after 500 ms"
        ], output
        assert status == 1
    else:
        assert script_errors(report) == [], output
        assert results(report)["two steps"] == [("late", True)]
        assert status == 0
    assert results(report)["next"] == [("next", True)]


@pytest.mark.parametrize(("loop", "expected"), [("while (true) {}", "undefined"), ("", "number")])
def test_a_timeout_leaves_a_fresh_context(
    echo: EchoServers, tmp_path: Path, loop: str, expected: str
) -> None:
    # A non-configurable global survives the reset between scripts; only a new context
    # drops it. After a timeout the next script must get one.
    doc = collection(
        item(
            "stuck",
            "pm.test('before', () => {});",
            prerequest=(
                "Object.defineProperty(globalThis, 'sticky', {value: 1, configurable: false});",
                loop,
            ),
        ),
        item("next", "pm.test(typeof sticky, () => {});"),
    )
    status, output, report = run_cli(tmp_path, doc, echo, "--timeout-script", "300")
    assert status == (1 if loop else 0), output
    assert results(report)["next"] == [(expected, True)], output
    assert len(script_errors(report)) == (1 if loop else 0)


VANDAL = (
    "tests['reported anyway'] = true;",
    "JSON.stringify = () => 'garbage'; JSON.parse = null;",
    "console.log = null; Object.keys = () => [];",
    "pm.test = null; pm.expect = null;",
    "postman = null; __runner = null; delete globalThis.require;",
    "pm = undefined; _ = 'not lodash';",
)
CHECKS = (
    "pm.test('pm', () => pm.expect(JSON.parse(JSON.stringify({a: [1]}))).to.eql({a: [1]}));",
    "console.log('logged');",
    "pm.test('Object.keys', () => pm.expect(Object.keys({a: 1})).to.eql(['a']));",
    "postman.setEnvironmentVariable('x', '1');",
    "pm.test('require ' + typeof require, () => {});",
    "pm.test('lodash ' + _.VERSION, () => {});",
)


def test_a_script_cannot_break_the_sandbox_for_the_next(echo: EchoServers, tmp_path: Path) -> None:
    doc = collection(
        item("vandal", *VANDAL),
        item("next", *CHECKS, prerequest=VANDAL[1:]),
        item("again", *CHECKS),
    )
    status, output, report = run_cli(tmp_path, doc, echo, "--verbose")
    got = results(report)
    assert got["vandal"] == [("reported anyway", True)], output
    # The pre-request vandal cannot reach the test script of the same request either.
    expected = [("pm", True), ("Object.keys", True), ("require function", True)]
    expected.append(("lodash 3.10.2", True))
    assert got["next"] == got["again"] == expected
    assert script_errors(report) == []
    assert status == 0
    assert output.count("logged") == 2


def test_an_unforeseen_failure_is_that_requests_error_and_the_run_goes_on(
    echo: EchoServers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The failure Newman users met: http.client's `AssertionError: b''` through a proxy.
    send = RequestsTransport.send

    def flaky(self: RequestsTransport, request: Any) -> Any:
        if "boom" in request.url:
            raise AssertionError(b"")
        return send(self, request)

    monkeypatch.setattr(RequestsTransport, "send", flaky)
    doc = collection(
        item("first", "pm.test('one', () => {});"),
        {"name": "boom", "request": {"method": "GET", "url": "https://postman-echo.com/boom"}},
        item("last", "pm.test('three', () => {});"),
    )
    junit = tmp_path / "junit.xml"
    status, output, report = run_cli(tmp_path, doc, echo, "--junit", str(junit))
    assert status == 1
    (error,) = script_errors(report)
    assert error == "runner failed on this request: AssertionError: b''"
    assert results(report)["last"] == [("three", True)]
    assert "Traceback" not in output
    assert 'name="boom"' in junit.read_text(encoding="utf-8")


def test_reports_are_written_when_the_loop_itself_fails(
    echo: EchoServers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A failure outside any step (here: choosing the next request) still ends the run with
    # its reports written: the reporters finish in a `finally`.
    from runner.engine.loop import Loop

    def broken(self: Loop, *args: Any) -> int:
        raise RuntimeError("lost the plot")

    monkeypatch.setattr(Loop, "_next_index", broken)
    doc = collection(item("first", "pm.test('one', () => {});"), item("second"))
    with pytest.raises(RuntimeError, match="lost the plot"):
        run_cli(tmp_path, doc, echo)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert results(report) == {"first": [("one", True)]}
