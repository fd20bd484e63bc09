"""The pytest plugin on generated projects (pytester), against the emulator: it stays out of
the way unless asked, ids and -k/-m selection, fixtures, failure display and --junitxml,
and pytest-xdist with one token per worker."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import requests
from pyapi_support import EMULATOR_ENV, SECRET

from runner.emulator import Emulator

AUTH = {
    "type": "oauth2",
    "tokenUrl": "<<authorityHost>>/<<tenantId>>/oauth2/v2.0/token",
    "clientId": "<<clientId>>",
    "clientSecret": "<<clientSecret>>",
    "scope": "https://graph.microsoft.com/.default",
}

API = {
    "name": "api",
    "auth": AUTH,
    "items": [
        {
            "name": "List users",
            "tags": ["smoke"],
            "url": "<<graphHost>>/v1.0/users",
            "query": {"$top": "<<top>>"},
            "assert": {"status": 200, "jsonpath": {"$.value": {"length": "<<top>>"}}},
            "capture": {"firstUserId": "$.value[0].id"},
        },
        {
            "name": "Users",
            "tags": ["slow"],
            "items": [
                {
                    "name": "Get one",
                    "url": "<<graphHost>>/v1.0/users/<<firstUserId>>",
                    "assert": {"status": 200, "jsonpath": {"$.id": "<<firstUserId>>"}},
                },
                {
                    "name": "Me",
                    "tags": ["read-only"],
                    "url": "<<graphHost>>/v1.0/users",
                    "assert": {"status": 200},
                },
            ],
        },
    ],
}


def _project(pytester: pytest.Pytester, doc: dict[str, object], name: str = "api.json") -> Path:
    path = pytester.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _options(emulator: Emulator, *collections: str) -> list[str]:
    args = [f"--runner-collection={c}" for c in collections]
    return [
        *args,
        f"--runner-environment={EMULATOR_ENV}",
        f"--runner-var=emulatorUrl={emulator.url}",
        "--runner-var=top=3",
        "-p",
        "no:cacheprovider",
    ]


def test_a_project_with_its_own_environment_option_runs_unaffected(
    pytester: pytest.Pytester, emulator: Emulator
) -> None:
    # A project whose conftest adds --environment, with *.collection.json and other JSON
    # files of its own: runner installed beside it changes nothing unless asked.
    pytester.makeconftest(
        """
        import pytest

        def pytest_addoption(parser):
            parser.addoption("--environment", default="dev")

        @pytest.fixture
        def environment(request):
            return request.config.getoption("--environment")
        """
    )
    pytester.makepyfile(test_own="def test_env(environment):\n    assert environment == 'qa'\n")
    _project(pytester, API, "smoke.collection.json")
    _project(pytester, {"not": "a collection"}, "fixtures/data.json")
    _project(pytester, {"name": "x", "items": []}, "tests/api/other.collection.json")

    own = pytester.runpytest("--environment", "qa", "-v", "-p", "no:cacheprovider")
    own.assert_outcomes(passed=1)
    assert "collection.json" not in own.stdout.str()

    asked = pytester.runpytest("--environment", "qa", *_options(emulator, "smoke.collection.json"))
    asked.assert_outcomes(passed=4)
    assert emulator.stats.token_requests_total == 1

    helped = pytester.runpytest("--help")
    assert "--runner-collection=PATH" in helped.stdout.str()


def test_ids_selection_by_folder_request_and_tag(
    pytester: pytest.Pytester, emulator: Emulator
) -> None:
    _project(pytester, API)
    ids = pytester.runpytest(*_options(emulator, "api.json"), "--runner-iterations=2", "--co", "-q")
    listed = [line for line in ids.stdout.lines if "::" in line]
    assert listed == [
        "api.json::List users[1]",
        "api.json::Users/Get one[1]",
        "api.json::Users/Me[1]",
        "api.json::List users[2]",
        "api.json::Users/Get one[2]",
        "api.json::Users/Me[2]",
    ]
    by_tag = pytester.runpytest(*_options(emulator, "api.json"), "-m", "smoke", "-v")
    by_tag.assert_outcomes(passed=1, deselected=2)
    by_tag.stdout.fnmatch_lines(["*api.json::List users PASSED*"])

    # -k matches folder and request names (`List users` too: case-insensitive).
    by_folder = pytester.runpytest(*_options(emulator, "api.json"), "-k", "Users and not Me")
    by_folder.assert_outcomes(passed=2, deselected=1)
    # One request by its id; -m on a folder's tag; every runner test is marked `runner`.
    one = pytester.runpytest(*_options(emulator, "api.json"), "api.json::Users/Me", "-v")
    one.assert_outcomes(passed=1)
    # `Get one` uses what the deselected `List users` captures: that one still runs first.
    slow = pytester.runpytest(*_options(emulator, "api.json"), "-m", "slow and runner")
    slow.assert_outcomes(passed=2, deselected=1)
    chained = pytester.runpytest(*_options(emulator, "api.json"), "api.json::Users/Get one")
    chained.assert_outcomes(passed=1)
    # A tag that is not an identifier is no marker, but -k finds it.
    keyword = pytester.runpytest(*_options(emulator, "api.json"), "-k", "read-only", "-v")
    keyword.assert_outcomes(passed=1, deselected=2)
    keyword.stdout.fnmatch_lines(["*api.json::Users/Me PASSED*"])


def test_ini_setting_and_fixtures(pytester: pytest.Pytester, emulator: Emulator) -> None:
    _project(pytester, API, "tests/api/users.json")
    pytester.makeini(
        f"""
        [pytest]
        runner_collections = tests/api/*.json
        runner_environment = {EMULATOR_ENV}
        """
    )
    pytester.makepyfile(
        test_python=f"""
        import pytest

        @pytest.fixture(scope="session")
        def runner_variables():
            return {{"emulatorUrl": "{emulator.url}", "top": "2"}}

        @pytest.mark.runner_collection("tests/api/users.json", top="4")
        def test_marked(runner_run):
            result = runner_run()
            assert result.passed, result.failures
            assert len(result.result("List users").assertions) == 2

        def test_named(runner_run, runner_environment):
            assert runner_environment.endswith("emulator.json")
            result = runner_run("tests/api/users.json", variables={{"top": "1"}})
            assert result.passed
            assert result.result("List users").url.endswith("top=1")
        """
    )
    pytester.makeconftest(
        f"""
        import pytest

        @pytest.fixture(scope="session")
        def runner_variables():
            return {{"emulatorUrl": "{emulator.url}", "top": "3"}}
        """
    )
    done = pytester.runpytest("-v", "-p", "no:cacheprovider")
    done.assert_outcomes(passed=5)
    done.stdout.fnmatch_lines(["*tests/api/users.json::Users/Get one PASSED*"])
    # Three runs in one process, one token: the plugin's cache is shared by them all.
    assert emulator.stats.token_requests_total == 1


FAILING = {
    "name": "failing",
    "auth": AUTH,
    "items": [
        {
            "name": "Folder",
            "items": [
                {
                    "name": "Wrong status",
                    "url": "<<graphHost>>/v1.0/users?$top=1&hint=<<clientSecret>>",
                    "assert": {"status": 201, "jsonpath": {"$.value[0].surname": "Nobody"}},
                },
                {"name": "Down", "url": "http://127.0.0.1:9/refused", "assert": {"status": 200}},
            ],
        },
        {"name": "Fine", "url": "<<graphHost>>/v1.0/users", "assert": {"status": 200}},
    ],
}


def test_failures_show_expected_actual_request_response_and_junit_agrees(
    pytester: pytest.Pytester, emulator: Emulator
) -> None:
    from runner import run

    _project(pytester, FAILING)
    done = pytester.runpytest(*_options(emulator, "api.json"), "--junitxml=pytest.xml")
    done.assert_outcomes(passed=1, failed=1, errors=1)
    out = done.stdout.str()
    assert SECRET not in out
    done.stdout.fnmatch_lines(
        [
            "*Folder/Wrong status*",
            f"GET {emulator.url}/v1.0/users?$top=1&hint=*** → 200 OK (* ms)",
            "E   status: expected equals 201, got 200",
            "E     expected: 201",
            "E     actual:   200",
            "E   jsonpath $.value[0].surname: expected equals 'Nobody', got 'Vance'",
            "E     expected: 'Nobody'",
            "E     actual:   'Vance'",
            "response:",
            "    {",
            '      "@odata.context": *',
        ]
    )
    done.stdout.fnmatch_lines(["*ERROR at setup of Folder/Down*", "E   *connection refused*"])
    assert "Traceback" not in out and "pytest_plugin.py" not in out

    # runner's own JUnit report of the same run agrees testcase by testcase.
    own = pytester.path / "runner.xml"
    run(
        pytester.path / "api.json",
        EMULATOR_ENV,
        {"emulatorUrl": emulator.url, "top": "3"},
        junit=own,
    )
    ours = _cases(ET.parse(pytester.path / "pytest.xml"), lambda c: c.get("name") or "")
    theirs = _cases(
        ET.parse(own),
        lambda c: "/".join([*(c.get("classname") or "").split(".")[1:], c.get("name") or ""]),
    )
    theirs = {k: v for k, v in theirs.items() if not k.startswith("token:")}
    assert set(ours) == set(theirs) == {"Folder/Wrong status", "Folder/Down", "Fine"}
    for name, (outcome, message) in theirs.items():
        assert ours[name][0] == outcome, name
        assert message in ours[name][1], name
    assert SECRET not in (pytester.path / "pytest.xml").read_text("utf-8")


def _cases(tree: ET.ElementTree, name: object) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for case in tree.iter("testcase"):
        outcome, message = "pass", ""
        for kind in ("failure", "error", "skipped"):
            node = case.find(kind)
            if node is not None:
                outcome, message = kind, node.get("message") or ""
        found[name(case)] = (outcome, message)  # type: ignore[operator]
    return found


def test_xdist_one_token_per_worker_and_no_shared_state(
    pytester: pytest.Pytester, emulator: Emulator
) -> None:
    # Captures chain each iteration's requests; each worker runs what it was given with
    # its own state, asking the emulator for one token whatever number of runs it does.
    _project(pytester, API, "a.json")
    _project(pytester, {**API, "name": "b"}, "b.json")
    pytester.makepyfile(
        test_python="""
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_from_python(runner_run, n):
            assert runner_run("a.json").passed
        """
    )
    requests.post(f"{emulator.url}/_emulator/reset", timeout=10)
    done = pytester.runpytest_subprocess(
        *_options(emulator, "a.json", "b.json"), "--runner-iterations=3", "-n", "4", "-v"
    )
    done.assert_outcomes(passed=2 * 3 * 3 + 4)
    workers = set(re.findall(r"\[(gw\d)\]", done.stdout.str()))
    assert 1 < len(workers) <= 4
    stats = requests.get(f"{emulator.url}/_emulator/stats", timeout=10).json()
    assert stats["tokenRequests"]["total"] == len(workers)
