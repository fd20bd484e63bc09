"""The Python API (`from runner import run, load, ...`) against the emulator: typed results,
the CLI's behaviour (.env, globals, data, iterations, connect_to, report files, masking),
the on_result hook, and InputError with the CLI's located messages."""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from pyapi_support import COLLECTIONS, EMULATOR_ENV, SECRET
from support.local_server import LocalServer

from runner.cli import main
from runner.emulator import Emulator
from runner.model import flatten


def test_run_returns_typed_results_and_streams_them(emulator: Emulator) -> None:
    from runner import (
        AssertionResult,
        Collection,
        ItemResult,
        RunResult,
        TokenResult,
        load,
        run,
    )

    collection = load(COLLECTIONS / "graph-users.json")
    assert isinstance(collection, Collection)
    streamed: list[ItemResult] = []
    result = run(collection, EMULATOR_ENV, {"emulatorUrl": emulator.url}, on_result=streamed.append)

    assert isinstance(result, RunResult) and result.passed and result.exit_status == 0
    assert streamed == result.results  # the hook saw every result, in order
    token, *requests = result.results
    assert isinstance(token, TokenResult) and token.kind == "token" and token.error is None
    assert [type(r) for r in requests] == [ItemResult] * 3
    assert [r.name for r in result.requests] == [
        "List users",
        "Next page of users",
        "Get one user",
    ]
    assert result.tokens == [token]
    first = result.result("List users")
    assert first.status == 200 and first.method == "GET" and first.elapsed_ms > 0
    assert all(isinstance(a, AssertionResult) and a.passed for a in first.assertions)
    assert {a.name for a in first.assertions} >= {"status equals", "jsonpath $.value length"}
    assert first.captures["firstUserId"] == result.result("Get one user").url.rsplit("/", 1)[1]
    assert emulator.stats.token_requests_total == 1


def test_failures_are_data_with_expected_and_actual(emulator: Emulator, tmp_path: Path) -> None:
    from runner import run

    doc = {
        "name": "failing",
        "items": [
            {
                "name": "users",
                "url": f"{emulator.url}/v1.0/users",
                "assert": {"status": 201},
            }
        ],
    }
    path = tmp_path / "failing.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run(path)
    assert not result.passed and result.exit_status == 1
    (failed,) = result.failures
    (check,) = failed.assertions
    assert (check.passed, check.expected, check.actual) == (False, 201, 401)


def test_dotenv_globals_data_iterations_and_connect_to(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runner import run

    # .env in the current directory is loaded as by `runner run`, and does not override
    # variables already set in the process.
    Path(".env").write_text(f"API_CLIENT_SECRET={SECRET}\nAPI_TENANT=wrong\n", encoding="utf-8")
    monkeypatch.setenv("API_TENANT", "contoso.onmicrosoft.com")
    globals_file = tmp_path / "globals.json"
    globals_file.write_text(
        json.dumps({"name": "g", "variables": {"host": "http://graph.example.test"}}),
        encoding="utf-8",
    )
    data = tmp_path / "rows.csv"
    data.write_text("top\n1\n2\n", encoding="utf-8")
    doc = {
        "name": "everything",
        "auth": {
            "type": "oauth2",
            "tokenUrl": f"{emulator.url}/<<$env.API_TENANT>>/oauth2/v2.0/token",
            "clientId": "11111111-2222-3333-4444-555555555555",
            "clientSecret": "<<$env.API_CLIENT_SECRET>>",
            "scope": "https://graph.microsoft.com/.default",
        },
        "items": [
            {
                "name": "users",
                "url": "<<host>>/v1.0/users",
                "query": {"$top": "<<top>>"},
                "assert": {"status": 200, "jsonpath": {"$.value": {"length": "<<top>>"}}},
            }
        ],
    }
    path = tmp_path / "everything.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    # graph.example.test is never resolved: connect_to sends it to the emulator.
    result = run(
        path,
        globals=globals_file,
        data=data,
        iterations=3,
        connect_to=[f"graph.example.test:80:127.0.0.1:{emulator.port}"],
    )
    assert result.passed, [r.error or r.assertions for r in result.results]
    assert [(r.iteration, r.url) for r in result.requests] == [
        (1, "http://graph.example.test/v1.0/users?%24top=1"),
        (2, "http://graph.example.test/v1.0/users?%24top=2"),
        (3, "http://graph.example.test/v1.0/users?%24top=1"),
    ]
    assert emulator.stats.token_requests_total == 1
    # Data rows given as Python values work the same.
    rows = run(
        path,
        globals=globals_file,
        data=[{"top": "2"}],
        connect_to=[f"graph.example.test:80:127.0.0.1:{emulator.port}"],
    )
    assert rows.passed and len(rows.requests) == 1


def test_report_files_and_masking(emulator: Emulator, tmp_path: Path) -> None:
    from runner import run

    doc = {
        "name": "leaky",
        "auth": {
            "type": "oauth2",
            "tokenUrl": "<<authorityHost>>/<<tenantId>>/oauth2/v2.0/token",
            "clientId": "<<clientId>>",
            "clientSecret": "<<clientSecret>>",
            "scope": "https://graph.microsoft.com/.default",
        },
        "items": [
            {
                "name": "users",
                # The secret ends up in the URL, the echo of an assertion and a capture.
                "url": "<<graphHost>>/v1.0/users?hint=<<clientSecret>>",
                "assert": {"status": 200, "body": {"contains": "<<clientSecret>>"}},
                "capture": {"echo": {"regex": "(.*)", "group": 1}},
            }
        ],
    }
    path = tmp_path / "leaky.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    streamed: list[str] = []
    result = run(
        path,
        EMULATOR_ENV,
        {"emulatorUrl": emulator.url},
        junit=tmp_path / "out" / "junit.xml",
        json=tmp_path / "out" / "run.json",
        on_result=lambda r: streamed.append(repr(r)),
    )
    assert result.exit_status == 1
    everything = repr(result) + "".join(streamed)
    assert "hint=***" in result.requests[0].url
    junit = (tmp_path / "out" / "junit.xml").read_text("utf-8")
    report = (tmp_path / "out" / "run.json").read_text("utf-8")
    for text in (everything, junit, report):
        assert SECRET not in text
    assert "Bearer ***" in everything or "('Authorization', '***')" in everything
    suite = ET.fromstring(junit).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    assert json.loads(report)["summary"]["requests"] == 1


def _cli_error(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(["run", *args], stdout=out, stderr=err) == 2
    return err.getvalue()


def test_invalid_input_raises_input_error_with_the_cli_messages(tmp_path: Path) -> None:
    from runner import InputError, InputErrors, run

    doc = {
        "name": "broken",
        "items": [
            {"name": "no url"},
            {"name": "undefined", "url": "http://127.0.0.1:9/<<nowhere>>", "asert": {}},
        ],
    }
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        run(path, junit=tmp_path / "junit.xml")
    assert isinstance(caught.value, InputError)
    shown = _cli_error(str(path))
    for problem in caught.value.errors:
        assert problem.location is not None and problem.location.file == str(path)
        assert f"error: {problem.render()}" in shown
    # As with --junit, the report says why nothing ran.
    case = ET.parse(tmp_path / "junit.xml").find(".//testcase/error")
    assert case is not None and "broken.json" in (case.get("message") or "")

    with pytest.raises(InputError) as missing:
        run(tmp_path / "absent.json")
    assert missing.value.render() in _cli_error(str(tmp_path / "absent.json"))

    with pytest.raises(InputError, match="--iterations must be at least 1, got 0"):
        run(COLLECTIONS / "graph-users.json", EMULATOR_ENV, iterations=0)
    with pytest.raises(InputError, match="is not HOST:PORT:HOST2:PORT2"):
        run(COLLECTIONS / "graph-users.json", EMULATOR_ENV, connect_to=["nonsense"])


def test_tags_are_checked_like_every_other_key(tmp_path: Path) -> None:
    from runner import InputError, load

    doc = {"name": "t", "items": [{"name": "a", "url": "http://127.0.0.1:9/", "tags": ["a b"]}]}
    path = tmp_path / "tags.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(path)
    assert caught.value.location is not None
    assert caught.value.location.pointer == "/items/0/tags/0"
    doc["items"][0]["tags"] = ["smoke", "read-only"]  # type: ignore[index]
    path.write_text(json.dumps(doc), encoding="utf-8")
    (step,) = flatten(load(path).items)
    assert step.tags == ("smoke", "read-only")


def test_global_variables_win_over_the_globals_file_only(
    tmp_path: Path, server: LocalServer
) -> None:
    from runner import run
    from runner.model import Environment

    collection = tmp_path / "c.json"
    item = {"name": "r", "url": f"{server.url}/echo/<<g>>/<<c>>/<<keep>>"}
    collection.write_text(
        json.dumps({"name": "g", "variables": {"c": "collection"}, "items": [item]}), "utf-8"
    )
    globals_env = Environment("g", {"g": "file", "c": "file", "keep": "kept"})
    result = run(collection, globals=globals_env, global_variables={"g": "given", "c": "given"})
    assert result.passed, result.errors
    assert [entry.path for entry in server.log] == ["/echo/given/collection/kept"]
