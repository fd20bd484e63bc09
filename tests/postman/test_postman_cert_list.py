"""Newman's --ssl-client-cert-list: runner and Newman 6.2.2 present the same client
certificate for each request of one Postman collection, against a local https server that
asks for one and says which it got (`/peer`).

The list mixes what Newman users write: a host pattern, a path pattern, a PKCS#12 entry with
its passphrase, entries that must not match (another port, plain http), Postman's reading
of a pattern with two `*`, and
--ssl-client-cert as the fallback for URLs no entry matches. Each request's test names the
certificate it expects; both tools must pass every test (the expectations are written here,
and Newman judges them).
"""

from __future__ import annotations

import io
import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from newman_tools import install_error, node_modules
from support.external import missing
from support.local_server import LocalServer, serve
from support.pki import client_files, server_context

from runner.cli import main

PASSPHRASE = "list-Pa55+/="


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, Path]]:
    """Yields an https server for 127.0.0.1 and localhost that asks for a client certificate,
    and a folder holding ca.pem and the clients alice, bob and carol."""
    ca = trustme.CA()
    folder = tmp_path_factory.mktemp("certlist")
    context = server_context(ca, folder, ssl.CERT_OPTIONAL, "127.0.0.1", "localhost")
    for name in ("alice", "bob", "carol", "dave"):
        client_files(folder / name, ca, f"{name}@example.test", PASSPHRASE)
    with serve(context) as server:
        yield server, folder


def _request(name: str, url: str, expected: str | None) -> dict[str, Any]:
    """Returns a Postman request to `url` whose test checks the client it presented."""
    emails = [f"{expected}@example.test"] if expected else []
    test = (
        f"pm.test('presented {expected or 'none'}', function () {{ "
        f"pm.expect(pm.response.json().emails).to.eql({json.dumps(emails)}); }});"
    )
    return {
        "name": name,
        "request": {"method": "GET", "url": url},
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": [test]}}],
    }


def _write(folder: Path, port: int) -> tuple[Path, Path]:
    """Writes the collection and the certificate list; returns their paths."""
    items = [
        _request("by host", f"https://localhost:{port}/peer", "alice"),
        _request("by path", f"https://127.0.0.1:{port}/peer/bob?x=1", "bob"),
        _request("fallback", f"https://127.0.0.1:{port}/peer", "carol"),
        # Postman turns only a pattern's first `*` into "anything"; a later one repeats the
        # character before it: /peer/*/deep/* fits /peer/x/deep/ but not /peer/x/deep/y.
        _request("second star", f"https://127.0.0.1:{port}/peer/x/deep/", "dave"),
        _request("second star, no match", f"https://127.0.0.1:{port}/peer/x/deep/y", "carol"),
    ]
    collection = folder / "certs.postman_collection.json"
    collection.write_text(
        json.dumps(
            {
                "info": {
                    "name": "certs",
                    "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
                },
                "item": items,
            }
        ),
        encoding="utf-8",
    )
    entries = [
        {  # another port and plain http match none of the requests
            "name": "dave",
            "matches": ["https://localhost:1/*", "http://*/*", "https://127.0.0.1:*/peer/*/deep/*"],
            "cert": {"src": "dave/client.crt"},
            "key": {"src": "dave/client.key"},
        },
        {
            "name": "alice",
            "matches": [f"https://localhost:{port}/*"],
            "cert": {"src": "alice/client.crt"},
            "key": {"src": "alice/client.key"},
        },
        {
            "name": "bob",
            "matches": ["https://127.0.0.1:*/peer/bob*"],
            "pfx": {"src": "bob/client.p12"},
            "passphrase": PASSPHRASE,
        },
    ]
    listing = folder / "certs.json"
    listing.write_text(json.dumps(entries), encoding="utf-8")
    return collection, listing


FALLBACK = ["--ssl-client-cert", "carol/client.crt", "--ssl-client-key", "carol/client.key"]


def test_runner_presents_the_certificates_newman_presents(
    peer: tuple[LocalServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, folder = peer
    collection, listing = _write(folder, server.port)
    monkeypatch.chdir(folder)  # the list's files are relative to the working folder
    ours = _runner(collection, listing, "--ca-bundle", "ca.pem", "--json", "runner.json")
    theirs = _newman(collection, listing, folder)
    expected = {
        "by host": [("presented alice", True)],
        "by path": [("presented bob", True)],
        "fallback": [("presented carol", True)],
        "second star": [("presented dave", True)],
        "second star, no match": [("presented carol", True)],
    }
    assert theirs == expected
    assert ours == expected


def _runner(collection: Path, listing: Path, *extra: str) -> dict[str, list[tuple[str, bool]]]:
    """Returns each request's assertions (name, passed) in runner's run."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["run", str(collection), "--ssl-client-cert-list", str(listing), *FALLBACK, *extra]
    status = main(argv, stdout=out, stderr=err)
    assert status == 0, out.getvalue() + err.getvalue()
    assert PASSPHRASE not in out.getvalue() + err.getvalue()
    report = json.loads(Path("runner.json").read_text("utf-8"))
    assert PASSPHRASE not in json.dumps(report)
    return {
        r["name"]: [(a["name"], a["passed"]) for a in r["assertions"]] for r in report["results"]
    }


def _newman(collection: Path, listing: Path, folder: Path) -> dict[str, list[tuple[str, bool]]]:
    """Returns each request's assertions (name, passed) in Newman's run of the same files."""
    modules = node_modules()
    node = shutil.which("node")
    if modules is None or node is None:
        missing("Newman (npm newman@6)", f"is not available: {install_error()}")
    assert modules is not None and node is not None
    done = subprocess.run(
        [
            node,
            str(modules / "newman" / "bin" / "newman.js"),
            "run",
            str(collection),
            "--ssl-client-cert-list",
            str(listing),
            *FALLBACK,
            "--ssl-extra-ca-certs",
            "ca.pem",
            "--reporters",
            "json",
            "--reporter-json-export",
            "newman.json",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = json.loads((folder / "newman.json").read_text("utf-8"))["run"]
    return {
        e["item"]["name"]: [(a["assertion"], "error" not in a) for a in e.get("assertions", [])]
        for e in run["executions"]
    }


ALICE = {"cert": {"src": "alice/client.crt"}}
ANY = {"matches": ["<all_urls>"]}
BAD_LISTS = {
    "not-a-list": ({"name": "x"}, "expected a JSON array", None),
    "no-cert": ([{"matches": ["https://a.test/*"]}], "the entry names no certificate", "/0"),
    "matches-not-list": ([{"matches": "https://a.test/*", **ALICE}], "`matches`", "/0/matches"),
    "bad-pattern": (
        [{"matches": ["a.test/*"], **ALICE}],
        "'a.test/*' is not a URL match pattern",
        "/0/matches/0",
    ),
    "wrong-passphrase": (
        [{**ANY, "pfx": {"src": "bob/client.p12"}, "passphrase": "wrong"}],
        "wrong password",
        "/0",
    ),
    "missing-file": ([{**ANY, "cert": {"src": "nope.crt"}}], "nope.crt: No such file", "/0"),
    "key-of-another": (
        [{**ANY, "cert": {"src": "alice/client.crt"}, "key": {"src": "bob/client.key"}}],
        "key.src bob/client.key: the key does not belong to the certificate",
        "/0",
    ),
    "cert-not-object": (
        [{**ANY, "cert": "alice/client.crt"}],
        '`cert` must be {"src": FILE}',
        "/0/cert",
    ),
}


@pytest.mark.parametrize(("entries", "message", "pointer"), BAD_LISTS.values(), ids=BAD_LISTS)
def test_a_bad_certificate_list_is_invalid_input(
    peer: tuple[LocalServer, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entries: object,
    message: str,
    pointer: str | None,
) -> None:
    server, folder = peer
    server.clear()
    collection, _ = _write(folder, server.port)
    listing = tmp_path / "bad.json"
    listing.write_text(json.dumps(entries), encoding="utf-8")
    monkeypatch.chdir(folder)
    out, err = io.StringIO(), io.StringIO()
    status = main(
        ["run", str(collection), "--ssl-client-cert-list", str(listing)], stdout=out, stderr=err
    )
    assert status == 2, out.getvalue() + err.getvalue()
    assert message in err.getvalue()
    if pointer is not None:
        assert f"bad.json#{pointer}" in err.getvalue()
    assert server.log == []
