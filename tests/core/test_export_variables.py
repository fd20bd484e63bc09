"""--export-environment / --export-globals (Newman's names): the run's final variables,
written for the next run, secrets kept as they came in but never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.local_server import LocalServer

from core.conftest import run_cli, write_json

SECRET = "s3cret+value/with=signs"
POSTMAN_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def test_native_export_chains_into_the_next_run(tmp_path: Path, server: LocalServer) -> None:
    env = write_json(
        tmp_path / "env.json",
        {"name": "dev", "variables": {"base": server.url, "apiSecret": SECRET, "plain": "x"}},
    )
    first = write_json(
        tmp_path / "first.json",
        {
            "name": "first",
            "items": [
                {
                    "name": "create",
                    "method": "POST",
                    "url": "<<base>>/echo",
                    "headers": {"X-Secret": "<<apiSecret>>"},
                    "body": {"json": {"orderId": 42, "label": "hello world"}},
                    "assert": {"status": 200},
                    "capture": {"orderId": "$.json.orderId", "label": "$.json.label"},
                }
            ],
        },
    )
    out = tmp_path / "exported" / "env.json"
    result = run_cli("run", first, "-e", env, "--export-environment", out)
    assert result.code == 0, result.text
    assert f"environment written to {out}" in result.err
    assert SECRET not in result.text
    exported = json.loads(out.read_text("utf-8"))
    assert exported["name"] == "dev"
    # The environment as it came, plus what the run captured (typed as captured).
    assert exported["variables"] == {
        "base": server.url,
        "apiSecret": SECRET,
        "plain": "x",
        "orderId": 42,
        "label": "hello world",
    }
    assert exported["secrets"] == ["apiSecret"]

    second = write_json(
        tmp_path / "second.json",
        {
            "name": "second",
            "items": [
                {
                    "name": "read",
                    "url": "<<base>>/echo",
                    "query": {"order": "<<orderId>>"},
                    "assert": {"jsonpath": {"$.query.order[0]": "42"}},
                }
            ],
        },
    )
    chained = run_cli("run", second, "-e", out)
    assert chained.code == 0, chained.text
    assert SECRET not in chained.text


def _postman(tmp_path: Path, url: str) -> Path:
    return write_json(
        tmp_path / "p.postman_collection.json",
        {
            "info": {
                "name": "exports",
                "schema": POSTMAN_V21,
            },
            "item": [
                {
                    "name": "set things",
                    "event": [
                        {
                            "listen": "test",
                            "script": {
                                "exec": [
                                    "pm.environment.set('fromScript', pm.response.code);",
                                    "const runs = Number(pm.globals.get('runCount') || 0);",
                                    "pm.globals.set('runCount', runs + 1);",
                                    "pm.environment.unset('dropMe');",
                                ]
                            },
                        }
                    ],
                    "request": {"method": "GET", "url": url},
                }
            ],
        },
    )


def test_postman_exports_in_postman_format(tmp_path: Path, server: LocalServer) -> None:
    env = write_json(
        tmp_path / "env.postman_environment.json",
        {
            "name": "pm env",
            "values": [
                {"key": "token", "value": SECRET, "type": "secret", "enabled": True},
                {"key": "dropMe", "value": "x", "enabled": True},
            ],
            "_postman_variable_scope": "environment",
        },
    )
    coll = _postman(tmp_path, f"{server.url}/json")
    env_out, globals_out = tmp_path / "env-out.json", tmp_path / "globals-out.json"
    args = ["--export-environment", env_out, "--export-globals", globals_out]
    result = run_cli("run", coll, "-e", env, *args)
    assert result.code == 0, result.text
    assert SECRET not in result.text
    exported = json.loads(env_out.read_text("utf-8"))
    assert exported["_postman_variable_scope"] == "environment"
    values = {v["key"]: (v["value"], v["type"]) for v in exported["values"]}
    assert values == {"token": (SECRET, "secret"), "fromScript": (200, "default")}
    # The exported globals go back in with -g, and scripts pick up where the run left off.
    again = run_cli("run", coll, "-e", env_out, "-g", globals_out, "--export-globals", globals_out)
    assert again.code == 0, again.text
    counted = json.loads(globals_out.read_text("utf-8"))
    assert counted["_postman_variable_scope"] == "globals"
    assert [(v["key"], v["value"]) for v in counted["values"]] == [("runCount", 2)]


@pytest.mark.parametrize("flag", ["--export-environment", "--export-globals"])
def test_export_to_a_folder_is_invalid_input(
    tmp_path: Path, server: LocalServer, flag: str
) -> None:
    coll = write_json(
        tmp_path / "c.json", {"name": "c", "items": [{"name": "a", "url": server.url}]}
    )
    result = run_cli("run", coll, flag, tmp_path)
    assert result.code == 2
    assert f"{flag} {tmp_path}: is a folder" in result.err
    assert server.log == []


def test_postman_export_keeps_disabled_variables(tmp_path: Path, server: LocalServer) -> None:
    # Newman writes a Postman file's disabled entries back; so does runner, as they came.
    off = [
        {"key": "fromScript", "value": "old", "enabled": False},  # the script sets it: it wins
        {"key": "paused", "value": "p", "enabled": False},
        {"key": "oldToken", "value": SECRET, "type": "secret", "enabled": False},
        {"key": "v21Off", "value": "d", "disabled": True, "description": "kept too"},
    ]
    env = write_json(
        tmp_path / "env.postman_environment.json",
        {"name": "pm env", "values": [{"key": "on", "value": "a", "enabled": True}, *off]},
    )
    globals_in = write_json(
        tmp_path / "g.postman_globals.json",
        {"name": "g", "values": [{"key": "gOff", "value": "z", "enabled": False}]},
    )
    coll = _postman(tmp_path, f"{server.url}/json")
    env_out, globals_out = tmp_path / "env-out.json", tmp_path / "globals-out.json"
    args = ["--export-environment", env_out, "--export-globals", globals_out]
    result = run_cli("run", coll, "-e", env, "-g", globals_in, *args)
    assert result.code == 0, result.text
    assert SECRET not in result.text
    exported = json.loads(env_out.read_text("utf-8"))["values"]
    assert [e["key"] for e in exported] == ["on", "fromScript", "paused", "oldToken", "v21Off"]
    assert exported[2:] == off[1:]  # as they came: value, type, flag, description
    globals_values = json.loads(globals_out.read_text("utf-8"))["values"]
    assert globals_values == [
        {"key": "runCount", "value": 1, "type": "default", "enabled": True},
        {"key": "gOff", "value": "z", "enabled": False},
    ]
    # Read back, they are still disabled: a script does not see them.
    probe = write_json(
        tmp_path / "probe.postman_collection.json",
        {
            "info": {"name": "probe", "schema": POSTMAN_V21},
            "item": [{
                "name": "probe", "request": {"method": "GET", "url": f"{server.url}/json"},
                "event": [{"listen": "test", "script": {"exec": [
                    "pm.test('unseen', () => pm.expect(['paused', 'oldToken', 'v21Off']"
                    ".filter(k => pm.environment.has(k))).to.eql([]));",
                ]}}],
            }],
        },
    )  # fmt: skip
    again = run_cli("run", probe, "-e", env_out, "-g", globals_out)
    assert again.code == 0, again.text
    assert "PASSED: 1 request, 1 assertion, 0 failed" in again.out
