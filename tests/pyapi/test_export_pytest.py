"""`runner export pytest`: the module it writes for every bundled collection passes ruff and
runs green against the emulator; Postman scripts it cannot translate stay as comments with
a warning; bad input is reported as `runner run` reports it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyapi_support import COLLECTIONS, EMULATOR_ENV, PASSWORD, SECRET

from runner.cli import main
from runner.emulator import Emulator

RUFF_RULES = "E,F,W,I,B,UP,SIM,RUF"


def _export(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["export", "pytest", *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _ruff(module: Path) -> subprocess.CompletedProcess[str]:
    # In the module's own folder, as in a user's project: no configuration of ours applies.
    ruff = Path(sys.executable).with_name("ruff")
    args = ["check", "--isolated", "--select", RUFF_RULES, "--line-length", "100", module.name]
    return subprocess.run(
        [str(ruff), *args], cwd=module.parent, capture_output=True, text=True, timeout=60
    )


def _pytest(module: Path, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "emulatorUrl": emulator.url,
        "clientSecret": SECRET,
        "userPassword": PASSWORD,
    }
    command = [sys.executable, "-m", "pytest", "-c", os.devnull, "-p", "no:cacheprovider"]
    return subprocess.run(
        [*command, "-q", "-p", "no:xdist", module.name],
        cwd=module.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize("name", sorted(p.name for p in COLLECTIONS.glob("*.json")))
def test_every_bundled_collection_exports_to_a_clean_green_module(
    name: str, tmp_path: Path, emulator: Emulator
) -> None:
    module = tmp_path / f"test_{Path(name).stem.replace('-', '_')}.py"
    code, _, err = _export(str(COLLECTIONS / name), "-e", str(EMULATOR_ENV), "-o", str(module))
    assert code == 0, err
    source = module.read_text("utf-8")
    # The environment's secrets are read from the process environment, never written.
    assert SECRET not in source and PASSWORD not in source
    assert "requests.Session()" in source and "assert response.status_code == 200" in source

    linted = _ruff(module)
    assert linted.returncode == 0, linted.stdout + linted.stderr

    requests_in_collection = _count_requests(json.loads((COLLECTIONS / name).read_text("utf-8")))
    done = _pytest(module, emulator)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{requests_in_collection} passed" in done.stdout
    # One test per request, and the token fixtures ask the emulator once per token.
    assert emulator.stats.token_requests_total <= 2


def _count_requests(node: dict[str, object]) -> int:
    items = node.get("items")
    if not isinstance(items, list):
        return 1
    return sum(_count_requests(item) for item in items)


POSTMAN = {
    "info": {
        "name": "Postman sample",
        "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    "item": [
        {
            "name": "Get a token",
            "request": {
                "method": "POST",
                "url": "{{emulatorUrl}}/{{tenantId}}/oauth2/v2.0/token",
                "body": {
                    "mode": "urlencoded",
                    "urlencoded": [
                        {"key": "grant_type", "value": "client_credentials"},
                        {"key": "client_id", "value": "{{clientId}}"},
                        {"key": "client_secret", "value": "{{clientSecret}}"},
                        {"key": "scope", "value": "https://graph.microsoft.com/.default"},
                    ],
                },
            },
            "event": [
                {
                    "listen": "test",
                    "script": {
                        "exec": [
                            "pm.test('token issued', function () {",
                            "    pm.response.to.have.status(200);",
                            "});",
                            "var data = pm.response.json();",
                            'pm.environment.set("accessToken", data.access_token);',
                            "console.log('expires in ' + data.expires_in);",
                        ]
                    },
                }
            ],
        },
        {
            "name": "Users",
            "item": [
                {
                    "name": "List users",
                    "request": {
                        "method": "GET",
                        "url": "{{emulatorUrl}}/v1.0/users",
                        "auth": {
                            "type": "bearer",
                            "bearer": [{"key": "token", "value": "{{accessToken}}"}],
                        },
                    },
                    "event": [
                        {
                            "listen": "test",
                            "script": {
                                "exec": [
                                    "pm.test('ok', function () {",
                                    "    pm.response.to.have.status(200);",
                                    "});",
                                ]
                            },
                        }
                    ],
                }
            ],
        },
    ],
    "variable": [
        {"key": "tenantId", "value": "contoso.onmicrosoft.com"},
        {"key": "clientId", "value": "11111111-2222-3333-4444-555555555555"},
    ],
}


def test_a_postman_collection_exports_with_its_scripts_as_comments(
    tmp_path: Path, emulator: Emulator
) -> None:
    source = tmp_path / "sample.postman_collection.json"
    source.write_text(json.dumps(POSTMAN), encoding="utf-8")
    module = tmp_path / "test_sample.py"
    code, _, err = _export(str(source), "-o", str(module))
    assert code == 0, err
    text = module.read_text("utf-8")
    # The console.log line could not be translated: a comment in the test and a warning.
    assert "warning: Get a token: test script kept as a comment" in err
    assert "#   console.log('expires in ' + data.expires_in);" in text
    assert "class TestUsers:" in text and "def test_list_users(" in text
    assert 'v["accessToken"] = body["access_token"]' in text
    assert '"Authorization": "Bearer " + v["accessToken"]' in text

    linted = _ruff(module)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    done = _pytest(module, emulator)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_tokens_from_azure_identity_when_asked(tmp_path: Path) -> None:
    module = tmp_path / "test_graph.py"
    code, _, err = _export(
        str(COLLECTIONS / "graph-users.json"), "--token-from", "azure-identity", "-o", str(module)
    )
    assert code == 0, err
    text = module.read_text("utf-8")
    assert "from azure.identity import ClientSecretCredential" in text
    assert 'credential.get_token("https://graph.microsoft.com/.default")' in text
    assert "get_token(" not in text.replace("credential.get_token(", "")
    linted = _ruff(module)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_a_requests_timeout_ms_is_its_timeout_and_0_none(tmp_path: Path) -> None:
    # As runner sends it: its own timeoutMs, 0 no limit (timeout=None), else the module's.
    items = [
        {"name": "own", "url": "http://127.0.0.1:9/a", "timeoutMs": 2500},
        {"name": "none", "url": "http://127.0.0.1:9/b", "timeoutMs": 0},
        {"name": "run's", "url": "http://127.0.0.1:9/c"},
    ]
    source = tmp_path / "c.json"
    source.write_text(json.dumps({"name": "t", "items": items}), "utf-8")
    module = tmp_path / "test_t.py"
    code, _, err = _export(str(source), "-o", str(module))
    assert code == 0, err
    text = module.read_text("utf-8")
    sends = [line.split("timeout=")[1] for line in text.splitlines() if "http.get(" in line]
    assert sends == ["2.5)", "None)", "TIMEOUT)"], sends


def test_invalid_collection_is_reported_as_runner_run_reports_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"name": "b", "items": [{"name": "no url"}]}), encoding="utf-8")
    code, out, err = _export(str(broken))
    assert code == 2 and out == ""
    assert f"error: {broken}#/items/0 (no url): missing required key 'url'" in err
    code, _, err = _export(str(tmp_path / "absent.json"))
    assert code == 2 and "absent.json" in err
