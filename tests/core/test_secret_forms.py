"""Issue 10 points 1-3: a secret is masked in every form it takes, before any output is cut,
and an empty secret is invalid input rather than a reason to mask the word "Bearer"."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

from runner.emulator import Emulator

from .conftest import emulator_auth, run_cli, write_json

# Every character that URL, form, JSON and repr encoding change.
ODD = 'a+b/c=d&e$f!g h"q\\z-s3cr3t'


def _reports(tmp_path, *args):
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    result = run_cli(*args, "--verbose", "--junit", junit, "--json", report)
    return result, {
        "console": result.text,
        "junit": junit.read_text(),
        "json": report.read_text(),
    }


def _leaks(outputs, forms):
    return {where: [f for f in forms if f in text] for where, text in outputs.items()}


def test_encoded_forms_of_a_secret_are_masked_in_every_output(tmp_path, server, faults):
    echo = f"{server.url}/echo"
    items = [
        {"name": "query", "url": echo, "query": {"k": "<<apiKey>>"}, "assert": {"status": 500}},
        {
            "name": "apikey in query",
            "url": echo,
            "auth": {"type": "apikey", "in": "query", "name": "key", "value": "<<apiKey>>"},
            "assert": {"jsonpath": {"$.query.key[0]": "x"}},
        },
        {
            "name": "form",
            "method": "POST",
            "url": echo,
            "body": {"form": {"p": "<<apiKey>>"}},
            "assert": {"status": 500},
        },
        {
            "name": "json",
            "method": "POST",
            "url": echo,
            "body": {"json": {"p": "<<apiKey>>"}},
            "assert": {"body": {"contains": "not there"}},
        },
        {
            "name": "base64",
            "url": f"{faults.url}/encode",
            "query": {"v": "<<apiKey>>"},
            "assert": {"jsonpath": {"$.alone": "x", "$.basic": "y"}},
        },
    ]
    path = write_json(tmp_path / "c.json", {"name": "forms", "items": items})
    result, outputs = _reports(tmp_path, "run", path, "--var", f"apiKey={ODD}")
    assert result.code == 1
    sent = [s.query for s in server.log]
    assert {"k": [ODD]} in sent and {"key": [ODD]} in sent  # the real value went out
    forms = {
        "raw": ODD,
        "url": quote(ODD, safe=""),
        "form": quote_plus(ODD, safe=""),
        "json": json.dumps(ODD)[1:-1],
        "json twice": json.dumps(json.dumps(ODD))[1:-1],
        "repr": repr(ODD)[1:-1],
        "base64": base64.b64encode(ODD.encode()).decode(),
        # The password's part of base64("ada:" + password), as in a Basic credential.
        "basic": base64.b64encode(b"ada:" + ODD.encode()).decode()[8:-8],
    }
    assert _leaks(outputs, forms.values()) == {"console": [], "junit": [], "json": []}
    for where, text in outputs.items():
        assert "***" in text, where


def test_long_echoed_token_is_masked_before_a_message_is_cut(tmp_path, server):
    with Emulator() as emulator:
        auth = emulator_auth(emulator.url)
        item = {
            "name": "echo the token",
            "url": f"{server.url}/echo",
            "auth": auth,
            # The echoed header and a body longer than a message shows: both fail.
            "assert": {
                "jsonpath": {"$.headers.Authorization": "Bearer nope"},
                "body": {"contains": "not there"},
            },
        }
        path = write_json(tmp_path / "c.json", {"name": "jwt", "items": [item]})
        result, outputs = _reports(tmp_path, "run", path)
    assert result.code == 1
    token = server.log[0].headers["Authorization"].removeprefix("Bearer ")
    assert len(token) > 400
    # No 16-character piece of the token shows anywhere, not even its first characters.
    pieces = {token[i : i + 16] for i in range(0, len(token) - 16, 8)}
    assert _leaks(outputs, pieces) == {"console": [], "junit": [], "json": []}
    report = json.loads(outputs["json"])
    messages = [a["message"] for a in report["results"][-1]["assertions"]]
    assert messages[0] == (
        "jsonpath $.headers.Authorization: expected equals 'Bearer nope', got '***'"
    )
    assert messages[1].startswith("body: expected contains 'not there', got '{")
    assert "got '***'" in outputs["console"]


def test_empty_bearer_token_is_invalid_input(tmp_path, server):
    items = [
        {"name": "literal", "url": f"{server.url}/echo", "auth": {"type": "bearer", "token": ""}},
        {
            "name": "blank variable",
            "url": f"{server.url}/echo",
            "auth": {"type": "bearer", "token": "<<apiToken>>"},
        },
    ]
    path = write_json(tmp_path / "c.json", {"name": "empty", "items": items})
    result = run_cli("run", path, "--var", "apiToken=   ", "--junit", tmp_path / "j.xml")
    assert result.code == 2, result.text
    assert server.log == []
    # The literal one breaks the schema (reported with the file's other schema problems);
    # the blank variable is found once the document is valid, before anything is sent.
    assert "c.json#/items/0/auth/token (literal): the bearer token is empty" in result.err
    path = write_json(tmp_path / "c.json", {"name": "empty", "items": items[1:]})
    result = run_cli("run", path, "--var", "apiToken=   ", "--junit", tmp_path / "j.xml")
    assert result.code == 2, result.text
    assert server.log == []
    assert "c.json#/items/0/auth/token (blank variable): the bearer token" in result.err
    assert "Bearer" not in result.err.replace("bearer", "")  # nothing masked the word
    assert "***" not in result.err


def test_bearer_token_empty_at_run_time_is_not_sent(tmp_path, server):
    # The token comes from a capture that found an empty string: known only at run time.
    items = [
        {
            "name": "get token",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {"json": {"t": ""}},
            "capture": {"sessionToken": "$.json.t"},
        },
        {
            "name": "use it",
            "url": f"{server.url}/echo",
            "auth": {"type": "bearer", "token": "<<sessionToken>>"},
            "assert": {"status": 200},
        },
    ]
    path = write_json(tmp_path / "c.json", {"name": "empty", "items": items})
    result = run_cli("run", path, "--verbose")
    assert result.code == 1
    assert len(server.log) == 1
    assert "not sent: the bearer token is empty" in result.out
    # The word Bearer, the scheme alone, is not a secret: other output keeps it.
    assert "***" not in result.out


def test_values_shorter_than_the_minimum_are_never_masked(tmp_path, server):
    path = write_json(
        tmp_path / "c.json",
        {"name": "short", "items": [{
            "name": "a", "url": f"{server.url}/echo", "assert": {"status": 500},
            "query": {"id": "<<pinKey>>", "who": "<<spaceKey>>"},
        }]},
    )  # fmt: skip
    result = run_cli("run", path, "--var", "pinKey=ab", "--var", "spaceKey=  x ", "-v")
    assert server.log[0].query == {"id": ["ab"], "who": ["  x "]}
    assert "id=ab" in result.out
    assert "***" not in result.out
