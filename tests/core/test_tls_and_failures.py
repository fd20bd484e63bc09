"""TLS verified by default (trustme CA), --ca-bundle, --insecure, REQUESTS_CA_BUNDLE; run-time
problems (refused, DNS, timeout, TLS, non-JSON body) are errors with a one-line reason, the
run goes on and exits 1."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from support.local_server import closed_port

from .conftest import run_cli


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def _tls_collection(coll, url):
    return coll(
        {"name": "secure", "url": f"{url}/json", "assert": {"status": 200}},
        {"name": "still runs", "url": f"{url}/json"},
    )


def test_tls_verified_by_default(https_server, coll, tmp_path):
    path = _tls_collection(coll, https_server.url)
    result = run_cli("run", path, "--json", tmp_path / "r.json")
    assert result.code == 1
    assert f"TLS error with 127.0.0.1:{https_server.port}: certificate verify failed" in result.out
    assert "--ca-bundle" in result.out
    report = json.loads((tmp_path / "r.json").read_text())
    errors = [r["error"] for r in report["results"]]
    assert len(errors) == 2 and all("\n" not in e and "TLS error" in e for e in errors)


def test_ca_bundle_option(https_server, coll, ca_file):
    path = _tls_collection(coll, https_server.url)
    result = run_cli("run", path, "--ca-bundle", ca_file)
    assert result.code == 0, result.text


def test_requests_ca_bundle_environment(https_server, coll, ca_file, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
    result = run_cli("run", _tls_collection(coll, https_server.url))
    assert result.code == 0, result.text


def test_insecure_option(https_server, coll):
    result = run_cli("run", _tls_collection(coll, https_server.url), "--insecure")
    assert result.code == 0, result.text


def test_missing_ca_bundle_is_invalid_input(https_server, coll, tmp_path):
    result = run_cli(
        "run", _tls_collection(coll, https_server.url), "--ca-bundle", tmp_path / "x.pem"
    )
    assert result.code == 2
    assert "x.pem: file not found" in result.err


def test_connect_to_over_tls_checks_the_url_name(https_server, coll, ca_file):
    path = coll({"name": "r", "url": "https://api.example.invalid/json", "assert": {"status": 200}})
    rule = f"api.example.invalid:443:127.0.0.1:{https_server.port}"
    result = run_cli("run", path, "--connect-to", rule, "--ca-bundle", ca_file)
    assert result.code == 0, result.text
    assert https_server.log[-1].headers["Host"] == "api.example.invalid"


def test_runtime_failures_are_errors_and_the_run_goes_on(server, coll, tmp_path):
    port = closed_port()
    path = coll(
        {"name": "refused", "url": f"http://127.0.0.1:{port}/x"},
        {"name": "dns", "url": "http://no-such-host.invalid/x"},
        {"name": "timeout", "url": f"{server.url}/delay/500", "timeoutMs": 100},
        {"name": "not json", "url": f"{server.url}/text", "assert": {"jsonpath": {"$.a": 1}}},
        {"name": "fine", "url": f"{server.url}/json", "assert": {"status": 200}},
    )
    junit = tmp_path / "j.xml"
    result = run_cli("run", path, "--junit", junit, "--json", tmp_path / "r.json")
    assert result.code == 1
    out = result.out
    assert f"error: connection refused by 127.0.0.1:{port}" in out
    assert "error: DNS lookup failed for no-such-host.invalid" in out
    assert f"error: timed out after 100 ms waiting for 127.0.0.1:{server.port}" in out
    assert "error: cannot evaluate JSONPath $.a: the response body is not JSON (text/plain)" in out
    assert "✔ fine" in out
    cases = {c.get("name"): c for c in ET.parse(junit).iter("testcase")}
    for name in ("refused", "dns", "timeout", "not json"):
        error = cases[name].find("error")
        assert error is not None, name
        assert "\n" not in error.get("message")
    assert cases["fine"].find("error") is None and cases["fine"].find("failure") is None
    summary = json.loads((tmp_path / "r.json").read_text())["summary"]
    assert summary["errors"] == 4 and summary["requests"] == 5
    assert "Traceback" not in result.text


def test_dropped_connection_is_an_error(server, coll):
    path = coll({"name": "drop", "url": f"{server.url}/drop"})
    result = run_cli("run", path)
    assert result.code == 1
    assert f"connection reset by 127.0.0.1:{server.port}" in result.out


def test_tls_errors_say_why(https_server, coll, ca_file):
    path = coll({"name": "r", "url": "https://other.example.invalid/json"})
    rule = f"other.example.invalid:443:127.0.0.1:{https_server.port}"
    result = run_cli("run", path, "--connect-to", rule, "--ca-bundle", ca_file)
    assert result.code == 1
    assert (
        "TLS error with other.example.invalid:443: the certificate is not valid for "
        "other.example.invalid: it is for 127.0.0.1, localhost, api.example.invalid" in (result.out)
    )
    unknown = run_cli("run", _tls_collection(coll, https_server.url))
    assert "certificate verify failed (unable to get local issuer certificate)" in unknown.out
