"""--verbose that helps debug: pretty JSON with a visible cut, --verbose=failures, --curl."""

from __future__ import annotations

import json
import shlex
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from support.external import require_tool
from support.local_server import LocalServer, serve
from support.pki import client_files, server_context

from core.conftest import collection, run_cli, write_json

SECRET = "k3y+with/odd=chars"


def _coll(tmp_path: Path, base: str) -> Path:
    return write_json(
        tmp_path / "c.json",
        {
            "name": "debug",
            "items": [
                {"name": "fine", "url": f"{base}/json", "assert": {"status": 200}},
                {
                    "name": "broken",
                    "method": "POST",
                    "url": f"{base}/echo",
                    "query": {"key": "<<apiKey>>"},
                    "headers": {"X-Trace": "t-1"},
                    "body": {"json": {"key": "<<apiKey>>", "n": 1}},
                    "assert": {"status": 201},
                },
            ],
        },
    )


def test_verbose_pretty_prints_json(tmp_path: Path, server: LocalServer) -> None:
    result = run_cli("run", _coll(tmp_path, server.url), "--var", f"apiKey={SECRET}", "-v")
    # /json's document, one key per line, indented.
    assert '      <   "total": 2,' in result.out
    assert SECRET not in result.text


def test_verbose_marks_what_it_cuts(tmp_path: Path, server: LocalServer) -> None:
    from runner.report.console import VERBOSE_BODY

    coll = write_json(
        tmp_path / "big.json",
        {
            "name": "big",
            "items": [
                {
                    "name": "big",
                    "method": "POST",
                    "url": f"{server.url}/echo",
                    "body": {"raw": "y" * 3000, "contentType": "text/plain"},
                }
            ],
        },
    )
    result = run_cli("run", coll, "-v")
    assert result.code == 0
    assert "more characters" in result.out
    assert "y" * (VERBOSE_BODY + 1) not in result.out


def test_verbose_failures_shows_only_failed_exchanges(tmp_path: Path, server: LocalServer) -> None:
    result = run_cli(
        "run", _coll(tmp_path, server.url), "--var", f"apiKey={SECRET}", "--verbose=failures"
    )
    assert result.code == 1
    assert f"      > POST {server.url}/echo?key=***" in result.out
    assert f"      > GET {server.url}/json" not in result.out  # the passing request
    assert "X-Trace: t-1" in result.out
    assert SECRET not in result.text


def test_verbose_and_quiet_exclude_each_other(tmp_path: Path, server: LocalServer) -> None:
    result = run_cli("run", _coll(tmp_path, server.url), "-q", "--verbose=failures")
    assert result.code == 2
    assert "not allowed with argument" in result.err
    assert server.log == []


def _commands(out: str) -> list[str]:
    """Returns the curl commands --curl printed, in order."""
    return [line.strip()[2:] for line in out.splitlines() if line.strip().startswith("$ curl")]


def _replay(command: str) -> subprocess.CompletedProcess[bytes]:
    """Returns the outcome of running a printed command with the real curl (loopback only)."""
    words = shlex.split(command, comments=True)  # as a shell reads it
    words[0] = require_tool("curl", "it judges that the printed commands replay the requests")
    return subprocess.run(words, capture_output=True, timeout=30, check=False)


def test_curl_commands_are_masked_and_replayable(tmp_path: Path, server: LocalServer) -> None:
    result = run_cli("run", _coll(tmp_path, server.url), "--var", f"apiKey={SECRET}", "--curl")
    commands = _commands(result.out)
    assert len(commands) == 2
    assert commands[0] == (
        f"curl {server.url}/json -H 'User-Agent: runner/0.1.0' -H 'Accept: */*' -L"
    )
    post = shlex.split(commands[1])
    assert post[:2] == ["curl", f"{server.url}/echo?key=***"]  # --data-raw: a POST
    assert post[post.index("--data-raw") + 1] == '{"key": "***", "n": 1}'
    assert "X-Trace: t-1" in post
    assert SECRET not in result.text
    # The printed command, run as it is, reaches the same endpoint.
    server.clear()
    done = _replay(commands[0])
    assert done.returncode == 0
    assert [seen.path for seen in server.log] == ["/json"]


def test_curl_of_a_redirected_post_keeps_its_content_type(coll: Any, server: LocalServer) -> None:
    # requests drops Content-Type when a 302 turns the POST into a GET: the command shows
    # the headers of the POST it describes, not those of the GET that followed.
    post = {"method": "POST", "url": f"{server.url}/redirect/1", "body": {"json": {"a": 1}}}
    path = coll({"name": "post", **post, "assert": {"status": 200}})
    server.clear()
    result = run_cli("run", path, "--curl")
    assert result.code == 0, result.text
    assert [(seen.method, seen.path) for seen in server.log] == [
        ("POST", "/redirect/1"),
        ("GET", "/json"),
    ]
    [command] = _commands(result.out)
    assert "Content-Type: application/json" in shlex.split(command)
    server.clear()
    assert _replay(command).returncode == 0
    first = server.log[0]
    assert (first.method, first.path, first.body) == ("POST", "/redirect/1", b'{"a": 1}')
    assert first.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("flag", ["--curl", "--verbose=failures"])
def test_flags_in_help(flag: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "runner", "run", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert flag in done.stdout


# -- --curl repeats how a request was sent: TLS, --connect-to, redirects ----------------------

PASSWORD = "p12-Pa55word+/="
QA = "qa@example.test"
DIFFERENT = frozenset({"accept-encoding", "connection", "content-length"})
"""Headers requests and curl send as each sees fit (the bodies are compared themselves)."""


def _seen(server: LocalServer) -> list[tuple[object, ...]]:
    """Returns the requests `server` got, each as what a replay must repeat."""
    return [
        (
            seen.method,
            seen.path,
            seen.query,
            seen.body,
            sorted((k.lower(), v) for k, v in seen.headers.items() if k.lower() not in DIFFERENT),
        )
        for seen in server.log
    ]


def _replayed(server: LocalServer, commands: list[str], secret: str = "") -> list[object]:
    """Returns the requests `server` got from running `commands` with the real curl (each
    `:***` given back its password `secret`), and the bodies curl printed."""
    server.clear()
    bodies = []
    for command in commands:
        done = _replay(command.replace(":***", f":{secret}") if secret else command)
        assert done.returncode == 0, (command, done.stderr)
        bodies.append(json.loads(done.stdout))
    return [_seen(server), bodies]


@pytest.fixture(scope="module")
def mtls(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LocalServer, Path, dict[str, Path]]]:
    """Yields an https server that asks for a client certificate (and says at /peer which
    one it got), its CA file, and a client's files (cert, key, both, p12, encrypted)."""
    ca = trustme.CA()
    folder = tmp_path_factory.mktemp("mtls")
    with serve(server_context(ca, folder, ssl.CERT_OPTIONAL)) as server:
        yield server, folder / "ca.pem", client_files(folder, ca, QA, PASSWORD)


def _peer_and_post(path: Path, base: str) -> Path:
    post = {"method": "POST", "url": f"{base}/echo", "body": {"json": {"a": 1}}}
    return write_json(
        path,
        collection(
            {"name": "peer", "url": f"{base}/peer", "assert": {"jsonpath": {"$.emails": [QA]}}},
            {"name": "post", **post, "assert": {"status": 200}},
            name="tls",
        ),
    )


def test_curl_repeats_insecure_client_certificate_and_connect_to(
    tmp_path: Path, mtls: tuple[LocalServer, Path, dict[str, Path]]
) -> None:
    server, _, files = mtls
    rule = f"api.example.test:443:127.0.0.1:{server.port}"
    coll = _peer_and_post(tmp_path / "c.json", "https://api.example.test")
    server.clear()
    # One PEM file with the key: runner reads it into PEM files of its own, which the
    # command must not name (they are gone after the run).
    result = run_cli(
        "run", coll, "-k", "--cert", files["both"], "--connect-to", rule, "--curl"
    )  # fmt: skip
    assert result.code == 0, result.text
    commands = _commands(result.out)
    assert commands[0] == (
        "curl https://api.example.test/peer -H 'User-Agent: runner/0.1.0' -H 'Accept: */*' "
        f"-k --cert {files['both']} --connect-to {rule} -L"
    )
    post = shlex.split(commands[1])
    assert post[:2] == ["curl", "https://api.example.test/echo"]  # --data-raw implies POST
    assert "Content-Type: application/json" in post
    assert post[post.index("--data-raw") + 1] == '{"a": 1}'
    sent = _seen(server)
    replayed, bodies = _replayed(server, commands)
    assert replayed == sent
    assert bodies[0] == {"emails": [QA]}


@pytest.mark.parametrize(
    ("flags", "shown"),
    [
        (["--cert", "{cert}", "--key", "{key}"], "--cert {cert} --key {key}"),
        (["--cert", "{p12}", "--cert-password", PASSWORD], "--cert '{p12}:***' --cert-type P12"),
        (
            ["--cert", "{cert}", "--key", "{encrypted}", "--cert-password", PASSWORD],
            "--cert '{cert}:***' --key {encrypted}",
        ),
    ],
    ids=["pem-and-key", "pkcs12", "encrypted-key"],
)
def test_curl_names_the_certificate_as_given_and_never_its_password(
    tmp_path: Path,
    mtls: tuple[LocalServer, Path, dict[str, Path]],
    flags: list[str],
    shown: str,
) -> None:
    server, ca_file, files = mtls
    paths = {name: str(path) for name, path in files.items()}
    coll = _peer_and_post(tmp_path / "c.json", server.url)
    server.clear()
    args = [flag.format(**paths) for flag in flags]
    result = run_cli("run", coll, "--ca-bundle", ca_file, *args, "--curl")
    assert result.code == 0, result.text
    for command in _commands(result.out):
        assert command.endswith(f" --cacert {ca_file} {shown.format(**paths)} -L"), command
    assert PASSWORD not in result.text
    sent = _seen(server)
    replayed, bodies = _replayed(server, _commands(result.out), PASSWORD)
    assert replayed == sent
    assert bodies[0] == {"emails": [QA]}


def test_curl_repeats_each_requests_certificate_setting(
    tmp_path: Path, mtls: tuple[LocalServer, Path, dict[str, Path]]
) -> None:
    server, ca_file, files = mtls
    folder = files["p12"].parent
    items = [
        {"name": "the collection's", "url": f"{server.url}/peer"},
        {
            "name": "its own",
            "url": f"{server.url}/peer",
            "certificate": {"cert": files["cert"].name, "key": files["key"].name},
        },
        {"name": "none", "url": f"{server.url}/peer", "certificate": False},
    ]
    p12 = {"cert": files["p12"].name, "password": "<<certPassword>>"}
    settings = write_json(folder / "settings.json", collection(*items, certificate=p12))
    env = write_json(
        tmp_path / "env.json",
        {"name": "e", "variables": {"certPassword": PASSWORD}, "secrets": ["certPassword"]},
    )
    result = run_cli(
        "run", settings, "-e", env, "--ca-bundle", ca_file, "--cert", files["both"], "--curl"
    )
    assert result.code == 0, result.text
    commands = _commands(result.out)
    tls = f"--cacert {ca_file}"
    assert commands[0].endswith(f"{tls} --cert '{files['p12']}:***' --cert-type P12 -L")
    assert commands[1].endswith(f"{tls} --cert {files['cert']} --key {files['key']} -L")
    assert commands[2].endswith(f"{tls} -L")  # "certificate": false wins over --cert
    assert PASSWORD not in result.text
    _, bodies = _replayed(server, commands, PASSWORD)
    assert bodies == [{"emails": [QA]}] * 2 + [{"emails": []}]


def test_curl_follows_redirects_as_the_request_did(coll: Any, server: LocalServer) -> None:
    path = coll(
        {
            "name": "followed",
            "method": "POST",
            "url": f"{server.url}/redirect/2",
            "body": {"json": {"a": 1}},
        },
        {"name": "not followed", "url": f"{server.url}/redirect/1", "followRedirects": False},
    )
    server.clear()
    result = run_cli("run", path, "--curl")
    assert result.code == 0, result.text
    followed, kept = _commands(result.out)
    assert followed.endswith(" -L") and "-X" not in shlex.split(followed)
    assert not kept.endswith(" -L")
    # A 302 turns the POST into a GET, in runner as in curl without -X.
    assert [(seen.method, seen.path) for seen in server.log] == [
        ("POST", "/redirect/2"),
        ("GET", "/redirect/1"),
        ("GET", "/json"),
        ("GET", "/redirect/1"),
    ]
    sent = _seen(server)
    server.clear()
    for command in (followed, kept):
        assert _replay(command).returncode == 0, command
    replayed = _seen(server)
    # The requests as sent are the same. On a redirect's hops curl repeats the -H
    # headers, Content-Type too, where requests drops it with the body: the same
    # method, path, query and body there.
    assert [replayed[0], replayed[3]] == [sent[0], sent[3]]
    assert [seen[:4] for seen in replayed] == [seen[:4] for seen in sent]


def test_curl_of_a_postman_request_repeats_max_redirects_method_and_strict_ssl(
    tmp_path: Path, server: LocalServer, https_server: LocalServer
) -> None:
    behaviour = {"maxRedirects": 2, "followOriginalHttpMethod": True}
    coll = write_json(
        tmp_path / "p.json",
        {
            "info": {
                "name": "postman",
                "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
            },
            "item": [
                {
                    "name": "kept method",
                    "request": {"method": "DELETE", "url": f"{server.url}/redirect/2"},
                    "protocolProfileBehavior": behaviour,
                },
                {
                    "name": "not verified",
                    "request": {"method": "GET", "url": f"{https_server.url}/json"},
                    "protocolProfileBehavior": {"strictSSL": False},
                },
            ],
        },
    )
    server.clear()
    result = run_cli("run", coll, "--curl")
    assert result.code == 0, result.text
    kept, insecure = _commands(result.out)
    assert shlex.split(kept)[:3] == ["curl", "-X", "DELETE"]
    # Postman sends the redirecting URL as Referer: curl's --referer ';auto' does so too.
    assert kept.endswith(" -L --max-redirs 2 --referer ';auto'")
    assert insecure.endswith(" -k -L --referer ';auto'")
    sent = _seen(server)
    assert [seen.method for seen in server.log] == ["DELETE"] * 3
    server.clear()
    for command in (kept, insecure):
        assert _replay(command).returncode == 0, command
    assert _seen(server) == sent


def test_curl_says_when_the_body_it_repeats_was_cut(coll: Any, server: LocalServer) -> None:
    from runner.results import BODY_LIMIT

    body = "y" * BODY_LIMIT + "z" * 100
    path = coll(
        {
            "name": "big",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {"raw": body, "contentType": "text/plain"},
        }
    )
    result = run_cli("run", path, "--curl")
    assert result.code == 0, result.text
    [command] = _commands(result.out)
    # Not the report's "… [100 more characters …]" marker inside the data: a comment after.
    assert command.endswith(f" -L  # the body is cut: its first {BODY_LIMIT} of 4100 characters")
    words = shlex.split(command, comments=True)
    assert words[words.index("--data-raw") + 1] == "y" * BODY_LIMIT
    server.clear()
    assert _replay(command).returncode == 0
    assert server.log[0].body == b"y" * BODY_LIMIT
