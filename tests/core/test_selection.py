"""Issue 14 point 7: which requests run — `--folder` paths, `--tag`/`--exclude-tag`, `--grep`,
all AND-ed, through the CLI against the local server; and what bad selections get."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from support.local_server import LocalServer

import runner
from runner.emulator import Emulator

from .conftest import emulator_auth, run_cli, write_json


def _shop(base: str) -> dict[str, Any]:
    """A collection with a folder name used twice, tags on folders and requests, and a folder
    whose name holds a "/"."""

    def req(name: str, **extra: Any) -> dict[str, Any]:
        key = name.lower().replace(" ", "-")
        return {"name": name, "url": f"{base}/echo?{key}", "assert": {"status": 200}, **extra}

    return {
        "name": "shop",
        "items": [
            {
                "name": "Users",
                "tags": ["users"],
                "items": [
                    req("Create user", tags=["smoke"]),
                    {"name": "Admin", "items": [req("List admins")]},
                    req("Delete user", tags=["slow"]),
                ],
            },
            {
                "name": "Orders",
                "items": [
                    {"name": "Admin", "items": [req("Refund", tags=["smoke"])]},
                    {"name": "v1/v2", "tags": ["legacy"], "items": [req("Old order")]},
                ],
            },
            req("Health", tags=["smoke"]),
        ],
    }


@pytest.fixture
def shop(tmp_path: Path, server: LocalServer) -> Path:
    return write_json(tmp_path / "shop.json", _shop(server.url))


def _sent(server: LocalServer) -> list[str]:
    """Returns the requests the server got, by their query key (one per request)."""
    return [next(iter(s.query)) for s in server.log]


def _ran(server: LocalServer, shop: Path, *args: str) -> list[str]:
    server.clear()
    result = run_cli("run", shop, *args)
    assert result.code == 0, result.text
    return _sent(server)


def _refused(server: LocalServer, shop: Path, *args: str) -> str:
    """Runs a selection that must be invalid input: exit 2, nothing sent; returns stderr."""
    server.clear()
    result = run_cli("run", shop, *args)
    assert result.code == 2, result.text
    assert server.log == [] and "Traceback" not in result.text
    return result.err


def test_folder_by_path_anchored_repeated_and_as_request(server, shop):
    assert _ran(server, shop, "--folder", "Users/Admin") == ["list-admins"]
    assert _ran(server, shop, "--folder", "/Orders") == ["refund", "old-order"]
    # A unique tail of a path is enough; a request path selects that request.
    assert _ran(server, shop, "--folder", "Orders/Admin/Refund") == ["refund"]
    assert _ran(server, shop, "--folder", "Users/Delete user") == ["delete-user"]
    # Repeated (as Newman takes it): any of them, in the collection's order, each once.
    assert _ran(
        server, shop, "--folder", "Health", "--folder", "Users/Admin", "--folder", "Users"
    ) == [
        "create-user",
        "list-admins",
        "delete-user",
        "health",
    ]
    # A trailing "/" names the folder too.
    assert _ran(server, shop, "--folder", "Users/") == ["create-user", "list-admins", "delete-user"]


def test_folder_name_holding_a_slash(server, shop):
    assert _ran(server, shop, "--folder", r"Orders/v1\/v2") == ["old-order"]
    assert _ran(server, shop, "--folder", r"v1\/v2/Old order") == ["old-order"]
    # Written as is, the name still finds the folder when no path means anything else.
    assert _ran(server, shop, "--folder", "v1/v2") == ["old-order"]


def test_ambiguous_bare_name_lists_the_candidate_paths(server, shop):
    err = _refused(server, shop, "--folder", "Admin")
    assert "--folder 'Admin' is ambiguous: 2 folders or requests have that name" in err
    assert "--folder /Orders/Admin\n" in err and "--folder /Users/Admin" in err


def test_unknown_folder_path_gets_a_did_you_mean(server, shop):
    err = _refused(server, shop, "--folder", "Users/Admim")
    assert "--folder 'Users/Admim': no folder or request of that name" in err
    assert "did you mean 'Users/Admin'?" in err
    err = _refused(server, shop, "--folder", "Refnud")
    assert "did you mean 'Orders/Admin/Refund'?" in err
    err = _refused(server, shop, "--folder", "Nothing like it at all")
    assert "top-level folders and requests: Health, Orders, Users" in err
    err = _refused(server, shop, "--folder", "Users//Admin")
    assert "--folder 'Users//Admin': a path has an empty name" in err


def test_tags_of_requests_and_folders_any_of_them(server, shop):
    assert _ran(server, shop, "--tag", "smoke") == ["create-user", "refund", "health"]
    # A folder's tags belong to everything inside it, nested folders included.
    assert _ran(server, shop, "--tag", "users") == ["create-user", "list-admins", "delete-user"]
    assert _ran(server, shop, "--tag", "slow", "--tag", "legacy") == ["delete-user", "old-order"]


def test_exclude_tag_on_requests_and_folders(server, shop):
    assert _ran(server, shop, "--exclude-tag", "users", "--exclude-tag", "legacy") == [
        "refund",
        "health",
    ]
    assert _ran(server, shop, "--tag", "smoke", "--exclude-tag", "users") == ["refund", "health"]


def test_unknown_tag_warns_or_refuses_with_a_did_you_mean(server, shop):
    result = run_cli("run", shop, "--tag", "smoke", "--exclude-tag", "slwo")
    assert result.code == 0, result.text
    assert (
        "warning: --exclude-tag slwo: no request or folder has that tag; did you mean 'slow'?"
        in (result.err)
    )
    err = _refused(server, shop, "--tag", "smok")
    assert "--tag smok: selects no request of the 6 in 'shop' (--tag keeps 0)" in err
    assert "hint: --tag smok: no request or folder has that tag; did you mean 'smoke'?" in err


def test_grep_is_a_case_insensitive_regex_on_the_full_path(server, shop):
    assert _ran(server, shop, "--grep", "admin") == ["list-admins", "refund"]
    assert _ran(server, shop, "--grep", "^users/.*user$") == ["create-user", "delete-user"]
    # The path holds names as written: a "/" in a name is not escaped.
    assert _ran(server, shop, "--grep", "v1/v2/") == ["old-order"]
    assert _ran(server, shop, "--grep", "(?-i:Admin)") == ["list-admins", "refund"]
    # Repeated: any of them (as --folder and --tag).
    assert _ran(server, shop, "--grep", "(?-i:admin)") == ["list-admins"]  # "List admins"
    assert _ran(server, shop, "--grep", "(?-i:admin)", "--grep", "health") == [
        "list-admins",
        "health",
    ]
    assert _ran(server, shop, "--grep", "refund", "--grep", "^health") == ["refund", "health"]


def test_invalid_grep_is_refused_with_the_regex_error(server, shop):
    err = _refused(server, shop, "--grep", "user(")
    assert "--grep 'user(': invalid regular expression: missing ), unterminated subpattern" in err


def test_filters_combine_with_and_and_nothing_selected_is_an_error(tmp_path, server, shop):
    assert _ran(server, shop, "--folder", "Users", "--tag", "smoke") == ["create-user"]
    assert _ran(server, shop, "--tag", "smoke", "--grep", "h$", "--exclude-tag", "users") == [
        "health"
    ]
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    err = _refused(
        server, shop, "--folder", "Orders", "--tag", "slow", "--junit", junit, "--json", report
    )
    assert (
        "--folder Orders --tag slow: selects no request of the 6 in 'shop' "
        "(--folder keeps 2, then --tag keeps 0)" in err
    )
    assert "the options combine with AND" in err
    # The reports say why nothing ran, instead of an empty green run.
    error = ET.parse(junit).find(".//error")
    assert error is not None and "selects no request" in error.get("message", "")
    assert "selects no request" in json.loads(report.read_text())["error"]


def test_reports_and_console_hold_only_the_selected_requests(tmp_path, server, shop):
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    result = run_cli(
        "run",
        shop,
        "--tag",
        "smoke",
        "--grep",
        "^(users|orders)/",
        "--junit",
        junit,
        "--json",
        report,
    )
    assert result.code == 0, result.text
    assert _sent(server) == ["create-user", "refund"]
    cases = [c.get("name") for c in ET.parse(junit).iter("testcase")]
    assert cases == ["Create user", "Refund"]
    doc = json.loads(report.read_text())
    assert [(r["path"], r["name"]) for r in doc["results"]] == [
        (["Users"], "Create user"),
        (["Orders", "Admin"], "Refund"),
    ]
    assert doc["summary"]["requests"] == 2
    assert "Create user" in result.out and "Refund" in result.out
    for left_out in ("Health", "List admins", "Delete user", "Old order"):
        assert left_out not in result.out


def _chained(base: str) -> dict[str, Any]:
    return {
        "name": "chain",
        "items": [
            {
                "name": "Setup",
                "items": [
                    {
                        "name": "Create",
                        "url": f"{base}/echo?create&id=42",
                        "capture": {"userId": "$.query.id[0]"},
                    }
                ],
            },
            {"name": "Read", "url": f"{base}/echo?read&id=<<userId>>", "tags": ["smoke"]},
        ],
    }


def test_capture_from_a_left_out_request_is_refused_before_sending(tmp_path, server):
    path = write_json(tmp_path / "chain.json", _chained(server.url))
    err = _refused(server, path, "--tag", "smoke")
    assert "(Read): <<userId>> is set by 'Setup › Create', which the selection leaves out" in err
    assert "hint: select it too (e.g. --folder /Setup/Create), or give it a value with --var" in err
    # Selecting the capturing request too chains as in a full run.
    result = run_cli("run", path, "--folder", "Setup", "--folder", "Read")
    assert result.code == 0, result.text
    assert [s.query["id"] for s in server.log] == [["42"], ["42"]]


def test_capture_from_a_left_out_request_with_a_default_value_warns(tmp_path, server):
    doc = {**_chained(server.url), "variables": {"userId": "7"}}
    path = write_json(tmp_path / "chain.json", doc)
    result = run_cli("run", path, "--grep", "read")
    assert result.code == 0, result.text
    assert [s.query["id"] for s in server.log] == [["7"]]
    assert (
        "warning: 'Read' uses 'userId', which 'Setup › Create' captures but the selection "
        "leaves out: the value defined before the run is used" in result.err
    )


def test_a_folder_script_around_the_selection_is_no_left_out_value(tmp_path, server):
    # The folder's script runs around the selected request too: nothing to warn about.
    folder = {
        "name": "F",
        "scripts": {"prerequest": "pm.environment.set('x', '1');"},
        "items": [
            {"name": "a", "url": f"{server.url}/echo?a"},
            {"name": "b", "url": f"{server.url}/echo?b&x=<<x>>"},
        ],
    }
    path = write_json(
        tmp_path / "f.json", {"name": "f", "variables": {"x": "0"}, "items": [folder]}
    )
    result = run_cli("run", path, "--folder", "F/b")
    assert result.code == 0, result.text
    assert [s.query["x"] for s in server.log] == [["1"]]
    assert "leaves out" not in result.err


def test_token_of_a_selected_request_is_still_fetched(tmp_path, server):
    with Emulator() as emulator:
        doc = {
            "name": "tokens",
            "auth": emulator_auth(emulator.url),
            "items": [
                {"name": "first", "url": f"{server.url}/echo?first"},
                {"name": "Graph", "items": [{"name": "me", "url": f"{server.url}/echo?me"}]},
            ],
        }
        path = write_json(tmp_path / "t.json", doc)
        report = tmp_path / "r.json"
        result = run_cli("run", path, "--folder", "Graph/me", "--json", report)
    assert result.code == 0, result.text
    assert _sent(server) == ["me"]
    assert server.log[0].headers["Authorization"].startswith("Bearer ")
    kinds = [(r["kind"], r["name"]) for r in json.loads(report.read_text())["results"]]
    assert kinds[-1] == ("request", "me") and [k for k, _ in kinds].count("token") == 1


def _postman(base: str) -> dict[str, Any]:
    def req(name: str, url: str) -> dict[str, Any]:
        return {"name": name, "request": {"method": "GET", "url": url}}

    capture = "pm.collectionVariables.set('token', pm.response.json().path);"
    return {
        "info": {
            "name": "pm",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [
            {
                "name": "Auth",
                "item": [
                    {
                        **req("Login", f"{base}/echo?login"),
                        "event": [{"listen": "test", "script": {"exec": [capture]}}],
                    }
                ],
            },
            {
                "name": "Users",
                "id": "5f0c-users",
                "item": [
                    {"name": "Admin", "item": [req("List", f"{base}/echo?list&t={{{{token}}}}")]}
                ],
            },
        ],
    }


def test_postman_collection_folder_paths_grep_and_no_tags(tmp_path, server):
    path = write_json(tmp_path / "pm.postman_collection.json", _postman(server.url))
    result = run_cli("run", path, "--folder", "Users/Admin")
    assert result.code == 0, result.text
    assert _sent(server) == ["list"]
    # A value a left-out script sets: Newman would send {{token}} as written, so a warning.
    assert "{{token}} is set by 'Auth › Login', which the selection leaves out" in result.err
    assert _ran(server, path, "--grep", "^auth/") == ["login"]
    # A Postman item id works as Newman's --folder takes it.
    assert _ran(server, path, "--folder", "5f0c-users") == ["list"]
    err = _refused(server, path, "--tag", "smoke")
    assert "--tag smoke: no request or folder has tags (Postman collections carry no tags)" in err


def test_selection_through_the_python_api(tmp_path, server, shop):
    result = runner.run(shop, tags=["smoke"], exclude_tags="users", grep="^[^/]+$")
    assert [r.name for r in result.results] == ["Health"]
    result = runner.run(shop, folders="Users/Admin")
    assert [r.name for r in result.results] == ["List admins"]
    with pytest.raises(runner.InputError, match="is ambiguous"):
        runner.run(shop, folders=["Admin"])


def test_help_teaches_selection(capsys):
    with pytest.raises(SystemExit):
        run_cli("run", "--help")
    text = " ".join(capsys.readouterr().out.split())
    for expected in (
        '--folder "Users/Admin"',
        r'a "/" in a name is written \/',
        "--tag NAME",
        "--exclude-tag NAME",
        "case-insensitive",
        "combine with AND",
    ):
        assert expected in text, expected


def test_load_takes_the_same_selection(tmp_path, server, shop):
    # A subprocess: `runner load` patches the standard library for Locust's greenlets.
    done = subprocess.run(
        [sys.executable, "-m", "runner", "load", str(shop), "--run-time", "1s", "--tag", "smok"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "did you mean 'smoke'?" in done.stderr and server.log == []
