"""Issue 3 points 2 and 6: every `runner run` option, data-driven runs and --parallel."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from .conftest import run_cli, write_json


def _report(path):
    return json.loads(path.read_text())


def test_environment_and_globals_files(tmp_path, server, coll):
    env = write_json(tmp_path / "dev.json", {"name": "dev", "variables": {"base": server.url}})
    glob = write_json(tmp_path / "g.json", {"variables": {"path": "json"}})
    path = coll({"name": "r", "url": "<<base>>/<<path>>", "assert": {"status": 200}})
    result = run_cli("run", path, "-e", env, "-g", glob)
    assert result.code == 0, result.text
    assert server.paths() == ["/json"]


def test_csv_data_one_iteration_per_row(tmp_path, server, coll):
    data = tmp_path / "users.csv"
    data.write_text('user,greeting\nada,"hello, ada"\ngrace,hi\n', encoding="utf-8")
    path = coll(
        {"name": "r", "url": f"{server.url}/echo", "query": {"u": "<<user>>", "g": "<<greeting>>"}}
    )
    result = run_cli("run", path, "-d", data)
    assert result.code == 0, result.text
    assert [s.query for s in server.log] == [
        {"u": ["ada"], "g": ["hello, ada"]},
        {"u": ["grace"], "g": ["hi"]},
    ]
    assert "r [2]" in result.out


def test_json_data_keeps_values_typed(tmp_path, server, coll):
    data = write_json(tmp_path / "rows.json", [{"n": 1, "on": True}, {"n": 2, "on": False}])
    path = coll(
        {
            "name": "r",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {"json": {"n": "<<n>>", "on": "<<on>>"}},
        }
    )
    result = run_cli("run", path, "-d", data)
    assert result.code == 0, result.text
    assert [json.loads(s.body) for s in server.log] == [{"n": 1, "on": True}, {"n": 2, "on": False}]


def test_iterations_cycle_data_rows(tmp_path, server, coll):
    data = write_json(tmp_path / "rows.json", [{"u": "a"}, {"u": "b"}])
    path = coll({"name": "r", "url": f"{server.url}/echo", "query": {"u": "<<u>>"}})
    result = run_cli("run", path, "-d", data, "-n", "5")
    assert result.code == 0, result.text
    assert [s.query["u"][0] for s in server.log] == ["a", "b", "a", "b", "a"]


def test_iterations_without_data(server, coll):
    path = coll({"name": "r", "url": f"{server.url}/json"})
    result = run_cli("run", path, "-n", "3")
    assert result.code == 0
    assert len(server.log) == 3
    assert "3 iterations" in result.out


def test_each_iteration_has_its_own_captures(tmp_path, server, coll):
    # Iteration 2 must not see iteration 1's capture: its second request must fail.
    data = write_json(tmp_path / "rows.json", [{"go": "yes"}, {"go": "no"}])
    path = coll(
        {
            "name": "cap",
            "url": f"{server.url}/echo",
            "query": {"go": "<<go>>"},
            "capture": {"got": {"regex": r'"go": \["(yes)"'}},
        },
        {"name": "use", "url": f"{server.url}/echo", "query": {"got": "<<got>>"}},
    )
    result = run_cli("run", path, "-d", data, "--json", tmp_path / "r.json")
    assert result.code == 1, result.text
    results = _report(tmp_path / "r.json")["results"]
    assert [r["display_name"] for r in results] == ["cap", "use", "cap [2]", "use [2]"]
    assert results[1]["error"] is None
    assert "<<got>>" in results[3]["error"]


def test_parallel_keeps_iteration_order_and_names(tmp_path, server, coll):
    data = write_json(tmp_path / "rows.json", [{"ms": m} for m in (300, 10, 60, 0)])
    path = coll(
        {"name": "slow", "url": f"{server.url}/delay/<<ms>>", "assert": {"status": 200}},
        {"name": "after", "url": f"{server.url}/echo", "query": {"ms": "<<ms>>"}},
    )
    junit = tmp_path / "j.xml"
    result = run_cli(
        "run", path, "-d", data, "--parallel", "4", "--junit", junit, "--json", tmp_path / "r.json"
    )
    assert result.code == 0, result.text
    names = [c.get("name") for c in ET.parse(junit).iter("testcase")]
    assert names == [
        "slow",
        "after",
        "slow [2]",
        "after [2]",
        "slow [3]",
        "after [3]",
        "slow [4]",
        "after [4]",
    ]
    results = _report(tmp_path / "r.json")["results"]
    assert [r["iteration"] for r in results] == [1, 1, 2, 2, 3, 3, 4, 4]
    # The iterations really overlapped: the server saw a later row before the first ended.
    first_after = next(i for i, s in enumerate(server.log) if s.query.get("ms") == ["300"])
    assert first_after > 2
    lines = [ln for ln in result.out.splitlines() if "›" in ln or "✔" in ln or "✘" in ln]
    assert [ln.split()[1] for ln in lines] == [n.split()[0] for n in names]


def test_folder_option_selects_folders_and_requests(server, coll):
    path = coll(
        {"name": "A", "items": [{"name": "a1", "url": f"{server.url}/echo?a1"}]},
        {
            "name": "B",
            "items": [
                {"name": "b1", "url": f"{server.url}/echo?b1"},
                {"name": "Inner", "items": [{"name": "b2", "url": f"{server.url}/echo?b2"}]},
            ],
        },
        {"name": "top", "url": f"{server.url}/echo?top"},
    )
    result = run_cli("run", path, "--folder", "B")
    assert result.code == 0, result.text
    assert [list(s.query) for s in server.log] == [["b1"], ["b2"]]
    server.clear()
    result = run_cli("run", path, "--folder", "Inner", "--folder", "top")
    assert [list(s.query) for s in server.log] == [["b2"], ["top"]]


def test_unknown_folder_is_invalid_input_with_suggestion(tmp_path, server, coll):
    path = coll({"name": "Users", "items": [{"name": "a", "url": f"{server.url}/json"}]})
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    result = run_cli("run", path, "--folder", "Userz", "--junit", junit, "--json", report)
    assert result.code == 2
    assert "--folder 'Userz'" in result.err and "did you mean 'Users'" in result.err
    assert server.log == []
    error = ET.parse(junit).find(".//error")
    assert error is not None and "--folder 'Userz'" in error.get("message")
    assert list(tmp_path.glob("*.part")) == []


def test_bail_skips_the_rest_with_reason(tmp_path, server, coll):
    path = coll(
        {"name": "ok", "url": f"{server.url}/json", "assert": {"status": 200}},
        {"name": "bad", "url": f"{server.url}/json", "assert": {"status": 500}},
        {"name": "F", "items": [{"name": "never", "url": f"{server.url}/json"}]},
        {"name": "never2", "url": f"{server.url}/json"},
    )
    junit = tmp_path / "j.xml"
    result = run_cli(
        "run", path, "--bail", "--junit", junit, "--json", tmp_path / "r.json", "-n", "2"
    )
    assert result.code == 1
    assert len(server.log) == 2
    cases = list(ET.parse(junit).iter("testcase"))
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert [c.get("name") for c in skipped] == [
        "never",
        "never2",
        "ok [2]",
        "bad [2]",
        "never [2]",
        "never2 [2]",
    ]
    assert all(c.find("skipped").get("message") == "bail" for c in skipped)
    results = _report(tmp_path / "r.json")["results"]
    assert [r["skip_reason"] for r in results[2:]] == ["bail"] * 6
    assert "skipped: bail" in result.out


def test_bail_on_error_too(server, coll):
    from support.local_server import closed_port

    path = coll(
        {"name": "down", "url": f"http://127.0.0.1:{closed_port()}/x"},
        {"name": "never", "url": f"{server.url}/json"},
    )
    result = run_cli("run", path, "--bail")
    assert result.code == 1
    assert server.log == []
    assert "never (skipped: bail)" in result.out


def test_timeout_request_option_and_per_request_timeout(server, coll):
    path = coll(
        {"name": "slow", "url": f"{server.url}/delay/400"},
        {"name": "own", "url": f"{server.url}/delay/400", "timeoutMs": 1000},
        {"name": "fast", "url": f"{server.url}/json"},
    )
    result = run_cli("run", path, "--timeout-request", "100")
    assert result.code == 1
    assert "timed out after 100 ms waiting for 127.0.0.1" in result.out
    lines = result.out.splitlines()
    own = next(ln for ln in lines if " own " in ln)
    assert "✔" in own  # the request's own timeoutMs wins over --timeout-request
    assert any("✔ fast" in ln for ln in lines)


def test_delay_request_pauses_between_requests(server, coll):
    path = coll(*({"name": f"r{i}", "url": f"{server.url}/json"} for i in range(3)))
    result = run_cli("run", path, "--delay-request", "80")
    assert result.code == 0
    gaps = [b.at - a.at for a, b in zip(server.log, server.log[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.075


def test_retry_429_and_503_honouring_retry_after(tmp_path, server, coll):
    path = coll(
        {"name": "throttled", "url": f"{server.url}/flaky/a/2/429", "assert": {"status": 200}},
        {"name": "busy", "url": f"{server.url}/flaky/b/1/503", "assert": {"status": 200}},
    )
    junit = tmp_path / "j.xml"
    result = run_cli("run", path, "--retry", "2", "--json", tmp_path / "r.json", "--junit", junit)
    assert result.code == 0, result.text
    assert server.paths().count("/flaky/a/2/429") == 3
    results = _report(tmp_path / "r.json")["results"]
    assert [a["status"] for a in results[0]["attempts"]] == [429, 429]
    assert results[0]["attempts"][0]["reason"].startswith("HTTP 429, waited ")
    assert results[0]["attempts"][0]["waited_ms"] == 0
    assert [a["status"] for a in results[1]["attempts"]] == [503]
    # Retries are not extra testcases.
    assert len(list(ET.parse(junit).iter("testcase"))) == 2
    assert "(2 retries)" in result.out


def test_retry_gives_up_after_n(server, coll, tmp_path):
    path = coll({"name": "r", "url": f"{server.url}/flaky/c/5/429", "assert": {"status": 200}})
    result = run_cli("run", path, "--retry", "1", "--junit", tmp_path / "j.xml")
    assert result.code == 1
    assert len(server.log) == 2
    assert "retry: 429 (HTTP 429, waited " in result.out
    assert "retry: 429" in (tmp_path / "j.xml").read_text()


def test_no_retry_by_default(server, coll):
    path = coll({"name": "r", "url": f"{server.url}/flaky/d/1/503", "assert": {"status": 200}})
    assert run_cli("run", path).code == 1
    assert len(server.log) == 1


def test_post_not_retried_unless_request_allows(server, coll):
    path = coll(
        {"name": "post", "method": "POST", "url": f"{server.url}/flaky/e/1/503"},
        {
            "name": "post ok",
            "method": "POST",
            "url": f"{server.url}/flaky/f/1/503",
            "retry": True,
            "assert": {"status": 200},
        },
    )
    result = run_cli("run", path, "--retry", "3")
    assert result.code == 0, result.text
    assert server.paths() == ["/flaky/e/1/503", "/flaky/f/1/503", "/flaky/f/1/503"]


def test_retry_after_dropped_connection(server, coll, tmp_path):
    path = coll({"name": "drop", "url": f"{server.url}/drop"})
    result = run_cli("run", path, "--retry", "1", "--json", tmp_path / "r.json")
    assert result.code == 1
    assert server.paths() == ["/drop", "/drop"]
    attempt = _report(tmp_path / "r.json")["results"][0]["attempts"][0]
    assert attempt["reason"] == "connection reset, waited 100 ms backoff"


def test_connect_to_keeps_url_and_host(tmp_path, server, coll):
    path = coll({"name": "r", "url": "http://api.example.invalid/echo", "assert": {"status": 200}})
    rule = f"api.example.invalid:80:127.0.0.1:{server.port}"
    result = run_cli("run", path, "--connect-to", rule, "--json", tmp_path / "r.json")
    assert result.code == 0, result.text
    assert server.log[0].headers["Host"] == "api.example.invalid"
    assert _report(tmp_path / "r.json")["results"][0]["url"] == "http://api.example.invalid/echo"
    assert "http://api.example.invalid/echo" in result.out


def test_connect_to_malformed_is_invalid_input(server, coll):
    path = coll({"name": "r", "url": f"{server.url}/json"})
    result = run_cli("run", path, "--connect-to", "nonsense")
    assert result.code == 2
    assert "HOST:PORT:HOST2:PORT2" in result.err
    assert server.log == []


def test_quiet_prints_only_failures_and_summary(server, coll):
    path = coll(
        {"name": "good", "url": f"{server.url}/json", "assert": {"status": 200}},
        {"name": "bad", "url": f"{server.url}/json", "assert": {"status": 418}},
    )
    result = run_cli("run", path, "--quiet")
    assert result.code == 1
    assert "good" not in result.out
    assert "bad" in result.out and "expected equals 418, got 200" in result.out
    assert result.out.strip().splitlines()[-1].startswith("FAILED: 2 requests")


def test_verbose_prints_assertions_and_exchange(server, coll):
    path = coll(
        {
            "name": "good",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {"raw": "hello-body", "contentType": "text/plain"},
            "assert": {"status": 200},
        }
    )
    result = run_cli("run", path, "--verbose")
    assert result.code == 0
    assert "✔ status equals" in result.out
    assert f"> POST {server.url}/echo" in result.out
    assert "> hello-body" in result.out
    assert "< Content-Type: application/json" in result.out


def test_quiet_and_verbose_are_exclusive(server, coll):
    path = coll({"name": "r", "url": f"{server.url}/json"})
    result = run_cli("run", path, "--quiet", "--verbose")
    assert result.code == 2
    assert "not allowed with" in result.err


def test_retry_after_seconds_are_waited(tmp_path, server, coll):
    path = coll(
        {"name": "r", "url": f"{server.url}/flaky/g/1/429?after=1", "assert": {"status": 200}}
    )
    result = run_cli("run", path, "--retry", "1", "--json", tmp_path / "r.json")
    assert result.code == 0, result.text
    attempt = _report(tmp_path / "r.json")["results"][0]["attempts"][0]
    assert attempt["waited_ms"] == 1000
    assert server.log[1].at - server.log[0].at >= 0.95


def test_retry_after_http_date_and_backoff():
    from email.utils import formatdate

    from runner.transport.retry import retry_after_ms

    assert retry_after_ms("2", 0) == 2000
    assert retry_after_ms("100000", 0) == 10000  # capped (--retry-max-wait)
    assert 0 <= retry_after_ms(formatdate(__import__("time").time() + 3, usegmt=True), 0) <= 3000
    assert retry_after_ms(formatdate(0, usegmt=True), 0) == 0
    assert retry_after_ms(None, 0) == 100 and retry_after_ms("soon", 2) == 400


def test_var_value_may_contain_equals_and_last_wins(server, coll):
    path = coll({"name": "r", "url": f"{server.url}/echo", "query": {"q": "<<a>>"}})
    result = run_cli("run", path, "--var", "a=1", "--var", "a=b=c")
    assert result.code == 0, result.text
    assert server.log[0].query == {"q": ["b=c"]}


def test_parallel_runs_at_most_k_iterations_at_once(server, coll):
    path = coll({"name": "slow", "url": f"{server.url}/delay/150"})
    result = run_cli("run", path, "-n", "6", "--parallel", "3")
    assert result.code == 0, result.text
    assert server.max_inflight == 3


def test_sequential_run_sends_one_request_at_a_time(server, coll):
    path = coll({"name": "slow", "url": f"{server.url}/delay/30"})
    assert run_cli("run", path, "-n", "3").code == 0
    assert server.max_inflight == 1


def test_folder_checks_undefined_variables_only_in_what_will_run(server, coll):
    """Issue 10 point 13: --folder Other failed (exit 2) on an undefined variable of a folder
    that was not selected; a selected one is still invalid input before anything is sent."""
    path = coll(
        {"name": "Unfinished", "items": [{"name": "u", "url": f"{server.url}/echo?<<notYet>>"}]},
        {"name": "Other", "items": [{"name": "o", "url": f"{server.url}/echo?other"}]},
    )
    result = run_cli("run", path, "--folder", "Other")
    assert result.code == 0, result.text
    assert [s.path for s in server.log] == ["/echo"]
    server.clear()
    result = run_cli("run", path, "--folder", "Unfinished")
    assert result.code == 2 and server.log == []
    assert "#/items/0/items/0/url (Unfinished › u): undefined variable <<notYet>>" in result.err
    assert run_cli("run", path).code == 2
