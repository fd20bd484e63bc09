"""Issue 3 point 8 / contract section 6: secrets never appear in console, JUnit or JSON."""

from __future__ import annotations

import base64
import json

from .conftest import run_cli, write_json

LISTED = "listed-value-1234"
NAMED = {
    "clientSecret": "named-secret-5678",
    "dbPassword": "named-password-9012",
    "apiToken": "named-token-3456",
    "subscriptionKey": "named-key-7890",
}
ENV_SECRET = "env-secret-value-2468"
BEARER = "literal-bearer-1357"
BASIC_PASSWORD = "basic-pass-8642"
DATA_PASSWORD = "data-password-1122"
CAPTURED_TOKEN = "captured-token-3344"


def _outputs(tmp_path, server, monkeypatch, *extra):
    monkeypatch.setenv("CORE_X_SECRET", ENV_SECRET)
    env = write_json(
        tmp_path / "env.json",
        {"name": "e", "variables": {"plain": LISTED, **NAMED}, "secrets": ["plain"]},
    )
    data = write_json(tmp_path / "rows.json", [{"userPassword": DATA_PASSWORD}])
    echo = f"{server.url}/echo"
    items = [
        {
            "name": "everything in headers",
            "method": "POST",
            "url": echo,
            "query": {"k": "<<subscriptionKey>>"},
            "headers": {
                "X-Listed": "<<plain>>",
                "X-Secret": "<<clientSecret>>",
                "X-Pass": "<<dbPassword>>",
                "X-Token": "<<apiToken>>",
                "X-Env": "<<$env.CORE_X_SECRET>>",
                "X-Data": "<<userPassword>>",
                "Cookie": "sid=cookie-value-5566",
            },
            "body": {"json": {"secret": "<<clientSecret>>", "p": "<<plain>>"}},
            "auth": {"type": "bearer", "token": BEARER},
            # Failing assertions put the values into expected/actual of every report.
            "assert": {
                "status": 500,
                "jsonpath": {
                    "$.headers.X-Listed": "wrong",
                    "$.json.secret": {"equals": "<<plain>>"},
                },
                "body": {"contains": "<<apiToken>>-not-there"},
            },
        },
        {
            "name": "basic",
            "url": echo,
            "auth": {"type": "basic", "username": "ada", "password": BASIC_PASSWORD},
            "assert": {"status": 201},
        },
        {
            "name": "capture a token",
            "method": "POST",
            "url": echo,
            "body": {"json": {"t": CAPTURED_TOKEN}},
            "capture": {"sessionToken": "$.json.t"},
        },
        {
            "name": "use it",
            "url": echo,
            "headers": {"X-Session": "<<sessionToken>>"},
            "assert": {"status": 404},
        },
    ]
    path = write_json(tmp_path / "c.json", {"name": "secrets", "items": items})
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    result = run_cli(
        "run", path, "-e", env, "-d", data, "--verbose", "--junit", junit, "--json", report, *extra
    )
    assert result.code == 1
    assert len(server.log) == 4
    return {
        "console": result.out + result.err,
        "junit": junit.read_text(),
        "json": report.read_text(),
    }


SECRETS = [
    LISTED,
    *NAMED.values(),
    ENV_SECRET,
    BEARER,
    BASIC_PASSWORD,
    base64.b64encode(f"ada:{BASIC_PASSWORD}".encode()).decode(),
    DATA_PASSWORD,
    CAPTURED_TOKEN,
    "cookie-value-5566",
]


def test_no_secret_appears_in_any_output(tmp_path, server, monkeypatch):
    outputs = _outputs(tmp_path, server, monkeypatch)
    # The values really were sent, so the outputs had a chance to leak them.
    sent = json.dumps([s.headers for s in server.log]) + repr([s.body for s in server.log])
    assert LISTED in sent and ENV_SECRET in sent and CAPTURED_TOKEN in sent
    for where, text in outputs.items():
        leaked = [s for s in SECRETS if s in text]
        assert leaked == [], f"{where} leaks {leaked}"
        assert "***" in text, where


def test_authorization_header_masked_in_json_exchange(tmp_path, server, monkeypatch):
    outputs = _outputs(tmp_path, server, monkeypatch)
    report = json.loads(outputs["json"])
    exchange = report["results"][0]["exchange"]
    headers = dict(exchange["request_headers"])
    assert headers["Authorization"] == "***"
    assert headers["X-Listed"] == "***"
    assert report["results"][0]["assertions"][1]["actual"] == "***"


def test_short_env_secret_read_through_env_reference_is_masked(tmp_path, server, monkeypatch):
    monkeypatch.setenv("CORE_SHORT_SECRET", "s3cr3")
    monkeypatch.setenv("CORE_SHORT_PLAIN", "pl41n")
    path = write_json(
        tmp_path / "c.json",
        {"name": "c", "items": [{
            "name": "a", "url": f"{server.url}/echo", "assert": {"status": 500},
            "headers": {"X-S": "<<$env.CORE_SHORT_SECRET>>", "X-P": "<<$env.CORE_SHORT_PLAIN>>"},
        }]},
    )  # fmt: skip
    result = run_cli("run", path, "--verbose", "--json", tmp_path / "r.json")
    assert server.log[0].headers["X-S"] == "s3cr3"
    for text in (result.out, (tmp_path / "r.json").read_text()):
        assert "s3cr3" not in text
        assert "pl41n" in text  # not a secret: its name says nothing


def test_secret_names_in_collection_folder_and_cli_variables(tmp_path, server):
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "c",
            "variables": {"collectionSecret": "coll-secret-4711"},
            "items": [{
                "name": "F", "variables": {"folderToken": "folder-token-0815"},
                "items": [{
                    "name": "a", "url": f"{server.url}/echo", "assert": {"status": 500},
                    "query": {
                        "c": "<<collectionSecret>>", "f": "<<folderToken>>", "k": "<<apiKey>>",
                    },
                }],
            }],
        },
    )  # fmt: skip
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    result = run_cli(
        "run", path, "--var", "apiKey=cli-key-2342", "-v", "--junit", junit, "--json", report
    )
    assert result.code == 1
    assert server.log[0].query == {
        "c": ["coll-secret-4711"],
        "f": ["folder-token-0815"],
        "k": ["cli-key-2342"],
    }
    for text in (result.out, junit.read_text(), report.read_text()):
        for secret in ("coll-secret-4711", "folder-token-0815", "cli-key-2342"):
            assert secret not in text
