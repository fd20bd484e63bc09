"""End-to-end (integration): the seed article's Postman token script, run verbatim.

A Postman collection whose collection-level pre-request script is the token script of
`shared/seeds/001_…` (the article's text with the lines the page dropped restored, as in
tests/support/seed_token_script.js) runs through `runner run` against the built-in emulator
served over TLS. `--connect-to` sends https://login.microsoftonline.com and
https://management.azure.com to it, so the files run unchanged. Unit tests of the
script engine are in tests/scripts.
"""

from __future__ import annotations

import io
import json
import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.cli import main
from runner.emulator import Emulator

SCRIPT = (Path(__file__).parents[1] / "support" / "seed_token_script.js").read_text("utf-8")
SECRET = "emulator-secret-valid-NOT-REAL"


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, Path]]:
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("login.microsoftonline.com", "management.azure.com", "127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with Emulator(ssl_context=context) as emulator:
        yield emulator, ca_file


def _collection(tmp_path: Path, secret: str) -> Path:
    doc = {
        "info": {
            "name": "Azure REST (seed)",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "variable": [
            {"key": "tenantId", "value": "contoso.onmicrosoft.com"},
            {"key": "clientId", "value": "11111111-2222-3333-4444-555555555555"},
            {"key": "clientSecret", "value": secret},
            {"key": "subscriptionId", "value": "00000000-0000-0000-0000-00000000005a"},
        ],
        "event": [{"listen": "prerequest", "script": {"exec": SCRIPT.splitlines()}}],
        "item": [
            {
                "name": "Resource groups",
                "request": {
                    "method": "GET",
                    "auth": {
                        "type": "bearer",
                        "bearer": [{"key": "token", "value": "{{bearerToken}}"}],
                    },
                    "url": "https://management.azure.com/subscriptions/{{subscriptionId}}"
                    "/resourcegroups?api-version=2020-09-01",
                },
                "event": [
                    {
                        "listen": "test",
                        "script": {
                            "exec": [
                                "pm.test('status 200', () => pm.response.to.have.status(200));",
                                "pm.test('groups', () => pm.expect(pm.response.json().value)"
                                ".to.be.an('array').that.is.not.empty);",
                            ]
                        },
                    }
                ],
            }
        ],
    }
    path = tmp_path / "seed.postman_collection.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _run(emulator: Emulator, ca_file: Path, collection: Path, *extra: str) -> tuple[int, str]:
    port = emulator.port
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "run",
            str(collection),
            "--connect-to",
            f"login.microsoftonline.com:443:127.0.0.1:{port}",
            "--connect-to",
            f"management.azure.com:443:127.0.0.1:{port}",
            "--ca-bundle",
            str(ca_file),
            *extra,
        ],
        stdout=out,
        stderr=err,
    )
    return code, out.getvalue() + err.getvalue()


def test_seed_script_gets_a_token_that_the_next_request_uses(
    tls_emulator: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, ca_file = tls_emulator
    before = emulator.stats.token_requests_total
    report = tmp_path / "run.json"
    code, output = _run(
        emulator, ca_file, _collection(tmp_path, SECRET), "--json", str(report), "-n", "2"
    )
    assert code == 0, output
    assert "PASSED: 2 requests, 4 assertions, 0 failed, 0 errors" in output
    results = json.loads(report.read_text("utf-8"))["results"]
    assert [r["status"] for r in results] == [200, 200]
    assert all(a["passed"] for r in results for a in r["assertions"])
    # The script asks for a token before every request, as it does in Postman.
    assert emulator.stats.token_requests_total - before == 2
    text = report.read_text("utf-8") + output
    assert SECRET not in text
    assert not re.search(r"eyJ[\w-]+\.eyJ[\w-]+", text), "an access token leaked"


def test_seed_script_with_a_wrong_secret_fails_the_request_not_the_run(
    tls_emulator: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, ca_file = tls_emulator
    code, output = _run(emulator, ca_file, _collection(tmp_path, "not-the-secret-value"))
    assert code == 1
    # The script swallows the token error (as in Postman); ARM then refuses the request.
    assert "401" in output
    assert "not-the-secret-value" not in output
