"""Client assertions: certificate-signed JWTs and federated (workload identity) tokens."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization

from runner.emulator import Emulator, default_config_dict

from .helpers import (
    APP,
    ARM,
    GRAPH_DEFAULT,
    TENANT,
    KeyPair,
    aadsts,
    claims_of,
    make_key_pair,
    token_json,
)

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GITHUB = "https://token.actions.githubusercontent.com"
SUBJECT = "repo:contoso/nightly-checks:ref:refs/heads/main"


@pytest.fixture(scope="module")
def registered() -> KeyPair:
    return make_key_pair("registered")


@pytest.fixture(scope="module")
def thumb_only() -> KeyPair:
    return make_key_pair("thumbprint-only")


@pytest.fixture(scope="module")
def cert_emulator(registered: KeyPair, thumb_only: KeyPair) -> Iterator[Emulator]:
    config = default_config_dict()
    app = config["tenants"][0]["apps"][0]
    app["certificates"] = [
        {"keyId": "00000000-0000-0000-0000-00000000c001", "pem": registered.pem},
        {
            "keyId": "00000000-0000-0000-0000-00000000c002",
            "thumbprintSha256": thumb_only.cert.fingerprint(hashes.SHA256()).hex(),
        },
    ]
    with Emulator(config) as running:
        yield running


def _send(
    emulator: Emulator, http: requests.Session, assertion: str, version: str = "v2"
) -> requests.Response:
    form = {"grant_type": "client_credentials", "client_id": APP, "client_assertion": assertion}
    form["client_assertion_type"] = JWT_BEARER
    audience = {"scope": GRAPH_DEFAULT} if version == "v2" else {"resource": ARM}
    return token_json(http, emulator.url, version, **form, **audience)


def _endpoint(emulator: Emulator, version: str = "v2") -> str:
    path = "oauth2/v2.0/token" if version == "v2" else "oauth2/token"
    return f"{emulator.url}/{TENANT}/{path}"


def test_certificate_assertion_happy_path(
    cert_emulator: Emulator, http: requests.Session, registered: KeyPair
) -> None:
    response = _send(cert_emulator, http, registered.assertion(APP, _endpoint(cert_emulator)))
    assert response.status_code == 200, response.text
    assert claims_of(response.json()["access_token"])["appidacr"] == "2"


def test_sha1_x5t_header_and_v1_endpoint(
    cert_emulator: Emulator, http: requests.Session, registered: KeyPair
) -> None:
    header = {"x5t": registered.thumbprint(hashes.SHA1())}
    assertion = registered.assertion(APP, _endpoint(cert_emulator, "v1"), header=header)
    assert _send(cert_emulator, http, assertion, "v1").status_code == 200


def test_thumbprint_only_registration_verifies_with_x5c(
    cert_emulator: Emulator, http: requests.Session, thumb_only: KeyPair
) -> None:
    der = thumb_only.cert.public_bytes(serialization.Encoding.DER)
    header = {"x5t#S256": thumb_only.thumbprint(hashes.SHA256())}
    without = thumb_only.assertion(APP, _endpoint(cert_emulator), header=header)
    header["x5c"] = [base64.b64encode(der).decode()]  # type: ignore[assignment]
    with_chain = thumb_only.assertion(APP, _endpoint(cert_emulator), header=header)
    assert aadsts(_send(cert_emulator, http, without)) == 700027
    assert _send(cert_emulator, http, with_chain).status_code == 200


def test_bad_signature_is_700027(
    cert_emulator: Emulator, http: requests.Session, registered: KeyPair
) -> None:
    impostor = KeyPair(make_key_pair().key, registered.cert)
    response = _send(cert_emulator, http, impostor.assertion(APP, _endpoint(cert_emulator)))
    assert (response.status_code, aadsts(response)) == (401, 700027)
    assert "signature" in response.json()["error_description"]


def test_unregistered_certificate_is_700027(
    cert_emulator: Emulator, http: requests.Session
) -> None:
    stranger = make_key_pair("stranger")
    response = _send(cert_emulator, http, stranger.assertion(APP, _endpoint(cert_emulator)))
    assert aadsts(response) == 700027
    assert "not registered" in response.json()["error_description"]


def test_expired_assertion_is_700024(
    cert_emulator: Emulator, http: requests.Session, registered: KeyPair
) -> None:
    past = int(time.time()) - 3600
    assertion = registered.assertion(APP, _endpoint(cert_emulator), nbf=past - 600, exp=past)
    assert aadsts(_send(cert_emulator, http, assertion)) == 700024


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"aud": "https://login.microsoftonline.com/contoso/oauth2/v2.0/token"}, 700023),
        ({"sub": "someone-else"}, 700021),
        ({"jti": ""}, 50027),
    ],
)
def test_assertion_claim_errors(
    cert_emulator: Emulator,
    http: requests.Session,
    registered: KeyPair,
    claims: dict[str, Any],
    code: int,
) -> None:
    base: dict[str, Any] = {"aud": _endpoint(cert_emulator)}
    assertion = registered.assertion(APP, **{**base, **claims})
    assert aadsts(_send(cert_emulator, http, assertion)) == code


def test_hs256_assertion_is_refused(cert_emulator: Emulator, http: requests.Session) -> None:
    assertion = jwt.encode({"iss": APP, "sub": APP}, "k" * 32, algorithm="HS256")
    assert aadsts(_send(cert_emulator, http, assertion)) == 700027


def _federated(**overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {"iss": GITHUB, "sub": SUBJECT, "aud": "api://AzureADTokenExchange"}
    claims.update({"nbf": now, "exp": now + 300, "jti": "x", **overrides})
    # The emulator does not check the external issuer's signature; any key will do.
    return jwt.encode(claims, "federation-test-key-of-32-bytes!", algorithm="HS256")


def test_federated_assertion_matches(emulator: Emulator, http: requests.Session) -> None:
    response = _send(emulator, http, _federated())
    assert response.status_code == 200, response.text
    assert claims_of(response.json()["access_token"])["appid"] == APP


@pytest.mark.parametrize(
    ("overrides", "code", "error"),
    [
        ({"iss": "https://issuer.example.com"}, 700211, "invalid_request"),
        ({"aud": "api://somewhere-else"}, 700212, "invalid_request"),
        ({"sub": "repo:contoso/other:ref:refs/heads/main"}, 700213, "invalid_client"),
        ({"sub": SUBJECT.upper()}, 7002138, "invalid_client"),
        ({"exp": int(time.time()) - 3600, "nbf": int(time.time()) - 7200}, 700024,
         "invalid_client"),
    ],
)  # fmt: skip
def test_federated_mismatches(
    emulator: Emulator,
    http: requests.Session,
    overrides: dict[str, Any],
    code: int,
    error: str,
) -> None:
    response = _send(emulator, http, _federated(**overrides))
    assert (aadsts(response), response.json()["error"]) == (code, error)


def test_malformed_assertion_is_rejected(emulator: Emulator, http: requests.Session) -> None:
    response = _send(emulator, http, "not-a-jwt")
    assert response.status_code == 400 and aadsts(response) == 50027
