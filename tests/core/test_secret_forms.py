"""Issue 10 points 1-3: a secret is masked in every form it takes, before any output is cut,
and an empty secret is invalid input rather than a reason to mask the word "Bearer"."""

from __future__ import annotations

import base64
import json
import re
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


# A secret inside longer base64 text (`btoa('user:' + pw)` in a header
# other than Authorization). The characters at both ends of its base64 carry some of its
# bits and some of the neighbours': they are masked too, at every alignment.
B64_SECRETS = {"password": "hunter12", "apiKey": "s3cr3"}  # 8 and 5 bytes
BEFORE, AFTER = "xyz", "XYZ"  # no character of either secret
SPLITS = [(p, s) for p in range(4) for s in range(4)]
POSTMAN_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _b64_collection(url: str) -> dict[str, object]:
    adds, checks = [], []
    for name in B64_SECRETS:
        for p, s in SPLITS:
            header = f"X-{name}-{p}{s}"
            adds.append(
                f"pm.request.headers.add({{key: '{header}', value: btoa('{BEFORE[:p]}'"
                f" + pm.environment.get('{name}') + '{AFTER[:s]}')}});"
            )
            # A failing test puts the echoed value into every report's message.
            checks.append(
                f"pm.test('{header}', () => pm.expect("
                f"pm.response.json().headers['{header}']).to.eql('none'));"
            )
    scripts = (("prerequest", adds), ("test", checks))
    events = [{"listen": listen, "script": {"exec": lines}} for listen, lines in scripts]
    send = {"name": "send", "event": events, "request": {"method": "GET", "url": url}}
    return {"info": {"name": "b64", "schema": POSTMAN_V21}, "item": [send]}


def _masked_shows(value: str, p: int, s: int) -> set[str]:
    """Returns how base64(BEFORE[:p] + value + AFTER[:s]) may show: every character that
    carries a bit of `value` masked, the others shown (the padding with them or not)."""
    full = base64.b64encode(f"{BEFORE[:p]}{value}{AFTER[:s]}".encode()).decode()
    first, stop = 8 * p, 8 * (p + len(value))  # the secret's bits
    head, tail = full[: first // 6], full[-(-stop // 6) :]  # the characters without any
    # Decoded where they stand, they give back text before and after the secret only.
    before = base64.b64decode(head + "A" * (-len(head) % 4))[: len(head) * 6 // 8]
    assert BEFORE[:p].encode().startswith(before)
    at = len(full) - len(tail)
    after = base64.b64decode("A" * (at % 4) + tail)[-(-at * 6 // 8) - at // 4 * 3 :]
    assert AFTER[:s].encode().endswith(after)
    assert len(before) == len(head) * 6 // 8 and len(after) >= s - 1
    return {f"{head}***{tail}", f"{head}***{tail.rstrip('=')}"}


# A masked base64 text, with whatever base64 characters show beside the mask.
_MASKED_BASE64 = re.compile(r"[A-Za-z0-9+/=]*\*\*\*[A-Za-z0-9+/=]*")


def test_no_base64_character_carrying_a_secret_bit_shows(tmp_path, server):
    env = write_json(
        tmp_path / "env.json",
        {"name": "e", "values": [{"key": k, "value": v} for k, v in B64_SECRETS.items()]},
    )
    coll = write_json(tmp_path / "c.json", _b64_collection(f"{server.url}/echo"))
    junit, report, html = tmp_path / "j.xml", tmp_path / "r.json", tmp_path / "r.html"
    outputs = {}
    for flags in ([], ["-v"], ["--curl"]):
        result = run_cli("run", coll, "-e", env, *flags)
        assert result.code == 1, result.text
        outputs[" ".join(flags) or "console"] = result.text
    result = run_cli("run", coll, "-e", env, "--junit", junit, "--json", report, "--html", html)
    assert result.code == 1, result.text
    outputs |= {"junit": junit.read_text(), "json": report.read_text(), "html": html.read_text()}
    sent = server.log[0].headers
    assert sent["X-password-10"] == base64.b64encode(b"xhunter12").decode()  # really sent
    expected = {
        name: {split: _masked_shows(value, *split) for split in SPLITS}
        for name, value in B64_SECRETS.items()
    }
    allowed = set().union(*(shows for each in expected.values() for shows in each.values()))
    for where, text in outputs.items():
        shown = set(_MASKED_BASE64.findall(text))
        # Every header shows masked, and nothing else masked shows a character more.
        for name, splits in expected.items():
            assert all(shows & shown for shows in splits.values()), (where, name)
        assert shown <= allowed, (where, shown - allowed)
