"""Issue 11: where Newman goes on after an error, runner goes on the same way.

Each collection in `tests/postman/semantics/` runs through Newman 6.2.2 and through
`runner run` (no `--module-path`) against the local echo servers; per request they must
agree on assertions, errors and script error messages, and on the exit status
(`newman_agree.disagreements`). Then runner's own report is checked for what the case is
about, so that a Newman half skipped for want of npm still leaves a test that can fail.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from newman_agree import Case, Run, disagreements, newman_runs, runner_run
from newman_tools import install_error, node_modules
from postman_helpers import V21
from support.echo_server import EchoServers
from support.external import missing
from support.local_server import LocalServer, serve

from runner.cli import main


@pytest.fixture(scope="module")
def proxy() -> Iterator[LocalServer]:
    """A local forward proxy (it answers for any absolute URL it is asked for)."""
    with serve() as server:
        yield server


def cases(proxy_url: str) -> list[Case]:
    """Returns every case (the proxy's URL goes into its environment)."""
    return [
        Case("script_errors"),
        Case("proxy_undefined_base", env={"HTTP_PROXY": proxy_url, "http_proxy": proxy_url}),
        Case("names_not_masked"),
        Case("csv_types", data="csv_types.csv"),
        Case("cookies"),
        Case("timers", flags=("--timeout-script", "2500")),  # room for a busy machine
        Case("send_request", flags=("--timeout-request", "400")),
    ]


NAMES = [c.name for c in cases("")]


@pytest.fixture(scope="module")
def newman(
    echo: EchoServers, proxy: LocalServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Run]:
    """Every case's Newman run (the Newman half is skipped, with why, without npm)."""
    modules = node_modules()
    if modules is None:
        missing("Newman (npm newman@6)", f"is not available: {install_error()}")
    return newman_runs(cases(proxy.url), echo, tmp_path_factory.mktemp("newman"), modules)


def _case(name: str, proxy: LocalServer | None) -> Case:
    return next(c for c in cases(proxy.url if proxy else "") if c.name == name)


@pytest.mark.parametrize("name", NAMES)
def test_runner_agrees_with_newman(
    name: str, echo: EchoServers, proxy: LocalServer, newman: dict[str, Run], tmp_path: Path
) -> None:
    ours = runner_run(_case(name, proxy), echo, tmp_path)
    assert disagreements(ours, newman[name]) == [], ours.output


def _by_name(run: Run) -> dict[str, tuple[tuple[tuple[str, bool], ...], str]]:
    return {r.name: (r.assertions, " ".join(m for _, m in r.errors)) for r in run.requests}


def test_a_script_error_does_not_stop_the_request_or_its_tests(
    echo: EchoServers, proxy: LocalServer, tmp_path: Path
) -> None:
    run = runner_run(_case("script_errors", proxy), echo, tmp_path)
    seen = _by_name(run)
    assert run.status == 1
    # A throwing pre-request script: the request is still sent, its tests still run.
    assertions, error = seen["pre-request throws"]
    assert assertions == (("sent anyway", True),) and "Error: pre boom" in error, run.output
    # A throwing collection-level test script: the item's own test script still runs.
    assertions, error = seen["collection test throws"]
    assert assertions == (("item test ran", True),) and "collection boom" in error
    # A request error: the test script still runs.
    assertions, error = seen["request error"]
    assert assertions == (("test script ran after the request error", True),) and error
    # An exception in a sendRequest callback is ignored, the request goes on.
    assert seen["sendRequest callback throws"] == (
        (("request sent after the callback threw", True), ("callback ran", True)),
        "",
    )
    # pm.request.body.raw in a test script is the body as sent.
    assert seen["raw body resolved"] == (
        (("raw body reads resolved", True), ("server got it", True)),
        "",
    )
    assert seen["after all"] == ((("the run went on", True),), "")


def test_an_undefined_host_through_a_proxy_is_sent_not_a_crash(
    echo: EchoServers, proxy: LocalServer, tmp_path: Path
) -> None:
    run = runner_run(_case("proxy_undefined_base", proxy), echo, tmp_path)
    seen = _by_name(run)
    assert "Traceback" not in run.output and "runner failed" not in run.output, run.output
    assert seen["undefined base"] == ((("test script ran", True),), ""), run.output
    assert seen["next request"] == ((("the run went on", True),), "")
    hosts = [s.headers.get("Host", "") for s in proxy.log]
    assert any("baseUrl" in h for h in hosts), hosts  # it went to the proxy


def test_item_names_are_not_masked(echo: EchoServers, proxy: LocalServer, tmp_path: Path) -> None:
    run = runner_run(_case("names_not_masked", proxy), echo, tmp_path)
    assert [r.name for r in run.requests] == ["login as admin", "_reset_password"]
    assert run.requests[1].assertions == (("reset the password of admin", True),)
    report = (tmp_path / "names_not_masked.json").read_text(encoding="utf-8")
    assert "login as admin" in report and "password=***" in report, report
    assert "password=admin" not in report


def test_csv_values_are_typed_as_newman_types_them(
    echo: EchoServers, proxy: LocalServer, tmp_path: Path
) -> None:
    run = runner_run(_case("csv_types", proxy), echo, tmp_path)
    first, second = (dict(r.assertions) for r in run.requests)
    # Unquoted numbers are numbers (leading zeros, exponents, `.5`, even `0x10` → 0 as
    # Newman's parseFloat reads it); quoted values, booleans and the rest stay text;
    # headers and unquoted values are trimmed, quoted ones are not.
    for name in (
        "id is number 1",
        'plain is string "hello"',
        'quoted is string " 42 "',
        "lead is number 7",
        "float is number 1.5",
        "exp is number 1000",
        'flag is string "true"',
        "hex is number 0",
        'mixed is string "12abc"',
        'empty is string ""',
        'comma is string "a, b"',
        "id in the URL",
    ):
        assert first.get(name) is True, (name, first)
    for name in ('plain is string "say \\"hi\\""', "neg is number 3", "float is number 0.5"):
        assert second.get(name) is True, (name, second)
    assert 'hex is string "Infinity"' in second


def test_a_bad_csv_row_is_still_reported_before_anything_is_sent(
    echo: EchoServers, tmp_path: Path
) -> None:
    data = tmp_path / "bad.csv"
    data.write_text('a,b\n1,2,3\n"x",y\n', encoding="utf-8")
    out = io.StringIO()
    status = main(
        ["run", str(Case("csv_types").collection), "-d", str(data)], stdout=out, stderr=out
    )
    assert status == 2, out.getvalue()
    assert "row 2 has 3 values but the header has 2 columns" in out.getvalue()


def test_pm_cookies_read_the_runs_jar_and_jar_calls_change_it(
    echo: EchoServers, proxy: LocalServer, tmp_path: Path
) -> None:
    run = runner_run(_case("cookies", proxy), echo, tmp_path)
    assert [r.name for r in run.requests] == [
        "set by the server",
        "a later request",
        "jar",
        "set in a pre-request script, sent",
        "jar without a URL: a script error",
    ], run.output
    for seen in run.requests[:-1]:
        assert seen.assertions and seen.passed, (seen, run.output)
    assert [a for a, _ in run.requests[2].assertions] == [
        "set: no error",
        "set: the cookie",
        "get",
        "getAll",
        "unset: no error",
        "get after unset",
        "clear: no error",
        "getAll after clear",
    ]
    (error,) = (m for _, m in run.requests[-1].errors)
    assert "CookieJar.get() requires a valid url" in error
    # Cookie values are secrets in runner's output (contract section 6).
    assert "bar" not in (tmp_path / "cookies.json").read_text(encoding="utf-8")


def test_timers_really_wait_within_the_script_timeout(
    echo: EchoServers, proxy: LocalServer, tmp_path: Path
) -> None:
    run = runner_run(_case("timers", proxy), echo, tmp_path)
    waits, late, after = run.requests
    assert waits.passed and len(waits.assertions) == 3, run.output
    # A timer due after the limit: the tests before it count, the script times out.
    assert late.assertions == (("before the timer", True),)
    (error,) = (m for _, m in late.errors)
    assert "asynchronous script execution timeout" in error and "2500 ms" in error
    assert after.passed
    assert run.status == 1


def test_send_request_follows_the_runs_rules_and_its_secrets_are_masked(
    echo: EchoServers, proxy: LocalServer, tmp_path: Path
) -> None:
    run = runner_run(_case("send_request", proxy), echo, tmp_path)
    timed_out, tls, token = run.requests
    # As in Newman, the sendRequest's failure is a request error of the item too.
    assert timed_out.assertions == (("the sendRequest timed out", True),), run.output
    (error,) = (m for _, m in timed_out.errors)
    assert "pm.sendRequest" in error and "timed out" in error, error
    assert tls.passed and len(tls.assertions) == 2, run.output
    assert token.passed, run.output
    report = (tmp_path / "send_request.json").read_text(encoding="utf-8")
    # The access_token a script fetched is a secret wherever it shows up.
    assert "tok-from-script-7f3a9c" not in report + run.output
    assert "got ***" in report


def test_send_request_with_insecure_reaches_an_untrusted_server(
    echo: EchoServers, tmp_path: Path
) -> None:
    argv = ["run", str(_case("send_request", None).collection), "--json", str(tmp_path / "r.json")]
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    out = io.StringIO()
    main([*argv, "--timeout-request", "400"], stdout=out, stderr=out)
    untrusted = results_of(tmp_path / "r.json")["--connect-to and the CA apply to a sendRequest"]
    assert untrusted[0] == ("no error", False), out.getvalue()  # no CA given: refused
    main([*argv, "--timeout-request", "400", "--insecure"], stdout=out, stderr=out)
    trusted = results_of(tmp_path / "r.json")["--connect-to and the CA apply to a sendRequest"]
    assert all(ok for _, ok in trusted) and trusted, out.getvalue()


def test_parallel_iterations_send_their_script_requests_at_once(tmp_path: Path) -> None:
    # Each iteration's pre-request script waits on a slow sendRequest; under --parallel 2
    # both are in flight together (no run-wide lock held during a script's network I/O).
    doc = {
        "info": {"name": "parallel", "schema": V21},
        "item": [
            {
                "name": "slow script request",
                "event": [
                    {
                        "listen": "prerequest",
                        "script": {"exec": ["pm.sendRequest(pm.variables.get('slow'), () => {});"]},
                    }
                ],
                "request": {"method": "GET", "url": "{{base}}/json"},
            }
        ],
    }
    path = tmp_path / "parallel.postman_collection.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with serve() as server:
        out = io.StringIO()
        argv = ["run", str(path), "-n", "2", "--parallel", "2", "--var", f"base={server.url}"]
        status = main([*argv, "--var", f"slow={server.url}/delay/600"], stdout=out, stderr=out)
        assert status == 0, out.getvalue()
        assert server.max_inflight == 2, out.getvalue()


def results_of(report: Path) -> dict[str, list[tuple[str, bool]]]:
    """Returns request name -> [(assertion, passed)] of a JSON report."""
    doc = json.loads(report.read_text(encoding="utf-8"))
    return {r["name"]: [(a["name"], a["passed"]) for a in r["assertions"]] for r in doc["results"]}
