"""The step and loop engine on a fake transport (tests/support/fake_transport.py): retries and
their times, transport errors, captures feeding later requests, iterations with data rows,
--bail, and parallel iterations each with their own variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from support.fake_transport import FakeTransport, queue, reply

from runner.engine.loop import Loop
from runner.engine.options import RunOptions
from runner.errors import TransportError
from runner.loader import load_collection
from runner.report import MultiReporter
from runner.resolve.variables import Scope
from runner.results import Attempt, ItemResult
from runner.secrets import Masker

from .conftest import collection, write_json


def run(
    tmp_path: Path, transport: FakeTransport, *items: dict[str, Any], **options: Any
) -> list[ItemResult]:
    """Runs a native collection of `items` on `transport`; returns every result in order."""
    path = write_json(tmp_path / "c.json", collection(*items, variables={"base": "http://x.test"}))
    loaded = load_collection(path)
    loop = Loop(loaded, RunOptions(**options), transport, MultiReporter([]), Masker())
    try:
        return loop.iterate(Scope({"collection": dict(loaded.variables)})).results
    finally:
        loop.close()


def test_retries_are_recorded_and_their_times_add_up(tmp_path: Path) -> None:
    fake = FakeTransport(
        queue(
            reply({}, status=503, headers={"Retry-After": "0"}, elapsed_ms=10),
            reply({}, status=503, headers={"Retry-After": "0"}, elapsed_ms=20),
            reply({"ok": True}, elapsed_ms=30),
        )
    )
    [result] = run(tmp_path, fake, {"name": "r", "url": "<<base>>/a"}, retries=2)
    assert (result.status, result.error) == (200, None)
    why = "HTTP 503, waited 0 ms, as Retry-After asked"
    assert result.attempts == [Attempt(503, None, why, 0.0), Attempt(503, None, why, 0.0)]
    # The request's time covers every attempt (10 + 20 + 30 ms), not only the last one.
    assert 60 <= result.elapsed_ms < 60 + 2000
    assert len(fake.sent) == 3


def test_retries_stop_at_the_limit_and_post_is_not_retried(tmp_path: Path) -> None:
    busy = reply({}, status=503, headers={"Retry-After": "0"}, elapsed_ms=5)
    fake = FakeTransport(queue(busy))
    get, post = run(
        tmp_path,
        fake,
        {"name": "get", "url": "<<base>>/a", "assert": {"status": 200}},
        {"name": "post", "method": "POST", "url": "<<base>>/b"},
        retries=1,
    )
    assert (get.status, len(get.attempts), get.failed) == (503, 1, True)
    assert 10 <= get.elapsed_ms < 10 + 2000
    assert (post.status, post.attempts) == (503, [])
    assert [r.method for r in fake.sent] == ["GET", "GET", "POST"]


def test_a_transport_error_is_the_requests_error_and_the_run_goes_on(tmp_path: Path) -> None:
    def answer(request: Any) -> Any:
        if request.url.endswith("/down"):
            return TransportError("connection refused by x.test")
        return reply({"n": 1})

    down, up = run(
        tmp_path,
        FakeTransport(answer),
        {"name": "down", "url": "<<base>>/down", "assert": {"status": 200}},
        {"name": "up", "url": "<<base>>/up", "assert": {"status": 200}},
    )
    assert (down.error, down.status, down.assertions) == ("connection refused by x.test", None, [])
    assert not down.ok and up.ok


def test_captures_feed_later_requests_and_a_failed_one_names_its_source(tmp_path: Path) -> None:
    def answer(request: Any) -> Any:
        return reply({"id": 5, "tags": ["a"]} if "/first" in request.url else {"other": 1})

    fake = FakeTransport(answer)
    first, second, third = run(
        tmp_path,
        fake,
        {"name": "first", "url": "<<base>>/first", "capture": {"id": "$.id", "tags": "$.tags"}},
        {"name": "second", "url": "<<base>>/items/<<id>>?t=<<tags>>",
         "capture": {"missing": "$.nope"}},
        {"name": "third", "url": "<<base>>/x/<<missing>>"},
    )  # fmt: skip
    assert first.captures == {"id": 5, "tags": ["a"]}
    assert fake.urls[1] == 'http://x.test/items/5?t=["a"]'
    assert [(a.name, a.passed) for a in second.assertions] == [("capture missing", False)]
    assert third.error == "<<missing>> has no value: 'second' was to capture it and did not"
    assert len(fake.sent) == 2


def test_iterations_take_their_data_row_and_start_without_captures(tmp_path: Path) -> None:
    fake = FakeTransport(lambda request: reply({"row": parse_qs(urlsplit(request.url).query)}))
    results = run(
        tmp_path,
        fake,
        {"name": "use", "url": "<<base>>/a?row=<<row>>&seen=<<$guid>>"},
        {"name": "capture", "url": "<<base>>/b?row=<<row>>", "capture": {"got": "$.row.row[0]"}},
        data=[{"row": "r1"}, {"row": "r2"}],
        iterations=3,
    )
    assert [(r.name, r.iteration) for r in results] == [
        ("use", 1), ("capture", 1), ("use", 2), ("capture", 2), ("use", 3), ("capture", 3)
    ]  # fmt: skip
    rows = [parse_qs(urlsplit(u).query)["row"] for u in fake.urls]
    assert rows == [["r1"], ["r1"], ["r2"], ["r2"], ["r1"], ["r1"]]
    assert [r.captures for r in results[1::2]] == [{"got": "r1"}, {"got": "r2"}, {"got": "r1"}]


def test_bail_skips_the_rest_with_the_reason(tmp_path: Path) -> None:
    fake = FakeTransport(queue(reply({}, status=500)))
    results = run(
        tmp_path,
        fake,
        {"name": "a", "url": "<<base>>/a", "assert": {"status": 200}},
        {"name": "b", "url": "<<base>>/b"},
        bail=True,
        iterations=2,
    )
    assert [(r.name, r.iteration, r.skipped, r.skip_reason) for r in results] == [
        ("a", 1, False, None),
        ("b", 1, True, "bail"),
        ("a", 2, True, "bail"),
        ("b", 2, True, "bail"),
    ]
    assert len(fake.sent) == 1


def test_parallel_iterations_keep_their_own_captures_and_order(tmp_path: Path) -> None:
    def answer(request: Any) -> Any:
        query = parse_qs(urlsplit(request.url).query)
        return reply({"mine": query.get("row", query.get("mine", ["?"]))[0]})

    rows = [{"row": f"r{i}"} for i in range(1, 7)]
    results = run(
        tmp_path,
        FakeTransport(answer),
        {"name": "set", "url": "<<base>>/a?row=<<row>>", "capture": {"mine": "$.mine"}},
        {"name": "get", "url": "<<base>>/b?mine=<<mine>>",
         "assert": {"jsonpath": {"$.mine": "<<row>>"}}},
        data=rows,
        parallel=3,
    )  # fmt: skip
    assert [r.iteration for r in results] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    assert all(r.ok for r in results), [(r.name, r.assertions) for r in results if not r.ok]
