"""Mutual TLS: --cert/--key (PEM) and PKCS#12 with --cert-password, against a local https
server that requires a client certificate issued by its CA (trustme)."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import trustme
from support.local_server import LocalServer, serve
from support.pki import client_files, server_context

from core.conftest import run_cli, write_json

PASSWORD = "p12-Pa55word+/="


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, Path, trustme.CA]]:
    """Yields an https server that demands a client certificate, the CA file, and the CA."""
    ca = trustme.CA()
    folder = tmp_path_factory.mktemp("pki")
    with serve(server_context(ca, folder, ssl.CERT_REQUIRED)) as server:
        yield server, folder / "ca.pem", ca


def _collection(tmp_path: Path, url: str) -> Path:
    return write_json(
        tmp_path / "c.json",
        {
            "name": "mtls",
            "items": [{"name": "who", "url": f"{url}/json", "assert": {"status": 200}}],
        },
    )


@pytest.mark.parametrize(
    "flags",
    [
        ["--cert", "{cert}", "--key", "{key}"],
        ["--cert", "{both}"],
        ["--cert", "{p12}", "--cert-password", PASSWORD],
        ["--cert", "{cert}", "--key", "{encrypted}", "--cert-password", PASSWORD],
        ["--ssl-client-cert", "{cert}", "--ssl-client-key", "{key}"],
        ["--ssl-client-cert", "{p12}", "--ssl-client-passphrase", PASSWORD],
    ],
    ids=["pem-and-key", "pem-with-key", "pkcs12", "encrypted-key", "newman-pem", "newman-p12"],
)
def test_client_certificate_is_presented(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA], flags: list[str]
) -> None:
    server, ca_file, ca = pki
    files = {k: str(v) for k, v in client_files(tmp_path, ca, "qa@example.test", PASSWORD).items()}
    args = [f.format(**files) for f in flags]
    result = run_cli("run", _collection(tmp_path, server.url), "--ca-bundle", ca_file, *args, "-v")
    assert result.code == 0, result.text
    assert PASSWORD not in result.text


GIVE_ONE = "give one with --cert FILE, or a `certificate` setting in the collection"


def _errors(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.strip().startswith("error:")]


def test_without_a_client_certificate_the_error_says_the_server_wants_one(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA]
) -> None:
    server, ca_file, _ = pki
    where = f"TLS error with 127.0.0.1:{server.port}"
    items = [{"name": f"who {n}", "url": f"{server.url}/json"} for n in range(6)]
    collection = write_json(tmp_path / "c.json", {"name": "mtls", "items": items})
    result = run_cli("run", collection, "--ca-bundle", ca_file)
    assert result.code == 1
    errors = _errors(result.out)
    assert len(errors) == 6, result.out
    # TLS 1.3: the server's alert "certificate required" arrives, or only its EOF does.
    for error in errors:
        assert error in (
            f'error: {where}: the server requires a client certificate (TLS alert "certificate '
            f'required"): {GIVE_ONE}',
            f"error: {where}: the server closed the connection in the TLS handshake (EOF): it "
            f"may require a client certificate: {GIVE_ONE}",
        ), error
    assert "SSLEOFError" not in result.text


def test_a_tls12_server_refusing_the_handshake_may_want_a_client_certificate(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA]
) -> None:
    _, _, ca = pki
    context = server_context(ca, tmp_path, ssl.CERT_REQUIRED)
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # refuses with "handshake failure"
    with serve(context) as server:
        result = run_cli(
            "run", _collection(tmp_path, server.url), "--ca-bundle", tmp_path / "ca.pem"
        )
    assert result.code == 1
    assert _errors(result.out) == [
        f"error: TLS error with 127.0.0.1:{server.port}: the server refused the TLS handshake "
        f'(TLS alert "handshake failure"): it may require a client certificate ({GIVE_ONE}), '
        "or share no TLS version or cipher with runner"
    ]


def test_other_tls_failures_do_not_ask_for_a_client_certificate(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA], server: LocalServer
) -> None:
    mtls, ca_file, _ = pki
    where = f"TLS error with 127.0.0.1:{mtls.port}"
    # A certificate from a CA the server does not trust: it is refused, not missing.
    stranger = client_files(tmp_path / "stranger", trustme.CA(), "x@example.test", PASSWORD)
    refused = run_cli(
        "run", _collection(tmp_path, mtls.url), "--ca-bundle", ca_file,
        "--cert", stranger["cert"], "--key", stranger["key"],
    )  # fmt: skip
    assert _errors(refused.out)[0] in (
        f'error: {where}: the server did not accept the client certificate (TLS alert "unknown '
        'ca")',
        f"error: {where}: the server closed the connection in the TLS handshake (EOF): it may "
        "not accept the client certificate",
    )
    # The server's own certificate cannot be verified: that is what the error says.
    unverified = run_cli("run", _collection(tmp_path, mtls.url))
    [error] = _errors(unverified.out)
    assert error.startswith(f"error: {where}: certificate verify failed ("), error
    assert error.endswith("(use --ca-bundle FILE, or --insecure)"), error
    # https:// to a server that speaks plain HTTP.
    plain = run_cli("run", _collection(tmp_path, server.url.replace("http:", "https:")))
    [error] = _errors(plain.out)
    assert error.startswith(f"error: TLS error with 127.0.0.1:{server.port}: "), error
    assert "WRONG_VERSION_NUMBER" in error
    for result in (refused, unverified, plain):
        assert result.code == 1
        assert GIVE_ONE not in result.out and "may require" not in result.out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--cert", "{p12}", "--cert-password", "wrong"], "wrong password"),
        (["--cert", "{p12}"], "give --cert-password"),
        (["--cert", "{cert}"], "no private key in the file"),
        (["--cert", "{cert}", "--key", "{encrypted}"], "it is encrypted: give --cert-password"),
        (["--cert", "{cert}/missing"], "missing"),
        (["--key", "{key}"], "--key and --cert-password go with --cert"),
    ],
)
def test_bad_client_certificate_is_invalid_input(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA], flags: list[str], message: str
) -> None:
    server, ca_file, ca = pki
    files = {k: str(v) for k, v in client_files(tmp_path, ca, "qa@example.test", PASSWORD).items()}
    server.clear()
    args = [f.format(**files) for f in flags]
    result = run_cli("run", _collection(tmp_path, server.url), "--ca-bundle", ca_file, *args)
    assert result.code == 2, result.text
    assert message in result.err
    assert server.log == []


# -- The `certificate` setting of a collection, folder or request ----------------------------


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, Path, Path]]:
    """Yields an https server that asks for a client certificate (and says at /peer which one
    it got, by e-mail identity), the CA file, and a folder with two clients' files: alice's
    as PKCS#12 (password PASSWORD), bob's as a PEM certificate and key."""
    ca = trustme.CA()
    folder = tmp_path_factory.mktemp("peer")
    context = server_context(ca, folder, ssl.CERT_OPTIONAL)  # a request may go without one
    alice = client_files(folder / "alice", ca, "alice@example.test", PASSWORD)
    bob = client_files(folder / "bob", ca, "bob@example.test", PASSWORD)
    (folder / "certs").mkdir()
    (folder / "certs" / "alice.p12").write_bytes(alice["p12"].read_bytes())
    (folder / "certs" / "bob.crt").write_bytes(bob["cert"].read_bytes())
    (folder / "certs" / "bob.key").write_bytes(bob["key"].read_bytes())
    with serve(context) as server:
        yield server, folder / "ca.pem", folder


def _who(name: str, url: str, email: str | None, **extra: Any) -> dict[str, Any]:
    """Returns a request to /peer asserting which client (None: no certificate) it presented."""
    emails = [email] if email else []
    return {
        "name": name,
        "url": f"{url}/peer",
        "assert": {"jsonpath": {"$.emails": emails}},
        **extra,
    }


def _mtls(path: Path, items: list[dict[str, Any]], **top: Any) -> Path:
    """Writes the collection "mtls" of `items` (and `top`-level keys) to `path`."""
    return write_json(path, {"name": "mtls", **top, "items": items})


ALICE = {"cert": "certs/alice.p12", "password": "<<certPassword>>"}
BOB = {"cert": "certs/bob.crt", "key": "certs/bob.key"}


def test_the_nearest_certificate_setting_is_presented(
    tmp_path: Path, peer: tuple[LocalServer, Path, Path]
) -> None:
    server, ca_file, folder = peer
    server.clear()
    partners = [
        _who("folder's", server.url, "bob@example.test"),
        _who("own", server.url, "alice@example.test", certificate=ALICE),
        _who("none", server.url, None, certificate=False),
    ]
    items = [
        _who("collection's", server.url, "alice@example.test"),
        {"name": "Partners", "certificate": BOB, "items": partners},
        _who("collection's again", server.url, "alice@example.test"),
    ]
    collection = _mtls(folder / "nearest.json", items, certificate=ALICE)
    env = write_json(
        tmp_path / "env.json",
        {"name": "e", "variables": {"certPassword": PASSWORD}, "secrets": ["certPassword"]},
    )
    report = tmp_path / "report.json"
    result = run_cli("run", collection, "-e", env, "--ca-bundle", ca_file, "-v", "--json", report)
    assert result.code == 0, result.text
    assert server.paths() == ["/peer"] * 5
    assert PASSWORD not in result.text + report.read_text("utf-8")


def test_a_request_setting_wins_over_cert_and_false_presents_none(
    tmp_path: Path, peer: tuple[LocalServer, Path, Path]
) -> None:
    server, ca_file, folder = peer
    items = [
        _who("the run's", server.url, "bob@example.test"),
        _who("its own", server.url, "alice@example.test", certificate=ALICE),
        _who("none", server.url, None, certificate=False),
    ]
    collection = _mtls(folder / "over.json", items)
    bob = folder / "bob"
    result = run_cli(
        "run", collection, "--var", f"certPassword={PASSWORD}", "--ca-bundle", ca_file,
        "--cert", bob / "client.crt", "--key", bob / "client.key",
    )  # fmt: skip
    assert result.code == 0, result.text


def test_a_certificate_password_written_in_the_collection_is_masked(
    tmp_path: Path, peer: tuple[LocalServer, Path, Path]
) -> None:
    server, ca_file, folder = peer
    leaky = {
        "name": "leaky",
        "url": f"{server.url}/echo",
        "query": {"p": PASSWORD},
        "headers": {"X-Password": PASSWORD},
        "assert": {"status": 201},
    }
    written = {"cert": "certs/alice.p12", "password": PASSWORD}
    collection = _mtls(folder / "literal.json", [leaky], certificate=written)
    result = run_cli("run", collection, "--ca-bundle", ca_file, "-v", "--curl")
    assert result.code == 1, result.text
    assert "X-Password: ***" in result.out
    for shown in (PASSWORD, quote(PASSWORD, safe=""), PASSWORD[:8]):
        assert shown not in result.text


def test_the_cli_refuses_a_key_of_another_certificate_before_sending(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA]
) -> None:
    server, ca_file, ca = pki
    mine = client_files(tmp_path / "mine", ca, "qa@example.test", PASSWORD)
    other = client_files(tmp_path / "other", ca, "eve@example.test", PASSWORD)
    server.clear()
    collection = _collection(tmp_path, server.url)
    result = run_cli(
        "run", collection, "--ca-bundle", ca_file, "--cert", mine["cert"], "--key", other["key"]
    )
    assert result.code == 2, result.text
    assert f"--key {other['key']}: the key does not belong to the certificate" in result.err
    assert server.log == []


def test_a_password_an_unencrypted_key_does_not_need_is_not_used(
    tmp_path: Path, pki: tuple[LocalServer, Path, trustme.CA]
) -> None:
    # As curl and Node do: the key opens without it.
    server, ca_file, ca = pki
    files = client_files(tmp_path, ca, "qa@example.test", PASSWORD)
    collection = _collection(tmp_path, server.url)
    for given in (["--cert", files["both"]], ["--cert", files["cert"], "--key", files["key"]]):
        result = run_cli("run", collection, "--ca-bundle", ca_file, *given, "--cert-password", "x")
        assert result.code == 0, result.text


def test_a_mistyped_option_does_not_show_the_value_after_it(tmp_path: Path) -> None:
    collection = _collection(tmp_path, "http://127.0.0.1:9")
    for typo in (["--cert-pasword", PASSWORD], [f"--cert-pasword={PASSWORD}"]):
        result = run_cli("run", collection, *typo)
        assert result.code == 2
        assert "unrecognized arguments: --cert-pasword" in result.err
        assert "did you mean --cert-password?" in result.err
        assert PASSWORD not in result.text


@pytest.mark.parametrize(
    ("setting", "message", "pointer"),
    [
        (
            {"cert": "certs/alice.p12", "password": "wrong"},
            "cannot read the certificate: wrong password",
            "/certificate",
        ),
        (
            {"cert": "certs/alice.p12"},
            'without a password (give "password")',
            "/certificate",
        ),
        (
            {"cert": "certs/bob.crt", "key": "alice/client.key"},
            "alice/client.key: the key does not belong to the certificate",
            "/certificate",
        ),
        (
            {"cert": "certs/bob.key"},
            "holds a private key but no certificate",
            "/certificate",
        ),
        (
            {"cert": "certs/alice.p12", "key": "certs/bob.key", "password": "x"},
            "a PKCS#12 file",
            "/certificate",
        ),
        ({"cert": "certs/missing.pem"}, "missing.pem: No such file", "/certificate"),
        (
            {"cert": "certs/bob.crt"},
            "no private key in the file",
            "/certificate",
        ),
        (
            {"cert": "certs/alice.p12", "password": "<<nope>>"},
            "undefined variable <<nope>>",
            "/certificate/password",
        ),
        (
            {"cert": "certs/alice.p12", "password": "<<row>>"},
            "uses a variable known only during the run",
            "/certificate/password",
        ),
        ({"file": "certs/alice.p12"}, "file", "/certificate"),
        (True, "certificate", "/certificate"),
    ],
    ids=[
        "wrong-password",
        "no-password",
        "key-of-another",
        "key-as-certificate",
        "pkcs12-and-key",
        "missing",
        "no-key",
        "undefined",
        "data-row",
        "unknown-key",
        "true",
    ],
)
@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_bad_certificate_setting_is_invalid_input(
    tmp_path: Path,
    peer: tuple[LocalServer, Path, Path],
    setting: object,
    message: str,
    pointer: str,
    command: str,
) -> None:
    server, ca_file, folder = peer
    server.clear()
    collection = _mtls(folder / "bad.json", [_who("one", server.url, None, certificate=setting)])
    data = write_json(tmp_path / "rows.json", [{"row": PASSWORD}])
    tls = ["--ca-bundle", ca_file] if command == "run" else []
    result = run_cli(command, collection, *tls, "-d", data)
    assert result.code == 2, result.text
    assert message in result.err
    assert f"bad.json#/items/0{pointer}" in result.err
    assert server.log == []


def test_export_pytest_passes_a_pem_certificate_and_warns_of_a_pkcs12_one(
    peer: tuple[LocalServer, Path, Path], tmp_path: Path
) -> None:
    server, ca_file, folder = peer
    items = [
        _who("the collection's", server.url, "bob@example.test"),
        _who("none", server.url, None, certificate=False),
        _who("pkcs12", server.url, None, certificate=ALICE, skip=True),
    ]
    collection = _mtls(folder / "exported.json", items, certificate=BOB)
    module = tmp_path / "tests" / "test_exported.py"  # not beside the collection
    module.parent.mkdir()
    result = run_cli("export", "pytest", collection, "-o", module)
    assert result.code == 0, result.text
    assert "exported.json#/items/2 (pkcs12): client certificate not translated" in result.err
    text = module.read_text("utf-8")
    cert = 'cert=(str(FILES / "certs/bob.crt"), str(FILES / "certs/bob.key"))'
    assert text.count(cert) == 1
    # Paths are relative to the collection's folder, found from the module's own.
    relative = Path(os.path.relpath(folder, module.parent)).as_posix()
    assert f'FILES = Path(__file__).parent / "{relative}"' in text
    # The generated module, run from a third folder, presents bob's certificate.
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull,
         "-p", "no:xdist", str(module)],
        cwd=tmp_path,
        env={**os.environ, "REQUESTS_CA_BUNDLE": str(ca_file)},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout, done.stdout
