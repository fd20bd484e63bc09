"""`runner emulator --tls` and `runner demo --tls`: the local CA, its certificate's names, and
the bundled collections run unchanged against the real host names through --connect-to."""

from __future__ import annotations

import io
import socket
import ssl
from pathlib import Path

import pytest
import requests

from runner.cli import main
from runner.cli.commands.demo import DEMO_COLLECTIONS, bundled_dir
from runner.emulator import Emulator

from .conftest import Running

REAL_HOSTS = ("login.microsoftonline.com", "management.azure.com", "graph.microsoft.com")


def cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_start_prints_the_ca_file_and_the_line_that_trusts_it(tls_emulator: Running) -> None:
    ca = str(tls_emulator.ca_file)
    assert f"CA certificate: {ca}" in tls_emulator.lines
    (trust,) = [line for line in tls_emulator.lines if line.startswith("Trust it:")]
    assert f"REQUESTS_CA_BUNDLE={ca}" in trust and f"SSL_CERT_FILE={ca}" in trust
    assert f"--ca-bundle {ca}" in trust
    # In the user cache (XDG_CACHE_HOME of the subprocess), private key beside it, 0600.
    assert tls_emulator.ca_file.parent.name == "emulator-tls"
    assert (tls_emulator.ca_file.parent / "ca-key.pem").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", *REAL_HOSTS])
def test_server_certificate_names_loopback_and_the_real_hosts(
    tls_emulator: Running, name: str
) -> None:
    context = ssl.create_default_context(cafile=str(tls_emulator.ca_file))
    port = int(tls_emulator.url.rsplit(":", 1)[1])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=name) as tls,
    ):
        assert tls.version() is not None  # verified against the CA, for this name


def test_certificate_for_another_name_is_refused(tls_emulator: Running) -> None:
    context = ssl.create_default_context(cafile=str(tls_emulator.ca_file))
    port = int(tls_emulator.url.rsplit(":", 1)[1])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(raw, server_hostname="example.com")


def test_the_ca_persists_between_runs(
    tls_emulator: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tls_emulator.ca_file.parents[2]  # $XDG_CACHE_HOME/runner/emulator-tls/ca.pem
    before = tls_emulator.ca_file.read_bytes()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    with Emulator(tls=True) as again:
        assert again.ca_file == tls_emulator.ca_file and again.url.startswith("https://")
        assert tls_emulator.ca_file.read_bytes() == before
        answer = requests.get(f"{again.url}/_emulator/stats", verify=str(again.ca_file))
        assert answer.status_code == 200


def test_plain_http_to_the_tls_port_does_not_stall_it(tls_emulator: Running) -> None:
    with pytest.raises(requests.ConnectionError):
        requests.get(tls_emulator.url.replace("https:", "http:") + "/_emulator/stats", timeout=5)
    served = requests.get(f"{tls_emulator.url}/_emulator/stats", verify=str(tls_emulator.ca_file))
    assert served.status_code == 200


def test_links_use_the_scheme_and_host_the_client_used(tls_emulator: Running) -> None:
    session = requests.Session()
    session.verify = str(tls_emulator.ca_file)
    form = {
        "grant_type": "client_credentials",
        "client_id": "11111111-2222-3333-4444-555555555555",
        "client_secret": "emulator-secret-valid-NOT-REAL",
        "resource": "https://management.azure.com/",
    }
    token = session.post(f"{tls_emulator.url}/contoso.onmicrosoft.com/oauth2/token", data=form)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Host": "example.test"}
    url = f"{tls_emulator.url}/subscriptions/00000000-0000-0000-0000-00000000005a/resourcegroups"
    page = session.get(url, params={"api-version": "2021-04-01"}, headers=headers).json()
    assert page["nextLink"].startswith("https://example.test/subscriptions/")


def test_demo_over_tls_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, out, err = cli("demo", "--tls")
    assert code == 0, out + err
    assert "CA certificate: " in out and "GET https://127.0.0.1:" in out
    assert out.count("PASSED") == len(DEMO_COLLECTIONS) and "FAILED" not in out


@pytest.mark.parametrize("name", DEMO_COLLECTIONS)
def test_bundled_collection_runs_unchanged_on_the_real_host_names(
    tls_emulator: Running, name: str
) -> None:
    # https://login.microsoftonline.com etc., sent to the emulator by --connect-to; the
    # certificate verifies against the emulator's CA for the real names.
    port = tls_emulator.url.rsplit(":", 1)[1]
    args = ["run", str(bundled_dir("collections") / name)]
    args += ["-e", str(bundled_dir("environments") / "emulator.json")]
    args += ["--var", "authorityHost=https://login.microsoftonline.com"]
    args += ["--var", "armHost=https://management.azure.com"]
    args += ["--var", "graphHost=https://graph.microsoft.com"]
    for host in REAL_HOSTS:
        args += ["--connect-to", f"{host}:443:127.0.0.1:{port}"]
    code, out, err = cli(*args, "--ca-bundle", str(tls_emulator.ca_file))
    assert code == 0, out + err
    assert "https://127.0.0.1" not in out and "PASSED" in out


@pytest.mark.parametrize("command", ["demo", "emulator"])
def test_an_unusable_user_cache_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    code, out, err = cli(command, "--tls")
    assert code == 2, out + err
    assert "not-a-folder" in err and "Traceback" not in out + err


def test_a_damaged_ca_is_made_again(tmp_path: Path) -> None:
    from runner.emulator.tls import emulator_tls

    first = emulator_tls(tmp_path).ca_file
    assert emulator_tls(tmp_path).ca_file.read_bytes() == first.read_bytes()  # kept
    first.write_text("not a certificate", encoding="utf-8")
    again = emulator_tls(tmp_path)
    assert again.ca_file.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
