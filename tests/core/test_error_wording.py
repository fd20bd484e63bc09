"""Issue 10 point 7: each failure is one clear sentence naming the right party: a refusing
proxy, a certificate for other names, a --ca-bundle that is not PEM, a report path that is
a folder."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import trustme
from support.fault_server import refusing_proxy

from .conftest import run_cli, write_json


def _collection(tmp_path, *urls):
    items = [{"name": f"r{i}", "url": url} for i, url in enumerate(urls)]
    return write_json(tmp_path / "c.json", {"name": "wording", "items": items})


def test_a_refusing_proxy_is_named_as_the_proxy(tmp_path, server, monkeypatch):
    proxy = refusing_proxy()
    monkeypatch.setenv("HTTP_PROXY", proxy)
    result = run_cli("run", _collection(tmp_path, f"{server.url}/json"))
    assert result.code == 1
    assert server.log == []
    where = proxy.removeprefix("http://")
    expected = (
        f"error: connection refused by the proxy {where} (from HTTP_PROXY), "
        f"on the way to 127.0.0.1:{server.port}"
    )
    assert expected in result.out, result.out
    assert f"connection refused by 127.0.0.1:{server.port}" not in result.out


def test_certificate_for_other_names_says_which(tmp_path, https_server, ca):
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    rule = f"other.example.invalid:443:127.0.0.1:{https_server.port}"
    path = _collection(tmp_path, "https://other.example.invalid/json")
    result = run_cli("run", path, "--connect-to", rule, "--ca-bundle", bundle)
    assert result.code == 1
    assert (
        "error: TLS error with other.example.invalid:443: the certificate is not valid for "
        "other.example.invalid: it is for 127.0.0.1, localhost, api.example.invalid "
        "(check the host in the URL; --insecure skips the check)"
    ) in result.out
    assert "--ca-bundle FILE" not in result.out  # it was given, and would not help


def test_unknown_ca_with_a_bundle_given_names_the_bundle(tmp_path, https_server):
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    result = run_cli("run", _collection(tmp_path, f"{https_server.url}/json"), "--ca-bundle", other)
    assert result.code == 1
    assert f"the CA bundle {other} does not hold the CA that signed it; or --insecure" in (
        result.out
    )
    assert "use --ca-bundle" not in result.out


@pytest.mark.parametrize("content", ["not a certificate\n", "\x00\x01binary"])
def test_ca_bundle_that_is_not_pem_is_invalid_input(tmp_path, https_server, content):
    https_server.clear()
    bad = tmp_path / "ca.cer"
    bad.write_text(content)
    junit = tmp_path / "j.xml"
    path = _collection(tmp_path, f"{https_server.url}/json")
    result = run_cli("run", path, "--ca-bundle", bad, "--junit", junit)
    assert result.code == 2
    assert https_server.log == []
    assert f"error: --ca-bundle {bad}: not a PEM file of CA certificates" in result.err
    assert "openssl x509 -inform der" in result.err
    assert "Pool" not in result.err and "Max retries" not in result.err
    assert "not a PEM file" in ET.parse(junit).find(".//error").get("message")


def test_ca_bundle_from_the_environment_is_checked_too(tmp_path, https_server, monkeypatch):
    bad = tmp_path / "ca.cer"
    bad.write_text("nothing")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bad))
    result = run_cli("run", _collection(tmp_path, f"{https_server.url}/json"))
    assert result.code == 2
    assert f"error: REQUESTS_CA_BUNDLE {bad}: not a PEM file" in result.err


@pytest.mark.parametrize("folder", [".", "/"])
def test_junit_path_that_is_a_folder_is_a_clear_error(tmp_path, server, folder):
    result = run_cli("run", _collection(tmp_path, f"{server.url}/json"), "--junit", folder)
    assert result.code == 2
    assert server.log == []
    assert f"error: --junit {folder}: is a folder" in result.err
    assert "Traceback" not in result.text
