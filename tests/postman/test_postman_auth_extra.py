"""Postman digest, OAuth 1.0 and Hawk auth through real `requests` calls to the echo server."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from support.echo_server import EchoServers

from runner.auth.extra import request_auth
from runner.errors import Location, RequestError
from runner.model import AuthSpec
from runner.transport.signing import as_requests_auth

AT = Location("c.json", "/item/0/request/auth")
OAUTH1 = {
    "consumerKey": "RKCGzna7bv9YD57c",
    "consumerSecret": "{{secret}}",
    "signatureMethod": "HMAC-SHA1",
    "version": "1.0",
    "addParamsToHeader": True,
    "addEmptyParamsToSign": False,
}
HAWK = {
    "authId": "dh37fgj492je",
    "authKey": "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn",
    "algorithm": "sha256",
    "user": "asda",
    "nonce": "eFRP2o",
    "extraData": "skjdfklsjhdflkjhsdf",
    "appId": "",
    "delegation": "",
    "timestamp": "",
}
VARS = {"{{secret}}": "D+EdQ-gs$-%@2Nu7", "{{user}}": "postman"}


def render(text: str) -> str:
    for ref, value in VARS.items():
        text = text.replace(ref, value)
    return text


def auth(kind: str, params: dict[str, Any]) -> requests.auth.AuthBase:
    return as_requests_auth(request_auth(AuthSpec(kind, params, AT), render))


@pytest.mark.parametrize(("password", "status"), [("password", 200), ("wrong", 401)])
def test_digest_answers_the_challenge(echo: EchoServers, password: str, status: int) -> None:
    params = {"username": "{{user}}", "password": password, "algorithm": "MD5"}
    response = requests.get(f"{echo.http}/digest-auth", auth=auth("digest", params), timeout=5)
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"authenticated": True}
        assert response.request.headers["Authorization"].startswith('Digest username="postman"')


@pytest.mark.parametrize("method", ["HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT"])
def test_oauth1_signature_in_the_header_verifies(echo: EchoServers, method: str) -> None:
    params = {**OAUTH1, "signatureMethod": method}
    response = requests.get(
        f"{echo.http}/oauth1?a=1&b=two words", auth=auth("oauth1", params), timeout=5
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "pass"
    header = response.request.headers["Authorization"]
    assert isinstance(header, str)
    assert 'oauth_consumer_key="RKCGzna7bv9YD57c"' in header
    assert f'oauth_signature_method="{method}"' in header


def test_oauth1_in_the_query_with_form_body_and_fixed_nonce(echo: EchoServers) -> None:
    params = {**OAUTH1, "addParamsToHeader": False, "nonce": "abc", "timestamp": "1461319769"}
    response = requests.post(
        f"{echo.https}/oauth1",
        data={"f": "v w"},
        verify=echo.ca_file,
        auth=auth("oauth1", params),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    sent = response.request.url or ""
    assert "oauth_nonce=abc" in sent and "oauth_timestamp=1461319769" in sent
    assert "Authorization" not in response.request.headers


def test_oauth1_with_a_wrong_secret_is_refused(echo: EchoServers) -> None:
    params = {**OAUTH1, "consumerSecret": "nope"}
    response = requests.get(f"{echo.http}/oauth1", auth=auth("oauth1", params), timeout=5)
    assert response.status_code == 401


def test_oauth1_unknown_signature_method_is_a_request_error() -> None:
    with pytest.raises(RequestError, match="signature method 'RSA-MD5'"):
        auth("oauth1", {**OAUTH1, "signatureMethod": "RSA-MD5"})


def test_hawk_signs_requests(echo: EchoServers) -> None:
    response = requests.get(f"{echo.http}/auth/hawk", auth=auth("hawk", HAWK), timeout=5)
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Hawk Authentication Successful"}
    header = response.request.headers["Authorization"]
    assert header.startswith("Hawk ") and 'id="dh37fgj492je"' in header
    assert 'ext="skjdfklsjhdflkjhsdf"' in header and "hash=" not in header


def test_hawk_with_a_wrong_key_is_refused(echo: EchoServers) -> None:
    bad = {**HAWK, "authKey": "not-the-key"}
    assert (
        requests.get(f"{echo.http}/auth/hawk", auth=auth("hawk", bad), timeout=5).status_code == 401
    )


@pytest.mark.parametrize("kind", ["ntlm", "awsv4", "edgegrid"])
def test_other_types_are_reported_as_unsupported(kind: str) -> None:
    with pytest.raises(RequestError) as caught:
        auth(kind, {})
    assert f"auth type '{kind}' is not supported" in caught.value.message
    assert caught.value.location == AT


def test_hawk_payload_hash_when_asked(echo: EchoServers) -> None:
    params = {**HAWK, "includePayloadHash": True}
    response = requests.post(
        f"{echo.http}/auth/hawk",
        data="a=1",
        headers={"Content-Type": "text/plain"},
        auth=auth("hawk", params),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert 'hash="' in response.request.headers["Authorization"]
