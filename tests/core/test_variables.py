"""Issue 3 point 3: variables — six scopes in order, $env, dynamic values, typed JSON, .env."""

from __future__ import annotations

import json
import os
import re
import uuid

from .conftest import run_cli, write_json

SCOPES = ["globals", "collection", "folder", "environment", "data", "cli", "captured"]


def _echo_headers(server):
    assert len(server.log) >= 1
    return {k.lower(): v for k, v in server.log[-1].headers.items()}


def test_scopes_in_contract_order(tmp_path, server, coll):
    # Variable vN is defined in scope N and in every scope below it; the highest must win.
    names = [f"v{i}" for i in range(len(SCOPES))]

    def upto(level: int) -> dict[str, str]:
        return {n: SCOPES[level] for i, n in enumerate(names) if i >= level}

    globals_file = write_json(tmp_path / "g.json", {"variables": upto(0)})
    env_file = write_json(tmp_path / "e.json", {"name": "e", "variables": upto(3)})
    data_file = write_json(tmp_path / "d.json", [upto(4)])
    headers = {f"X-{n}": f"<<{n}>>" for n in names}
    path = coll(
        {
            "name": "capture v6",
            "url": f"{server.url}/echo",
            "method": "POST",
            "body": {"json": {"v6": "captured"}},
            "capture": {"v6": "$.json.v6"},
        },
        {
            "name": "Folder",
            "variables": upto(2),
            "items": [{"name": "read", "url": f"{server.url}/echo", "headers": headers}],
        },
        variables=upto(1),
    )
    cli_vars = [a for n in names[5:] for a in ("--var", f"{n}=cli")]
    result = run_cli("run", path, "-g", globals_file, "-e", env_file, "-d", data_file, *cli_vars)
    assert result.code == 0, result.text
    seen = _echo_headers(server)
    got = [seen[f"x-{n}"] for n in names]
    assert got == SCOPES


def test_folder_variables_apply_only_inside_their_folder(server, coll):
    path = coll(
        {
            "name": "F",
            "variables": {"who": "inner"},
            "items": [
                {"name": "in", "url": f"{server.url}/echo", "headers": {"X-Who": "<<who>>"}},
            ],
        },
        {"name": "out", "url": f"{server.url}/echo", "headers": {"X-Who": "<<who>>"}},
        variables={"who": "outer"},
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    assert [s.headers["X-Who"] for s in server.log] == ["inner", "outer"]


def test_scripts_see_folder_variables_as_their_requests_do(tmp_path, server, coll):
    # pm.variables ranks them as <<name>> does: collection < folder < environment.
    seen = (
        "var o = pm.variables.toObject();"
        "pm.test(['who', 'env'].map((k) => k + '=' + pm.variables.get(k)).join(), () => {});"
        "pm.test('object ' + Object.keys(o).sort().map((k) => k + '=' + o[k]), () => {});"
    )
    path = coll(
        {
            "name": "F",
            "variables": {"who": "folder", "env": "folder"},
            "items": [{"name": "in", "url": f"{server.url}/echo", "scripts": {"test": seen}}],
        },
        {"name": "out", "url": f"{server.url}/echo", "scripts": {"test": seen}},
        variables={"who": "collection", "env": "collection"},
    )
    env = write_json(tmp_path / "e.json", {"name": "e", "variables": {"env": "environment"}})
    report = tmp_path / "r.json"
    result = run_cli("run", path, "-e", env, "--json", report)
    assert result.code == 0, result.text
    results = json.loads(report.read_text("utf-8"))["results"]
    assert [[a["name"] for a in r["assertions"]] for r in results] == [
        ["who=folder,env=environment", "object env=environment,who=folder"],
        ["who=collection,env=environment", "object env=environment,who=collection"],
    ]


def test_env_reference_reads_process_environment(server, coll, monkeypatch):
    monkeypatch.setenv("CORE_REGION", "westeurope")
    path = coll({"name": "r", "url": f"{server.url}/echo", "query": {"r": "<<$env.CORE_REGION>>"}})
    result = run_cli("run", path)
    assert result.code == 0, result.text
    assert server.log[0].query == {"r": ["westeurope"]}


def test_dynamic_values(server, coll):
    path = coll(
        {
            "name": "dyn",
            "url": f"{server.url}/echo",
            "headers": {
                "X-Guid": "<<$guid>>",
                "X-Ts": "<<$timestamp>>",
                "X-Iso": "<<$isoTimestamp>>",
                "X-Int": "<<$randomInt>>",
            },
        }
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    h = server.log[0].headers
    uuid.UUID(h["X-Guid"])
    assert h["X-Ts"].isdigit() and abs(int(h["X-Ts"]) - __import__("time").time()) < 60
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", h["X-Iso"])
    assert 0 <= int(h["X-Int"]) <= 1000


def test_typed_whole_value_substitution_in_json_body(server, coll):
    path = coll(
        {
            "name": "get",
            "url": f"{server.url}/json",
            "capture": {
                "total": "$.total",
                "enabled": "$.enabled",
                "items": "$.value",
                "first": "$.value[0]",
                "nothing": "$.nothing",
                "ratio": "$.ratio",
            },
        },
        {
            "name": "post",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {
                "json": {
                    "total": "<<total>>",
                    "enabled": "<<enabled>>",
                    "items": "<<items>>",
                    "first": "<<first>>",
                    "nothing": "<<nothing>>",
                    "ratio": "<<ratio>>",
                    "text": "n=<<total>> on=<<enabled>>",
                    "nested": ["<<total>>", {"k": "<<first>>"}],
                    "<<who>>": "key rendered",
                }
            },
        },
        variables={"who": "ada"},
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    sent = json.loads(server.log[1].body)
    assert sent["total"] == 2 and sent["enabled"] is True and sent["ratio"] == 0.5
    assert sent["items"][1]["name"] == "rg2"
    assert sent["first"]["tags"] == {"env": "dev"}
    assert sent["nothing"] is None
    assert sent["text"] == "n=2 on=true"
    assert sent["nested"] == [2, {"k": sent["first"]}]
    assert sent["ada"] == "key rendered"


def test_variable_values_may_reference_other_variables(server, coll):
    path = coll(
        {"name": "r", "url": "<<base>>/echo"},
        variables={"base": "<<scheme>>://<<host>>", "scheme": "http", "host": server.url[7:]},
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    assert server.paths() == ["/echo"]


def test_dotenv_file_loaded_without_overriding_real_environment(
    tmp_path, server, coll, monkeypatch
):
    monkeypatch.setenv("CORE_REAL", "from-process")
    dotenv = tmp_path / "custom.env"
    dotenv.write_text("CORE_REAL=from-dotenv\nCORE_ONLY_DOTENV=dotenv-value\n")
    path = coll(
        {
            "name": "r",
            "url": f"{server.url}/echo",
            "headers": {"X-Real": "<<$env.CORE_REAL>>", "X-Dot": "<<$env.CORE_ONLY_DOTENV>>"},
        }
    )
    result = run_cli("run", path, "--dotenv", dotenv)
    assert result.code == 0, result.text
    assert server.log[0].headers["X-Real"] == "from-process"
    assert server.log[0].headers["X-Dot"] == "dotenv-value"


def test_dotenv_in_current_directory_loaded_by_default(tmp_path, server, coll, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CORE_CWD_DOTENV=cwd-value\n")
    path = coll(
        {"name": "r", "url": f"{server.url}/echo", "query": {"v": "<<$env.CORE_CWD_DOTENV>>"}}
    )
    result = run_cli("run", path)
    assert result.code == 0, result.text
    assert server.log[0].query["v"] == ["cwd-value"]


def test_missing_dotenv_file_is_invalid_input(tmp_path, server, coll):
    path = coll({"name": "r", "url": f"{server.url}/echo"})
    result = run_cli("run", path, "--dotenv", tmp_path / "nope.env")
    assert result.code == 2
    assert "nope.env: file not found" in result.err
    assert server.log == []


def test_autouse_fixture_cleared_proxy_and_color_variables():
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_COLOR", "REQUESTS_CA_BUNDLE"):
        assert name not in os.environ
