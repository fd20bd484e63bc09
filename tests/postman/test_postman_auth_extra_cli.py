"""Digest, OAuth 1.0 and Hawk end to end: a Postman collection through `runner run`, the real
transport (auth applied as the request is sent) and the echo server that verifies them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from postman_helpers import collection, results, run_cli
from support.echo_server import EchoServers

STATUS_200 = ['pm.test("verified", () => pm.response.to.have.status(200));']


def _kv(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": v} for k, v in params.items()]


def _oauth1(params: dict[str, Any]) -> dict[str, Any]:
    return {"type": "oauth1", "oauth1": _kv(params)}


def _item(name: str, url: str, auth: dict[str, Any], **request: Any) -> dict[str, Any]:
    return {
        "name": name,
        "event": [{"listen": "test", "script": {"exec": STATUS_200}}],
        "request": {"method": "GET", "url": url, "auth": auth, **request},
    }


OAUTH1 = {
    "consumerKey": "RKCGzna7bv9YD57c",
    "consumerSecret": "{{oauthSecret}}",
    "signatureMethod": "HMAC-SHA1",
    "version": "1.0",
    "addParamsToHeader": True,
}
HAWK = {
    "authId": "dh37fgj492je",
    "authKey": "{{hawkKey}}",
    "algorithm": "sha256",
    "extraData": "skjdfklsjhdflkjhsdf",
}
VARIABLES = [
    {"key": "oauthSecret", "value": "D+EdQ-gs$-%@2Nu7"},
    {"key": "hawkKey", "value": "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn"},
]


def test_digest_oauth1_and_hawk_through_the_cli(tmp_path: Path, echo: EchoServers) -> None:
    digest = {"username": "postman", "password": "password", "algorithm": "MD5"}
    form = {"mode": "urlencoded", "urlencoded": [{"key": "f", "value": "v w"}]}
    doc = collection(
        _item("digest", f"{echo.http}/digest-auth", {"type": "digest", "digest": _kv(digest)}),
        _item(
            "oauth1 header", f"{echo.http}/oauth1?a=1", {"type": "oauth1", "oauth1": _kv(OAUTH1)}
        ),
        _item(
            "oauth1 query, form body",
            f"{echo.http}/oauth1",
            _oauth1({**OAUTH1, "addParamsToHeader": False}),
            method="POST",
            body=form,
        ),
        _item("hawk", f"{echo.http}/auth/hawk", {"type": "hawk", "hawk": _kv(HAWK)}),
        variable=VARIABLES,
    )
    status, output, report = run_cli(tmp_path, doc, echo)
    assert status == 0, output
    assert results(report) == {
        name: [("verified", True)]
        for name in ("digest", "oauth1 header", "oauth1 query, form body", "hawk")
    }
    # The signing secrets never show.
    assert "D+EdQ-gs$-%@2Nu7" not in output and "werxhqb98rpaxn39848x" not in output


def test_wrong_credentials_fail_the_check_not_the_run(tmp_path: Path, echo: EchoServers) -> None:
    digest = {"username": "postman", "password": "wrong", "algorithm": "MD5"}
    bad_hawk = {**HAWK, "authKey": "not-the-key"}
    doc = collection(
        _item("digest", f"{echo.http}/digest-auth", {"type": "digest", "digest": _kv(digest)}),
        _item("hawk", f"{echo.http}/auth/hawk", {"type": "hawk", "hawk": _kv(bad_hawk)}),
        variable=VARIABLES,
    )
    status, output, report = run_cli(tmp_path, doc, echo)
    assert status == 1, output
    assert results(report) == {"digest": [("verified", False)], "hawk": [("verified", False)]}
    assert [r["status"] for r in report["results"]] == [401, 401]
