"""Guards users reach for: --timeout for the whole run, --require-assertions, --color and
the NO_COLOR / FORCE_COLOR conventions, and runner's User-Agent."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from support.local_server import LocalServer

from core.conftest import run_cli, write_json
from runner.report.terminal import use_color
from runner.version import __version__


def _coll(tmp_path: Path, *items: dict[str, object]) -> Path:
    return write_json(tmp_path / "c.json", {"name": "guards", "items": list(items)})


def test_user_agent_is_runner_and_a_request_can_set_its_own(
    tmp_path: Path, server: LocalServer
) -> None:
    coll = _coll(
        tmp_path,
        {"name": "plain", "url": f"{server.url}/echo", "assert": {"status": 200}},
        {
            "name": "own",
            "url": f"{server.url}/echo",
            "headers": {"user-agent": "smoke/2.0"},
            "assert": {"status": 200},
        },
    )
    assert run_cli("run", coll).code == 0
    sent = [{k.lower(): v for k, v in seen.headers.items()} for seen in server.log]
    assert [headers.get("user-agent") for headers in sent] == [
        f"runner/{__version__}",
        "smoke/2.0",
    ]


def test_run_timeout_skips_what_has_not_run(tmp_path: Path, server: LocalServer) -> None:
    coll = _coll(
        tmp_path,
        *[{"name": f"slow {i}", "url": f"{server.url}/delay/600"} for i in range(1, 4)],
    )
    report = tmp_path / "r.json"
    result = run_cli(
        "run", coll, "--timeout", "900", "--json", report, "--junit", tmp_path / "j.xml"
    )
    assert result.code == 1
    assert "--timeout 900 ms reached" in result.text
    # The first finished; the second was in flight at 900 ms and was cut off there; the
    # third never ran.
    assert len(server.log) == 2
    results = json.loads(report.read_text("utf-8"))["results"]
    assert [r.get("skipped") for r in results] == [False, False, True]
    assert [bool(r.get("error")) for r in results] == [False, True, False]
    assert results[1]["error"].startswith("cut off by the run timeout (900 ms)")
    assert "run timeout (900 ms)" in json.dumps(results[2])
    assert "run timeout (900 ms)" in (tmp_path / "j.xml").read_text("utf-8")


def test_skipped_requests_name_their_method_and_url_as_written(
    tmp_path: Path, server: LocalServer
) -> None:
    # skip: true, and the requests --timeout left unrun: each says what it would have sent,
    # its templates unrendered (the secret variable's value shows nowhere).
    key = "skip-secret-value-8642"
    env = write_json(
        tmp_path / "e.json", {"name": "e", "variables": {"apiKey": key}, "secrets": ["apiKey"]}
    )
    template = f"{server.url}/echo?key=<<apiKey>>"
    coll = _coll(
        tmp_path,
        {"name": "off", "method": "DELETE", "url": template, "skip": True},
        {"name": "slow", "url": f"{server.url}/delay/3000"},
        {"name": "later", "method": "POST", "url": template},
    )
    report = tmp_path / "r.json"
    result = run_cli("run", coll, "-e", env, "--timeout", "500", "--json", report)
    assert result.code == 1, result.text
    text = report.read_text("utf-8")
    results = {r["name"]: r for r in json.loads(text)["results"]}
    shown = [(r["method"], r["url"], r["skip_reason"]) for n, r in results.items() if n != "slow"]
    assert shown == [
        ("DELETE", template, "skip: true"),
        ("POST", template, "run timeout (500 ms)"),
    ]
    assert key not in text and key not in result.text


def test_run_timeout_not_reached_changes_nothing(tmp_path: Path, server: LocalServer) -> None:
    coll = _coll(tmp_path, {"name": "a", "url": f"{server.url}/json", "assert": {"status": 200}})
    result = run_cli("run", coll, "--timeout", "60000")
    assert result.code == 0, result.text
    assert "--timeout" not in result.text


@pytest.mark.parametrize("flag", ["--timeout", "--timeout-request", "--timeout-script"])
def test_a_negative_timeout_is_invalid_input(
    tmp_path: Path, server: LocalServer, flag: str
) -> None:
    coll = _coll(tmp_path, {"name": "a", "url": f"{server.url}/json"})
    result = run_cli("run", coll, flag, "-5")
    assert result.code == 2, result.text
    assert f"{flag} must be 0 (no limit) or more milliseconds, got -5" in result.err
    assert "Traceback" not in result.text
    assert server.log == []


def test_zero_is_no_limit_for_every_timeout(tmp_path: Path, server: LocalServer) -> None:
    # As in Newman: 0 is no limit, not a limit of nothing (a script given 0 ms used to fail,
    # and --timeout 0 was refused).
    coll = _coll(
        tmp_path,
        {
            "name": "slowish",
            "url": f"{server.url}/delay/300",
            "scripts": {
                "prerequest": "pm.variables.set('a', 1);",
                "test": "var t = Date.now(); while (Date.now() - t < 50) {}\n"
                "pm.test('script ran', () => pm.expect(pm.response.code).to.equal(200));",
            },
        },
    )
    report = tmp_path / "r.json"
    result = run_cli(
        "run", coll, "--timeout", "0", "--timeout-request", "0", "--timeout-script", "0",
        "--json", report,
    )  # fmt: skip
    assert result.code == 0, result.text
    assert "timed out" not in result.text and "reached" not in result.text
    (item,) = json.loads(report.read_text("utf-8"))["results"]
    assert [(a["name"], a["passed"]) for a in item["assertions"]] == [("script ran", True)]
    assert json.loads(report.read_text("utf-8"))["summary"]["timed_out"] is False


def test_a_requests_timeout_ms_0_lifts_timeout_request_for_it(
    tmp_path: Path, server: LocalServer
) -> None:
    # 0 is no limit on a request as on the command line: the one known to be slow opts out
    # of --timeout-request; the others keep it.
    coll = _coll(
        tmp_path,
        {"name": "slow ok", "url": f"{server.url}/delay/700", "timeoutMs": 0},
        {"name": "slow cut", "url": f"{server.url}/delay/700"},
        {"name": "own", "url": f"{server.url}/delay/700", "timeoutMs": 200},
    )
    report = tmp_path / "r.json"
    result = run_cli("run", coll, "--timeout-request", "300", "--json", report)
    assert result.code == 1, result.text
    results = {r["name"]: r for r in json.loads(report.read_text("utf-8"))["results"]}
    assert results["slow ok"]["status"] == 200 and results["slow ok"]["error"] is None
    assert results["slow ok"]["elapsed_ms"] >= 700
    assert "timed out after 300 ms" in results["slow cut"]["error"]
    assert "timed out after 200 ms" in results["own"]["error"]


def test_a_negative_timeout_ms_is_invalid_input(tmp_path: Path, server: LocalServer) -> None:
    coll = _coll(tmp_path, {"name": "a", "url": f"{server.url}/json", "timeoutMs": -1})
    result = run_cli("run", coll)
    assert result.code == 2, result.text
    assert "/items/0/timeoutMs" in result.err and "-1 is less than the minimum of 0" in result.err
    assert "Traceback" not in result.text
    assert server.log == []


def test_the_python_api_takes_the_timeouts_as_the_cli_does(
    tmp_path: Path, server: LocalServer
) -> None:
    from runner import run
    from runner.errors import InputError

    coll = _coll(
        tmp_path,
        {"name": "a", "url": f"{server.url}/json", "scripts": {"test": "pm.test('ok', () => {});"}},
    )
    for name in ("timeout_ms", "timeout_request_ms", "script_timeout_ms"):
        with pytest.raises(InputError, match=r"must be 0 \(no limit\) or more milliseconds"):
            run(coll, **{name: -1})
    assert server.log == []
    result = run(coll, timeout_ms=0, timeout_request_ms=0, script_timeout_ms=0)
    assert result.passed and not result.summary.timed_out
    assert [a.name for r in result.results for a in r.assertions] == ["ok"]


def test_request_without_assertions_is_a_warning(tmp_path: Path, server: LocalServer) -> None:
    coll = _coll(
        tmp_path,
        {"name": "broken", "url": f"{server.url}/status/500"},
        {"name": "checked", "url": f"{server.url}/json", "assert": {"status": 200}},
    )
    result = run_cli("run", coll, "-n", "2")
    assert result.code == 0
    # One warning for the run, naming the request once, not once per iteration.
    assert result.text.count("nothing, so any answer passes") == 1
    assert "1 request asserts nothing, so any answer passes: broken" in result.text
    both = _coll(
        tmp_path,
        {"name": "one", "url": f"{server.url}/json"},
        {"name": "two", "url": f"{server.url}/json"},
    )
    plural = run_cli("run", both)
    assert "2 requests assert nothing, so any answer passes: one, two" in plural.text


def test_require_assertions_fails_them(tmp_path: Path, server: LocalServer) -> None:
    coll = _coll(
        tmp_path,
        {"name": "broken", "url": f"{server.url}/status/500"},
        {"name": "checked", "url": f"{server.url}/json", "assert": {"status": 200}},
        {"name": "never sent", "url": f"{server.url}/json", "skip": True},
    )
    junit, report, html = tmp_path / "j.xml", tmp_path / "r.json", tmp_path / "r.html"
    reports = ["--junit", junit, "--json", report, "--html", html]
    result = run_cli("run", coll, "--require-assertions", *reports)
    assert result.code == 1
    assert "the request asserts nothing (--require-assertions)" in result.out
    assert "nothing, so any answer passes" not in result.text
    assert "1 failed" in result.out
    # Each report says what is wrong, without an expected and actual there is nothing to fill.
    failure = ET.parse(junit).find(".//testcase[@name='broken']/failure")
    assert failure is not None
    assert failure.get("message") == "the request asserts nothing (--require-assertions)"
    assert failure.text == (
        f"GET {server.url}/status/500 → 500\n"
        "FAILED the request asserts nothing (--require-assertions)"
    )
    (broken, *_) = json.loads(report.read_text())["results"]
    assert broken["assertions"] == [
        {
            "name": "has assertions",
            "passed": False,
            "expected": None,
            "actual": None,
            "message": "the request asserts nothing (--require-assertions)",
            "skipped": False,
        }
    ]
    page = html.read_text()
    assert "None" not in page and "<code>null</code>" not in page


@pytest.mark.parametrize(
    ("mode", "tty", "env", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # only a non-empty NO_COLOR counts
        ("auto", False, {"FORCE_COLOR": "1"}, True),
        ("auto", False, {"FORCE_COLOR": "0"}, True),  # any non-empty value forces
        ("auto", False, {"FORCE_COLOR": ""}, False),
        ("auto", True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ("auto", True, {"TERM": "dumb"}, False),
        ("auto", False, {"TERM": "dumb", "FORCE_COLOR": "1"}, True),
        ("always", False, {"NO_COLOR": "1"}, True),
        ("never", True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_color_conventions(
    monkeypatch: pytest.MonkeyPatch, mode: str, tty: bool, env: dict[str, str], expected: bool
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_color(mode, tty) is expected


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [
        ([], {}, False),
        (["--color", "always"], {}, True),
        ([], {"FORCE_COLOR": "1"}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_color_through_the_cli(
    tmp_path: Path,
    server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    flags: list[str],
    env: dict[str, str],
    coloured: bool,
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    coll = _coll(tmp_path, {"name": "a", "url": f"{server.url}/json", "assert": {"status": 201}})
    result = run_cli("run", coll, *flags)
    assert result.code == 1
    assert ("\x1b[31m" in result.out) is coloured
