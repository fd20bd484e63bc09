"""Several collections in one run (issue 14 point 1): files, a folder, a glob, stdin; one
console summary, one JUnit file (a suite per collection), one JSON report; --jobs."""

from __future__ import annotations

import io
import json
import signal
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.junit_xsd import assert_valid_junit
from support.report_schema import assert_valid_report
from support.signals import interrupt_run

from .conftest import collection, write_json

POSTMAN = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def native(tmp: Path, file: str, name: str, *paths: str, status: int = 200) -> Path:
    """Writes a native collection of GET requests to `paths` (each asserting `status`)."""
    items = [
        {"name": f"get {p}", "url": f"<<base>>{p}", "assert": {"status": status}} for p in paths
    ]
    return write_json(tmp / file, collection(*items, name=name))


def postman(tmp: Path, file: str, name: str, path: str, test: str = "") -> Path:
    """Writes a Postman v2.1 collection with one request (and a test script)."""
    item: dict[str, object] = {"name": f"pm {path}", "request": {"url": "{{base}}" + path}}
    if test:
        item["event"] = [{"listen": "test", "script": {"exec": [test]}}]
    return write_json(tmp / file, {"info": {"name": name, "schema": POSTMAN}, "item": [item]})


@pytest.fixture
def env(tmp_path: Path, server) -> Path:
    return write_json(tmp_path / "env" / "dev.json", {"variables": {"base": server.url}})


def test_two_collections_one_summary_one_junit_one_json_one_html(tmp_path, server, cli, env):
    a = native(tmp_path, "a.json", "users", "/json", "/text")
    b = native(tmp_path, "b.json", "orders", "/echo")
    junit, report, html = tmp_path / "out.xml", tmp_path / "out.json", tmp_path / "out.html"
    result = cli("run", a, b, "-e", env, "--junit", junit, "--json", report, "--html", html)
    assert result.code == 0, result.text
    out = result.out
    # Per collection: its header, its lines, its own summary; then one TOTAL line.
    assert out.index("users (2 requests)") < out.index("get /text") < out.index("orders (1")
    assert out.count(" PASSED:") == 3  # users, orders and TOTAL
    assert out.index("\nusers PASSED: ") < out.index("\norders PASSED: ")
    assert "TOTAL PASSED: 2 collections, 2 passed, 3 requests" in out
    assert server.paths() == ["/json", "/text", "/echo"]
    assert_valid_junit(junit)
    root = ET.parse(junit).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["users", "orders"]
    assert [s.get("tests") for s in suites] == ["2", "1"]
    assert root.get("tests") == "3"
    assert [c.get("classname") for c in suites[1].iter("testcase")] == ["orders"]
    document = assert_valid_report(report)
    assert [c["collection"] for c in document["collections"]] == ["users", "orders"]
    assert [c["source"] for c in document["collections"]] == [str(a), str(b)]
    assert [c["summary"]["requests"] for c in document["collections"]] == [2, 1]
    assert document["summary"]["requests"] == 3
    assert document["summary"]["exit_status"] == 0
    assert [(r["name"], r["collection"]) for r in document["results"]] == [
        ("get /json", 0),
        ("get /text", 0),
        ("get /echo", 1),
    ]
    page = html.read_text()
    # One page: each collection's requests under a heading of its name, in the order run.
    assert page.index("<h3>users</h3>") < page.index("get /text") < page.index("<h3>orders</h3>")
    assert page.index("<h3>orders</h3>") < page.index("get /echo")


def test_quiet_summary_lines_name_their_collection(tmp_path, server, cli, env):
    # -q prints no header: each collection's summary line says whose it is, two of one
    # name told apart as in the JUnit suites.
    bad = native(tmp_path, "bad.json", "users", "/json", "/text", status=404)
    good = native(tmp_path, "good.json", "orders", "/echo")
    again = native(tmp_path, "again.json", "users", "/echo")
    result = cli("run", bad, good, again, "-e", env, "-q")
    assert result.code == 1, result.text
    verdicts = [line for line in result.out.splitlines() if "PASSED" in line or "FAILED" in line]
    assert [line.split(":")[0] for line in verdicts] == [
        "users FAILED",
        "orders PASSED",
        "users (2) PASSED",
        "TOTAL FAILED",
    ]
    assert verdicts[-1].endswith("(not passed: users)")
    for jobs in ("1", "2"):  # held back and printed whole, the lines are the same
        side = cli("run", bad, again, "-e", env, "-q", "--jobs", jobs)
        lines = [line for line in side.out.splitlines() if "PASSED" in line or "FAILED" in line]
        assert [line.split(":")[0] for line in lines[:2]] == ["users FAILED", "users (2) PASSED"]
    alone = cli("run", good, "-e", env, "-q")  # one collection: the line as ever
    assert alone.out.splitlines()[-1].startswith("PASSED: ")


def test_a_failing_collection_among_passing_ones_gives_the_worst_exit_status(
    tmp_path, server, cli, env
):
    good = native(tmp_path, "good.json", "good", "/json")
    bad = native(tmp_path, "bad.json", "bad", "/json", status=404)
    also = native(tmp_path, "also.json", "also good", "/text")
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    result = cli("run", good, bad, also, "-e", env, "--junit", junit, "--json", report)
    assert result.code == 1, result.text
    assert "TOTAL FAILED: 3 collections, 2 passed" in result.out
    assert "(not passed: bad)" in result.out
    assert server.paths() == ["/json", "/json", "/text"]  # the failure stopped nothing
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert [s.get("failures") for s in suites] == ["0", "1", "0"]
    document = assert_valid_report(report)
    assert [c["summary"]["exit_status"] for c in document["collections"]] == [0, 1, 0]
    assert document["summary"]["exit_status"] == 1
    assert document["summary"]["failed"] == 1


def test_a_folder_runs_its_collections_by_name_and_leaves_other_files_out(
    tmp_path, server, cli, env
):
    folder = tmp_path / "api"
    native(folder, "b-native.json", "native b", "/text")
    postman(folder, "a.postman_collection.json", "postman a", "/json")
    write_json(folder / "dev.postman_environment.json", {"values": [], "name": "dev"})
    write_json(folder / "local.json", {"variables": {"x": 1}})  # a native environment
    write_json(folder / "rows.json", [{"id": 1}])  # a data file
    write_json(folder / "user.schema.json", {"$schema": "x", "type": "object"})
    (folder / "notes.txt").write_text("not JSON")
    native(folder / "sub", "c.json", "nested", "/echo")  # subfolders are not read
    result = cli("run", folder, "-e", env)
    assert result.code == 0, result.text
    assert server.paths() == ["/json", "/text"]  # a.postman… before b-native.json
    assert "TOTAL PASSED: 2 collections" in result.out
    recursive = cli("run", f"{folder}/**/*.json", "-e", env)
    assert recursive.code == 0, recursive.text
    assert "TOTAL PASSED: 3 collections" in recursive.out


def test_a_glob_is_expanded_by_runner_and_a_file_named_twice_runs_once(tmp_path, server, cli, env):
    native(tmp_path, "smoke-1.json", "one", "/json")
    native(tmp_path, "smoke-2.json", "two", "/text")
    native(tmp_path, "other.json", "other", "/echo")
    result = cli("run", tmp_path / "smoke-1.json", str(tmp_path / "smoke-*.json"), "-e", env)
    assert result.code == 0, result.text
    assert server.paths() == ["/json", "/text"]


def test_a_folder_of_one_collection_reports_as_a_single_run(tmp_path, server, cli, env):
    native(tmp_path / "one", "only.json", "only", "/json")
    report = tmp_path / "r.json"
    result = cli("run", tmp_path / "one", "-e", env, "--json", report)
    assert result.code == 0, result.text
    assert "TOTAL" not in result.out
    document = assert_valid_report(report)
    assert "collections" not in document
    assert document["collection"] == "only"
    assert "collection" not in document["results"][0]


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("nothing-*.json", "pattern nothing-*.json: no collection found"),
        ("empty", "folder empty: no collection found (looked at 1 file)"),
    ],
)
def test_a_glob_or_folder_with_no_collection_is_invalid_input(
    tmp_path, server, cli, env, monkeypatch, argument, message
):
    monkeypatch.chdir(tmp_path)
    write_json(tmp_path / "empty" / "env.json", {"variables": {}})
    good = native(tmp_path, "good.json", "good", "/json")
    result = cli("run", good, argument, "-e", env)
    assert result.code == 2, result.text
    assert message in result.err
    assert server.log == []


@pytest.mark.parametrize(
    ("argument", "stdin", "messages", "hint"),
    [
        (
            "api",
            "",
            [
                "api/broken.json: malformed JSON at line 1, column 2",
                "api/cut.json: malformed JSON at line 1, column 9",
            ],
            "a trailing comma or a missing value?",
        ),
        ("empty", "", ["folder empty: no collection found"], "for subfolders: 'DIR/**/*.json'"),
        ("nomatch/*.json", "", ["pattern nomatch/*.json: no collection found"], "quote it"),
        ("-", "{}", ["<stdin>: missing required key 'name'"], 'give it a "name"'),
        ("-", "[1, 2]", ["<stdin>: a collection must be a JSON object"], "start from {"),
    ],
)
def test_the_only_operand_giving_no_collection_reports_why(
    tmp_path, server, cli, env, monkeypatch, argument, stdin, messages, hint
):
    # A folder, glob or stdin alone that yields nothing runnable: its own problems are
    # reported (with the file and a fix), not a bare "no collection to run".
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    native(tmp_path / "api", "a.json", "good", "/json")  # valid, but its folder is not
    (tmp_path / "api" / "broken.json").write_text("{bad")
    (tmp_path / "api" / "cut.json").write_text('{"name":')
    (tmp_path / "empty").mkdir()
    result = cli("run", argument, "-e", env)
    assert result.code == 2, result.text
    for message in messages:
        assert f"error: {message}" in result.err
    assert hint in result.err
    assert "no collection to run" not in result.err
    assert "Traceback" not in result.text
    assert server.log == []


def test_jobs_below_one_is_reported_with_the_other_problems(tmp_path, server, cli, env):
    good = native(tmp_path, "good.json", "good", "/json")
    result = cli("run", good, tmp_path / "nothing-*.json", "-e", env, "--jobs", "0")
    assert result.code == 2, result.text
    assert "2 problems found" in result.err
    assert "no collection found" in result.err
    assert "--jobs must be at least 1, got 0" in result.err
    assert "hint: --jobs 1 runs the collections in turn" in result.err
    assert server.log == []


def test_one_bad_file_among_good_ones_sends_nothing_and_names_each_problem(
    tmp_path, server, cli, env
):
    good = native(tmp_path, "good.json", "good", "/json")
    invalid = write_json(tmp_path / "invalid.json", collection({"name": "x", "url": 5}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "b", "items": [],}')
    junit = tmp_path / "j.xml"
    result = cli("run", good, invalid, broken, "-e", env, "--jobs", "2", "--junit", junit)
    assert result.code == 2, result.text
    assert server.log == []
    assert "2 problems found" in result.err
    assert f"{invalid}" in result.err and "/items/0/url" in result.err
    assert f"{broken}" in result.err and "trailing comma" in result.err
    cases = ET.parse(junit).getroot().findall(".//testcase")
    assert [c.get("name") for c in cases] == ["invalid input"]


def test_variables_do_not_leak_from_one_collection_into_the_next(tmp_path, server, cli):
    env = write_json(tmp_path / "e.json", {"variables": {"base": server.url, "who": "start"}})
    globals_file = write_json(tmp_path / "g.json", {"variables": {"g": "start"}})
    setter = postman(
        tmp_path,
        "a.json",
        "setter",
        "/json",
        "pm.environment.set('who', 'leaked'); pm.globals.set('g', 'leaked');"
        "pm.collectionVariables.set('c', 'leaked');",
    )
    reader = postman(tmp_path, "b.json", "reader", "/echo?who={{who}}&g={{g}}")
    for jobs in ("1", "2"):
        server.clear()
        result = cli("run", setter, reader, "-e", env, "-g", globals_file, "--jobs", jobs)
        assert result.code == 0, result.text
        seen = [s for s in server.log if s.path == "/echo"]
        assert seen[0].query == {"who": ["start"], "g": ["start"]}


def test_jobs_run_collections_side_by_side_and_print_each_whole_in_order(
    tmp_path, server, cli, env
):
    files = [native(tmp_path, f"{n}.json", f"slow {n}", "/delay/300", "/delay/300") for n in "abc"]
    result = cli("run", *files, "-e", env, "--jobs", "3")
    assert result.code == 0, result.text
    assert server.max_inflight >= 2  # the server saw requests of two collections at once
    out = result.out
    headers = [out.index(f"slow {n} (2 requests)") for n in "abc"]
    assert headers == sorted(headers)
    # Each collection's lines come whole: its two results and summary before the next header.
    ends = [*headers[1:], out.index("TOTAL")]
    for n, start, end in zip("abc", headers, ends, strict=True):
        assert out[start:end].count("✔") == 2
        assert out[start:end].count(f"\nslow {n} PASSED:") == 1
    server.clear()
    one_at_a_time = cli("run", *files, "-e", env)
    assert one_at_a_time.code == 0
    assert server.max_inflight == 1


def test_stdin_is_one_collection_and_dash_twice_is_refused(tmp_path, server, cli, env, monkeypatch):
    piped = json.dumps(collection({"name": "piped", "url": "<<base>>/text"}, name="from stdin"))
    other = native(tmp_path, "b.json", "file", "/json")
    report = tmp_path / "r.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO(piped))
    result = cli("run", "-", other, "-e", env, "--json", report)
    assert result.code == 0, result.text
    assert server.paths() == ["/text", "/json"]
    document = assert_valid_report(report)
    assert [c["source"] for c in document["collections"]] == ["<stdin>", str(other)]
    monkeypatch.setattr(sys, "stdin", io.StringIO(piped))
    alone = cli("run", "-", "-e", env)
    assert alone.code == 0 and "from stdin (1 request)" in alone.out
    server.clear()
    monkeypatch.setattr(sys, "stdin", io.StringIO(piped))
    twice = cli("run", "-", "-", "-e", env)
    assert twice.code == 2
    assert "'-' (stdin) is given twice" in twice.err
    monkeypatch.setattr(sys, "stdin", io.StringIO("{not json"))
    bad = cli("run", "-", other, "-e", env)
    assert bad.code == 2 and "<stdin>" in bad.err
    assert server.log == []


def test_options_for_one_collection_are_refused_with_several(tmp_path, server, cli, env):
    a = native(tmp_path, "a.json", "a", "/json")
    b = native(tmp_path, "b.json", "b", "/json")
    result = cli("run", a, b, "-e", env, "--export-environment", tmp_path / "out.json")
    assert result.code == 2
    assert "--export-environment is for one collection, and 2 are run" in result.err
    jar = cli("run", a, b, "-e", env, "--cookie-jar", tmp_path / "jar.txt")
    assert jar.code == 2 and "--cookie-jar is for one collection" in jar.err
    zero = cli("run", a, b, "-e", env, "--jobs", "0")
    assert zero.code == 2 and "--jobs must be at least 1" in zero.err
    assert server.log == []


def test_two_collections_of_one_name_get_distinct_suites_and_newman_layout_merges(
    tmp_path, server, cli, env
):
    a = native(tmp_path, "a.json", "api", "/json")
    b = native(tmp_path, "b.json", "api", "/text")
    junit, newman = tmp_path / "j.xml", tmp_path / "n.xml"
    assert cli("run", a, b, "-e", env, "--junit", junit).code == 0
    names = [s.get("name") for s in ET.parse(junit).getroot().findall("testsuite")]
    assert names == ["api", "api (2)"]
    assert cli("run", a, b, "-e", env, "--junit", newman, "--junit-layout", "newman").code == 0
    assert_valid_junit(newman)
    names = [s.get("name") for s in ET.parse(newman).getroot().findall("testsuite")]
    assert names == ["api / get /json", "api (2) / get /text"]


def test_validate_checks_every_collection(tmp_path, cli, env, server):
    a = native(tmp_path, "a.json", "a", "/json")
    b = native(tmp_path, "b.json", "b", "/json", "/text")
    result = cli("validate", a, b, "-e", env)
    assert result.code == 0, result.text
    assert result.out == "valid: a (1 request)\nvalid: b (2 requests)\n"
    bad = write_json(tmp_path / "c.json", collection({"name": "x"}))
    assert cli("validate", a, bad, "-e", env).code == 2


def test_timeout_is_one_deadline_for_every_collection(tmp_path, server, cli, env):
    slow = native(tmp_path, "a.json", "slow", "/delay/400", "/delay/400")
    later = native(tmp_path, "b.json", "later", "/json")
    report = tmp_path / "r.json"
    result = cli("run", slow, later, "-e", env, "--timeout", "200", "--json", report)
    assert result.code == 1, result.text
    assert "/json" not in server.paths()
    document = assert_valid_report(report)
    assert [c["summary"]["timed_out"] for c in document["collections"]] == [True, True]
    later_results = [r for r in document["results"] if r["collection"] == 1]
    assert [r["skip_reason"] for r in later_results] == ["run timeout (200 ms)"]


def test_run_many_api_returns_a_result_per_collection(tmp_path, server, env):
    from runner import run_many

    a = native(tmp_path, "a.json", "a", "/json")
    b = native(tmp_path, "b.json", "b", "/json", status=500)
    result = run_many([a, b], env, jobs=2)
    assert [r.collection for r in result.runs] == ["a", "b"]
    assert [int(r.exit_status) for r in result.runs] == [0, 1]
    assert int(result.exit_status) == 1
    assert result.total.summary.requests == 2
    assert [r.name for r in result.runs[1].results] == ["get /json"]


@pytest.mark.parametrize(
    ("sent", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_a_signal_stops_every_collection_and_writes_all_reports(tmp_path, server, sent, status):
    env = write_json(tmp_path / "e.json", {"variables": {"base": server.url}})
    files = [native(tmp_path, f"{n}.json", n, *[f"/delay/300?c={n}"] * 6) for n in "abc"]
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    args = [*map(str, files), "-e", str(env), "--jobs", "2", "--junit", str(junit),
            "--json", str(report)]  # fmt: skip
    code, out, err = interrupt_run(args, server, sent, tmp_path)
    assert code == status, (out, err)
    assert "Traceback" not in err
    assert "TOTAL INTERRUPTED" in out
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["a", "b", "c"]
    for suite in suites:
        properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert properties == {"interrupted": "true", "signal": sent.name}
    document = json.loads(report.read_text())
    assert document["summary"]["interrupted"] is True
    assert document["summary"]["exit_status"] == status
    assert all(c["summary"]["interrupted"] for c in document["collections"])
    assert len([r for r in document["results"] if r["outcome"] == "passed"]) < 18
    # The third collection starts after the signal, when a slot frees: it sends nothing.
    assert {s.query["c"][0] for s in server.log} == {"a", "b"}
    assert document["collections"][2]["summary"]["requests"] == 0


def test_the_selection_applies_to_each_collection(tmp_path, server, cli, env):
    a = native(tmp_path, "a.json", "a", "/json", "/text")
    b = native(tmp_path, "b.json", "b", "/echo", "/json")
    result = cli("run", a, b, "-e", env, "--grep", "json")
    assert result.code == 0, result.text
    assert server.paths() == ["/json", "/json"]
    missing = cli("run", a, b, "-e", env, "--folder", "nowhere")
    assert missing.code == 2
    assert server.paths() == ["/json", "/json"]


def test_a_signal_ends_long_waits_of_collections_running_side_by_side(tmp_path):
    from support.operation_server import serve_operations

    with serve_operations() as ops:
        files = []
        for n in "ab":
            item = {
                "name": "waiting",
                "method": "DELETE",
                "url": f"{ops.url}/loc/{n}?polls=1000",
                "lro": {"intervalMs": 60_000},
            }
            files.append(str(write_json(tmp_path / f"{n}.json", collection(item, name=n))))
        report = tmp_path / "r.json"
        pressed = time.monotonic()
        # Both collections are in their minute-long wait (one DELETE each seen) when sent.
        code, out, err = interrupt_run(
            [*files, "--jobs", "2", "--json", str(report)], ops, signal.SIGTERM, tmp_path, 2
        )
        took = time.monotonic() - pressed
    assert code == 143, (out, err)
    assert took < 15  # not the minute of the wait: the worker threads were told at once
    document = assert_valid_report(report)
    assert [c["summary"]["interrupted"] for c in document["collections"]] == [True, True]


def test_a_short_env_secret_named_by_a_collection_on_stdin_is_masked(
    tmp_path, server, cli, env, monkeypatch
):
    monkeypatch.setenv("API_KEY", "k3y42")  # too short to be masked unless a file names it
    piped = collection({"name": "keyed", "url": "<<base>>/echo?key=<<$env.API_KEY>>"})
    other = native(tmp_path, "b.json", "file", "/json")
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(piped)))
    result = cli("run", "-", other, "-e", env, "--verbose", "--curl")
    assert result.code == 0, result.text
    assert server.log[0].query == {"key": ["k3y42"]}  # sent as it is
    assert "k3y42" not in result.text and "key=***" in result.out
