"""--var values in a native collection's scripts: environment values, as Newman's --env-var
(pm.environment, pm.variables, exported with --export-environment), that also win over the
data row, as they do in <<name>>. --env-var is --var's Newman name; --global-var sets
globals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.local_server import LocalServer

from core.conftest import run_cli, write_json

# Each assertion's name carries what the script saw, so a wrong value names itself.
_SEEN = (
    "pm.test('env ' + pm.environment.get('foo'), () => {});"
    "pm.test('vars ' + pm.variables.get('foo'), () => {});"
    "pm.test('object ' + JSON.stringify(pm.variables.toObject()), () => {});"
    "pm.test('env object ' + JSON.stringify(pm.environment.toObject()), () => {});"
    "pm.test('data ' + pm.iterationData.get('foo'), () => {});"
    "pm.test('url ' + pm.request.url.getPath(), () => {});"
)


def _collection(tmp_path: Path, *items: dict[str, Any]) -> Path:
    return write_json(tmp_path / "c.json", {"name": "vars", "items": list(items)})


def _names(report: Path) -> list[list[str]]:
    results = json.loads(report.read_text("utf-8"))["results"]
    return [[a["name"] for a in r["assertions"]] for r in results]


def test_var_is_an_environment_value_in_scripts_and_wins_over_env_file_and_data_row(
    tmp_path: Path, server: LocalServer
) -> None:
    path = _collection(
        tmp_path,
        {"name": "seen", "url": f"{server.url}/echo/<<foo>>", "scripts": {"test": _SEEN}},
    )
    env = write_json(tmp_path / "e.json", {"name": "e", "variables": {"foo": "env", "e": "1"}})
    data = write_json(tmp_path / "d.json", [{"foo": "data"}])
    report, exported = tmp_path / "r.json", tmp_path / "out.json"
    result = run_cli(
        "run", path, "-e", env, "-d", data, "--var", "foo=cli", "--json", report,
        "--export-environment", exported,
    )  # fmt: skip
    assert result.code == 0, result.text
    assert _names(report) == [
        [
            "env cli",
            "vars cli",
            'object {"foo":"cli","e":"1"}',
            'env object {"foo":"cli","e":"1"}',
            "data data",
            "url /echo/cli",
        ]
    ]
    # As Newman writes --env-var values into the environment it exports.
    written = json.loads(exported.read_text("utf-8"))
    assert written["variables"] == {"foo": "cli", "e": "1"}


def test_var_without_env_file_is_seen_by_scripts(tmp_path: Path, server: LocalServer) -> None:
    path = _collection(
        tmp_path,
        {"name": "seen", "url": f"{server.url}/echo/<<foo>>", "scripts": {"prerequest": _SEEN}},
    )
    report = tmp_path / "r.json"
    result = run_cli("run", path, "--var", "foo=cli", "--json", report)
    assert result.code == 0, result.text
    assert _names(report)[0][:4] == [
        "env cli",
        "vars cli",
        'object {"foo":"cli"}',
        'env object {"foo":"cli"}',
    ]


def test_script_setting_the_var_name_in_the_environment_takes_it_over(
    tmp_path: Path, server: LocalServer
) -> None:
    # As with Newman's --env-var: the environment value is the script's now, so the next
    # request renders it (and the data row, above the environment, wins again).
    path = _collection(
        tmp_path,
        {
            "name": "set",
            "url": f"{server.url}/echo/<<foo>>",
            "scripts": {"test": "pm.environment.set('foo', 'script');"},
        },
        {"name": "after set", "url": f"{server.url}/echo/<<foo>>", "scripts": {"test": _SEEN}},
        {
            "name": "unset",
            "url": f"{server.url}/echo/<<foo>>",
            "scripts": {"test": "pm.environment.unset('foo');"},
        },
        {
            "name": "after unset",
            "url": f"{server.url}/echo",
            "scripts": {"test": "pm.test('vars ' + pm.variables.get('foo'), () => {});"},
        },
    )
    report = tmp_path / "r.json"
    result = run_cli("run", path, "--var", "foo=cli", "--json", report)
    assert result.code == 0, result.text
    assert _names(report)[1][:2] == ["env script", "vars script"]
    assert _names(report)[3] == ["vars undefined"]
    assert [entry.path for entry in server.log][:3] == ["/echo/cli", "/echo/script", "/echo/script"]
    data = write_json(tmp_path / "d.json", [{"foo": "data"}])
    server.clear()
    result = run_cli("run", path, "--var", "foo=cli", "-d", data, "--json", report)
    assert result.code == 0, result.text
    assert _names(report)[1][:2] == ["env script", "vars data"]
    assert _names(report)[3] == ["vars data"]
    assert [entry.path for entry in server.log][:3] == ["/echo/cli", "/echo/data", "/echo/data"]


def test_global_var_sets_globals_and_env_var_is_var(tmp_path: Path, server: LocalServer) -> None:
    script = (
        "var g = pm.globals.toObject();"
        "pm.test('globals ' + Object.keys(g).sort().map((k) => k + '=' + g[k]), () => {});"
        "pm.test('vars c ' + pm.variables.get('c'), () => {});"
        "pm.test('env e ' + pm.environment.get('e'), () => {});"
    )
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "globals",
            "variables": {"c": "collection"},
            "items": [
                {
                    "name": "seen",
                    "url": f"{server.url}/echo/<<g>>/<<c>>/<<e>>",
                    "scripts": {"test": script},
                }
            ],
        },
    )
    globals_file = write_json(
        tmp_path / "g.json", {"name": "g", "variables": {"g": "file", "c": "file", "keep": "k"}}
    )
    report, exported = tmp_path / "r.json", tmp_path / "g.out.json"
    result = run_cli(
        "run", path, "-g", globals_file, "--global-var", "g=cli", "--global-var", "c=cli",
        "--env-var", "e=env", "--json", report, "--export-globals", exported,
    )  # fmt: skip
    assert result.code == 0, result.text
    # --global-var wins over the globals file only: the collection's c wins over it.
    assert _names(report) == [["globals c=cli,g=cli,keep=k", "vars c collection", "env e env"]]
    assert [entry.path for entry in server.log] == ["/echo/cli/collection/env"]
    written = json.loads(exported.read_text("utf-8"))["variables"]
    assert written == {"g": "cli", "c": "cli", "keep": "k"}


def test_malformed_global_var_is_refused_before_anything_is_sent(
    tmp_path: Path, server: LocalServer
) -> None:
    path = _collection(tmp_path, {"name": "r", "url": f"{server.url}/echo"})
    result = run_cli("run", path, "--global-var", "token", "--var", "=x")
    assert result.code == 2
    assert "--global-var 'token' is not NAME=VALUE" in result.text
    assert "--var '=x' is not NAME=VALUE" in result.text
    assert "Traceback" not in result.text
    assert server.log == []
