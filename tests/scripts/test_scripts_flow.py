"""Flow control and asynchronous scripts: setNextRequest, skipRequest, pm.sendRequest,
timers, async tests, and the real token pre-request scripts (seed and Azure/oav)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from script_helpers import request_with, response
from support.external import CORPUS, SEEDS, require

from runner.scripts import UNSET

# The token pre-request script of seed 001 (a blog post). Every line the seed shows is
# kept verbatim; the extracted text dropped the lines holding only brackets and the
# `console.log(err);` line, restored there (see test_seed_lines_are_verbatim).
SEED_SCRIPT = (Path(__file__).parents[1] / "support" / "seed_token_script.js").read_text("utf-8")
# A guarded, caching v2 token script written for the suite (the shape of Azure's generated
# collections; the corpus's own copy is the external differential below).
GUARDED_SCRIPT = (Path(__file__).parents[1] / "support" / "guarded_token_script.js").read_text(
    "utf-8"
)

V1_TOKEN = {
    "token_type": "Bearer",
    "expires_in": "3599",
    "ext_expires_in": "3599",
    "expires_on": "1900000000",
    "not_before": "1899996100",
    "resource": "https://management.azure.com/",
    "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.sig",
}


class FakeSender:
    """Records requests and answers each with a JSON body (or an error)."""

    def __init__(self, body: Any = None, error: str | None = None) -> None:
        self.requests: list[Any] = []
        self.body = body
        self.error = error

    def __call__(self, request: Any) -> dict[str, Any]:
        self.requests.append(request)
        if self.error:
            return {"error": self.error, "response": None}
        return {"error": None, "response": response(body=json.dumps(self.body))}


def test_seed_token_script_sets_collection_variables(run: Any) -> None:
    sender = FakeSender(V1_TOKEN)
    collection = {"tenantId": "tenant-1", "clientId": "app-1", "clientSecret": "s3cret"}
    outcome, ctx = run(SEED_SCRIPT, "prerequest", collection=collection, send_request=sender)
    assert outcome.error is None
    assert ctx.collection["bearerToken"] == V1_TOKEN["access_token"]
    assert ctx.collection["bearerTokenExpiresOn"] == "1900000000"
    [sent] = sender.requests
    assert sent["url"] == "https://login.microsoftonline.com/tenant-1/oauth2/token"
    assert sent["method"] == "POST"
    assert sent["header"] == "Content-Type: application/x-www-form-urlencoded"
    fields = {p["key"]: p["value"] for p in sent["body"]["urlencoded"]}
    assert fields == {
        "grant_type": "client_credentials",
        "client_id": "app-1",
        "client_secret": "s3cret",
        "resource": "https://management.azure.com/",
    }


def test_seed_token_script_logs_transport_errors(run: Any) -> None:
    logged: list[tuple[str, str]] = []
    sender = FakeSender(error="connect ECONNREFUSED")
    outcome, ctx = run(
        SEED_SCRIPT, "prerequest", send_request=sender, console=lambda *m: logged.append(m)
    )
    assert outcome.error is None
    assert "bearerToken" not in ctx.collection
    assert logged == [("log", "Error: connect ECONNREFUSED")]


@pytest.mark.external
def test_seed_lines_are_verbatim() -> None:
    text = (require(SEEDS) / "001_730a2a68e888092d.txt").read_text(encoding="utf-8")
    start = text.index("    url: 'https://login")
    end = text.index("resJson.access_token);") + len("resJson.access_token);")
    seed_lines = [line for line in text[start:end].splitlines() if line.strip()]
    ours = SEED_SCRIPT.splitlines()
    positions = [ours.index(line) for line in seed_lines]
    assert positions == sorted(positions)
    assert len(seed_lines) == 16


def _oav_script() -> str:
    folder = require(CORPUS / "azure-oav-generated")
    data = json.loads((folder / "storagequickstart.postman_collection.json").read_text("utf-8"))
    [event] = [e for e in data["event"] if e["listen"] == "prerequest"]
    exec_ = event["script"]["exec"]
    return exec_ if isinstance(exec_, str) else "\n".join(exec_)


def _fetches_and_caches(run: Any, script: str, names: dict[str, str]) -> None:
    """The guarded token script fetches a v2 token once, caches it, then sends nothing."""
    sender = FakeSender({"token_type": "Bearer", "expires_in": 3599, "access_token": "tok-v2"})
    collection = {names["enable"]: "true", names["id"]: "app", names["secret"]: "pw"}
    env = {names["tenant"]: "t-9"}
    outcome, ctx = run(
        script, "prerequest", collection=collection, environment=env, send_request=sender
    )
    assert outcome.error is None
    assert ctx.environment[names["token"]] == "tok-v2"
    expires = ctx.environment[names["token"] + "_expires_on"]
    assert time.time() + 3500 < expires <= time.time() + 3600
    [sent] = sender.requests
    assert sent["url"] == "https://login.microsoftonline.com/t-9/oauth2/v2.0/token"
    fields = {p["key"]: p["value"] for p in sent["body"]["urlencoded"]}
    assert fields["client_id"] == "app" and fields["client_secret"] == "pw"
    # With the token cached, the same script sends nothing.
    again, _ = run(
        script,
        "prerequest",
        collection=collection,
        environment=ctx.environment,
        send_request=sender,
    )
    assert again.error is None
    assert len(sender.requests) == 1
    # Expired: fetched again.
    expired = {**ctx.environment, names["token"] + "_expires_on": int(time.time()) - 1}
    run(script, "prerequest", collection=collection, environment=expired, send_request=sender)
    assert len(sender.requests) == 2
    # The guard: without the switch the script returns at the top and sends nothing.
    off, _ = run(script, "prerequest", collection={}, send_request=sender)
    assert off.error is None and len(sender.requests) == 2


GUARDED = {
    "enable": "use_auth",
    "id": "app_id",
    "secret": "app_secret",
    "tenant": "tenant",
    "token": "cached_token",
}
OAV = {
    "enable": "x_enable_auth",
    "id": "client_id",
    "secret": "client_secret",
    "tenant": "tenantId",
    "token": "x_bearer_token_0",
}


def test_guarded_token_prerequest_fetches_and_caches_token(run: Any) -> None:
    _fetches_and_caches(run, GUARDED_SCRIPT, GUARDED)


def test_guarded_token_script_reports_missing_variable(run: Any) -> None:
    outcome, _ = run(GUARDED_SCRIPT, "prerequest", collection={"use_auth": "true"})
    assert outcome.error is not None
    assert (
        outcome.error.message == "app_id variable not set: expected undefined not to be undefined"
    )
    empty, _ = run(GUARDED_SCRIPT, "prerequest", collection={"use_auth": "true", "app_id": ""})
    assert empty.error is not None
    assert empty.error.message == "app_id variable not set: expected '' not to be empty"


@pytest.mark.external
def test_azure_oav_collection_prerequest_fetches_and_caches_token(run: Any) -> None:
    _fetches_and_caches(run, _oav_script(), OAV)


@pytest.mark.external
def test_azure_oav_script_reports_missing_variable(run: Any) -> None:
    outcome, _ = run(_oav_script(), "prerequest", collection={"x_enable_auth": "true"})
    assert outcome.error is not None
    assert (
        outcome.error.message
        == "client_id variable not set: expected undefined not to be undefined"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("pm.test('x', () => {});", UNSET),
        ("postman.setNextRequest('Other');", "Other"),
        ("pm.execution.setNextRequest('Third');", "Third"),
        ("postman.setNextRequest(null);", None),
        ("postman.setNextRequest('a'); postman.setNextRequest('b');", "b"),
    ],
)
def test_set_next_request(run: Any, source: str, expected: Any) -> None:
    outcome, _ = run(source)
    assert outcome.next_request is expected or outcome.next_request == expected


def test_skip_request_only_in_prerequest(run: Any) -> None:
    pre, _ = run("pm.execution.skipRequest();", "prerequest")
    post, _ = run("pm.execution.skipRequest();", "test")
    assert (pre.skip_request, post.skip_request) == (True, False)


def test_send_request_callbacks_can_chain_and_test(run: Any) -> None:
    sender = FakeSender({"n": 1})
    source = """
pm.sendRequest('https://a.test/1', function (err, res) {
    pm.test('first', () => pm.expect(res.json().n).to.equal(1));
    pm.sendRequest({url: 'https://a.test/2', method: 'POST'}, function (err2, res2) {
        pm.variables.set('second', res2.code);
    });
});
pm.test('main body', () => {});
"""
    outcome, ctx = run(source, send_request=sender)
    assert outcome.error is None
    assert [t.name for t in outcome.tests] == ["main body", "first"]
    assert sender.requests == ["https://a.test/1", {"url": "https://a.test/2", "method": "POST"}]
    assert ctx.locals == {"second": 200}


def test_send_request_promise_and_top_level_await(run: Any) -> None:
    sender = FakeSender({"ok": True})
    source = """
const res = await pm.sendRequest('https://a.test/p');
pm.test('awaited', () => pm.expect(res.json().ok).to.be.true);
"""
    outcome, _ = run(source, send_request=sender)
    assert outcome.error is None
    assert [(t.name, t.passed) for t in outcome.tests] == [("awaited", True)]


def test_an_error_in_a_callback_is_ignored_and_logged_as_in_postman(run: Any) -> None:
    # Newman ignores an exception thrown by a sendRequest callback (issue 11): the script
    # goes on, and runner says what happened in the request's console.
    source = (
        "pm.sendRequest('https://a.test', function (err, res) {\n  res.nope.x;\n});\n"
        "pm.test('after', () => {});"
    )
    outcome, _ = run(source, send_request=FakeSender({}))
    assert outcome.error is None
    assert [(t.name, t.passed) for t in outcome.tests] == [("after", True)]
    assert outcome.console == [
        (
            "warn",
            "pm.sendRequest callback threw (ignored, as in Postman): "
            "TypeError: Cannot read properties of undefined (reading 'x')",
        )
    ]


def test_send_request_without_sender_gives_err(run: Any) -> None:
    outcome, _ = run("pm.sendRequest('https://a.test', (err) => pm.test(String(err), () => {}));")
    assert [t.name for t in outcome.tests] == ["Error: pm.sendRequest is not available here"]


def test_timers_run_in_order_after_the_body(run: Any) -> None:
    source = """
var order = [];
setTimeout(() => order.push('late'), 50);
setTimeout(() => { order.push('early'); setTimeout(() => {
    order.push('nested');
    pm.test(order.join(','), () => {});
}, 100); }, 10);
var cancelled = setTimeout(() => order.push('never'), 1);
clearTimeout(cancelled);
order.push('body');
"""
    outcome, _ = run(source)
    assert outcome.error is None
    assert [t.name for t in outcome.tests] == ["body,early,late,nested"]


def test_done_callback_and_async_tests(run: Any) -> None:
    source = """
pm.test('with done', function (done) { setTimeout(() => done(), 5); });
pm.test('done with error', function (done) { setTimeout(() => done(new Error('boom')), 5); });
pm.test('async fn', async () => { await null; pm.expect(1).to.equal(2); });
pm.test('never done', function (done) {});
"""
    outcome, _ = run(source)
    assert [(t.name, t.passed, t.error) for t in outcome.tests] == [
        ("with done", True, None),
        ("done with error", False, "Error: boom"),
        ("async fn", False, "expected 1 to equal 2"),
        (
            "never done",
            False,
            "test did not finish (done() not called or promise pending)",
        ),
    ]


def test_send_request_with_pm_request_uses_postman_shape(run: Any) -> None:
    body = {"mode": "urlencoded", "urlencoded": [["k", "v"]]}
    request = request_with("POST", "http://a.test/x", body, [["X-A", "1"]])
    sender = FakeSender({})
    outcome, _ = run("pm.sendRequest(pm.request, () => {});", request=request, send_request=sender)
    assert outcome.error is None
    assert sender.requests == [
        {
            "url": "http://a.test/x",
            "method": "POST",
            "header": [{"key": "X-A", "value": "1"}],
            "body": {"mode": "urlencoded", "urlencoded": [{"key": "k", "value": "v"}]},
        }
    ]


def test_await_a_timer_promise(run: Any) -> None:
    source = """
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
await wait(100);
pm.collectionVariables.set('after', 'wait');
await wait(5);
pm.test('resumed', () => {});
"""
    outcome, ctx = run(source, "prerequest")
    assert outcome.error is None
    assert [t.name for t in outcome.tests] == ["resumed"]
    assert ctx.collection["after"] == "wait"


def test_rejected_top_level_await_is_an_error_with_line(run: Any) -> None:
    outcome, _ = run("await null;\nawait Promise.reject(new RangeError('nope'));")
    assert outcome.error is not None
    assert (outcome.error.name, outcome.error.message, outcome.error.line) == (
        "RangeError",
        "nope",
        2,
    )
