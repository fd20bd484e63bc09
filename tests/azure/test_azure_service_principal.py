"""client_secret, certificate and workload_identity against the emulator over HTTP."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from urllib.parse import parse_qs

import jwt
import pytest
from azure_helpers import (
    ARM_SCOPE,
    CERT_APP,
    EXCHANGE,
    SECRET,
    SECRET_APP,
    SUBJECT,
    TENANT,
    claims,
    federated_token,
    fetch,
    make_pem,
    new_result,
    source,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from runner.auth.azure.assertion import Signer, assertion_form, load_signer
from runner.auth.azure.confidential import ConfidentialSource
from runner.errors import AuthError
from runner.transport.http import RequestsTransport

PKI = tuple[rsa.RSAPrivateKey, bytes, bytes]


def secret_params(**extra: str) -> dict[str, str]:
    base = {"credential": "client_secret", "tenantId": TENANT, "clientId": SECRET_APP}
    return {**base, "clientSecret": SECRET, **extra}


def test_client_secret_v2_scope(env: dict[str, str], transport: RequestsTransport) -> None:
    result = new_result()
    token = source(secret_params(scope=ARM_SCOPE), env).fetch(transport, None, result)
    assert claims(token)["appid"] == SECRET_APP
    assert claims(token)["aud"].startswith("https://management.azure.com")
    assert result.url.endswith(f"/{TENANT}/oauth2/v2.0/token")
    assert result.exchange is not None and result.exchange.request_body is not None
    assert SECRET not in result.exchange.request_body
    assert token.value not in (result.exchange.response_body or "")


def test_client_secret_v1_resource(env: dict[str, str], transport: RequestsTransport) -> None:
    result = new_result()
    resource = "https://graph.microsoft.com/"
    token = source(secret_params(resource=resource), env).fetch(transport, None, result)
    assert result.url.endswith(f"/{TENANT}/oauth2/token")
    assert claims(token)["appid"] == SECRET_APP
    assert token.response["resource"] == resource


def test_wrong_secret_explains_aadsts(env: dict[str, str], transport: RequestsTransport) -> None:
    src = source(secret_params(clientSecret="not-the-secret"), env)
    with pytest.raises(AuthError) as caught:
        fetch(src, transport)
    assert "AADSTS7000215" in caught.value.message
    assert "Value" in (caught.value.hint or "")


def test_certificate_signs_assertion(
    env: dict[str, str], transport: RequestsTransport, pem_file: Path, pki: PKI
) -> None:
    params = {"credential": "certificate", "tenantId": TENANT, "clientId": CERT_APP}
    src = source({**params, "certificateFile": pem_file.name}, env, pem_file.parent)
    result = new_result()
    token = src.fetch(transport, None, result)
    assert claims(token)["appidacr"] == "2"
    body = parse_qs(result.exchange.request_body if result.exchange else "")
    assert body["client_assertion"] == ["***"]
    assert "PRIVATE" not in str(result.exchange)


def test_assertion_claims_and_header(pem_file: Path, pki: PKI) -> None:
    signer = load_signer(pem_file)
    url = "https://login.example/t/oauth2/v2.0/token"
    first, second = signer.assertion(CERT_APP, url), signer.assertion(CERT_APP, url)
    header = jwt.get_unverified_header(first)
    body = jwt.decode(first, pki[0].public_key(), algorithms=["RS256"], audience=url)
    assert header["x5t#S256"] == signer.thumbprint and header["typ"] == "JWT"
    assert body["iss"] == body["sub"] == CERT_APP
    assert body["exp"] - body["nbf"] == 600 and abs(body["iat"] - time.time()) < 5
    assert body["jti"] != jwt.decode(second, options={"verify_signature": False})["jti"]


def _with_auth(env: dict[str, str], signer: Signer, now: float | None = None) -> ConfidentialSource:
    settings = source(secret_params(), env).settings  # type: ignore[attr-defined]
    return ConfidentialSource(
        "certificate",
        settings,
        TENANT,
        CERT_APP,
        lambda _transport, url: assertion_form(signer.assertion(CERT_APP, url, now)),
    )


def test_bad_signature_is_700027(
    env: dict[str, str], transport: RequestsTransport, pem_file: Path
) -> None:
    registered = load_signer(pem_file)
    other_key = make_pem()[0]
    forged = Signer(other_key, registered.thumbprint)
    with pytest.raises(AuthError) as caught:
        fetch(_with_auth(env, forged), transport)
    assert "AADSTS700027" in caught.value.message
    assert "signature" in (caught.value.hint or "")


def test_unregistered_certificate_is_700027(
    env: dict[str, str], transport: RequestsTransport, tmp_path: Path
) -> None:
    (tmp_path / "other.pem").write_bytes(make_pem()[1])
    params = {"credential": "certificate", "tenantId": TENANT, "clientId": CERT_APP}
    src = source({**params, "certificateFile": "other.pem"}, env, tmp_path)
    with pytest.raises(AuthError, match="AADSTS700027"):
        fetch(src, transport)


def test_expired_assertion_is_700024(
    env: dict[str, str], transport: RequestsTransport, pem_file: Path
) -> None:
    stale = _with_auth(env, load_signer(pem_file), now=time.time() - 3600)
    with pytest.raises(AuthError) as caught:
        fetch(stale, transport)
    assert "AADSTS700024" in caught.value.message
    assert "time range" in (caught.value.hint or "")


def _pem_blocks(pem: bytes) -> tuple[bytes, bytes]:
    key, _, cert = pem.partition(b"-----END PRIVATE KEY-----\n")
    return key + b"-----END PRIVATE KEY-----\n", cert


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("absent", "cannot be read"),
        ("empty", "is empty"),
        ("key only", "has no certificate"),
        ("cert only", "has no private key"),
        ("mismatch", "certificate does not match the private key"),
    ],
)
def test_unusable_pem_says_what_is_missing(
    tmp_path: Path, pki: PKI, case: str, expected: str
) -> None:
    key, cert = _pem_blocks(pki[1])
    contents = {
        "empty": b"",
        "key only": key,
        "cert only": cert,
        "mismatch": _pem_blocks(make_pem()[1])[0] + cert,
    }
    path = tmp_path / "x.pem"
    if case in contents:
        path.write_bytes(contents[case])
    with pytest.raises(AuthError, match=expected):
        load_signer(path)


def test_pfx_with_password_and_pem_chain_order(
    env: dict[str, str], transport: RequestsTransport, tmp_path: Path, pki: PKI
) -> None:
    cert = x509.load_pem_x509_certificate(pki[2])
    other = x509.load_pem_x509_certificate(make_pem()[2])
    protection = serialization.BestAvailableEncryption(b"pfx-pass")
    pfx = pkcs12.serialize_key_and_certificates(b"app", pki[0], cert, [other], protection)
    (tmp_path / "app.pfx").write_bytes(pfx)
    params = {"credential": "certificate", "tenantId": TENANT, "clientId": CERT_APP}
    params.update(certificateFile="app.pfx", certificatePassword="pfx-pass")
    assert claims(fetch(source(params, env, tmp_path), transport))["appidacr"] == "2"
    with pytest.raises(AuthError, match="neither PEM nor a readable PKCS#12"):
        load_signer(tmp_path / "app.pfx", "wrong")
    # An intermediate written before the app's certificate: the one matching the key is used.
    key, cert_pem = _pem_blocks(pki[1])
    (tmp_path / "chain.pem").write_bytes(make_pem()[2] + key + cert_pem)
    assert load_signer(tmp_path / "chain.pem").thumbprint == _thumbprint(cert)


def _thumbprint(cert: x509.Certificate) -> str:
    digest = cert.fingerprint(hashes.SHA256())
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_workload_identity_reads_file_each_time(
    env: dict[str, str], transport: RequestsTransport, tmp_path: Path, pki: PKI
) -> None:
    token_file = tmp_path / "federated.jwt"
    token_file.write_text(federated_token(pki[0]))
    env = {**env, "AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CERT_APP}
    src = source(
        {"credential": "workload_identity", "federatedTokenFile": "federated.jwt"}, env, tmp_path
    )
    result = new_result()
    assert claims(src.fetch(transport, None, result))["appid"] == CERT_APP
    assert token_file.read_text() not in str(result.exchange)
    token_file.write_text(federated_token(pki[0], subject="repo:contoso/other:ref:refs/heads/x"))
    with pytest.raises(AuthError, match="AADSTS700213"):
        fetch(src, transport)


def test_workload_identity_env_file_and_case_mismatch(
    env: dict[str, str], transport: RequestsTransport, tmp_path: Path, pki: PKI
) -> None:
    token_file = tmp_path / "upper.jwt"
    token_file.write_text(federated_token(pki[0], subject=SUBJECT.upper()))
    env = {**env, "AZURE_FEDERATED_TOKEN_FILE": str(token_file)}
    params = {"credential": "workload_identity", "tenantId": TENANT, "clientId": CERT_APP}
    with pytest.raises(AuthError) as caught:
        fetch(source(params, env), transport)
    assert "AADSTS7002138" in caught.value.message
    assert "case" in (caught.value.hint or "")


def test_expired_federated_token_is_700024(
    env: dict[str, str], transport: RequestsTransport, tmp_path: Path, pki: PKI
) -> None:
    old = int(time.time()) - 7200
    (tmp_path / "old.jwt").write_text(federated_token(pki[0], exp=old, nbf=old - 60, aud=EXCHANGE))
    params = {"credential": "workload_identity", "tenantId": TENANT, "clientId": CERT_APP}
    with pytest.raises(AuthError, match="AADSTS700024"):
        fetch(source({**params, "federatedTokenFile": "old.jwt"}, env, tmp_path), transport)


def test_workload_identity_without_file(env: dict[str, str], transport: RequestsTransport) -> None:
    params = {"credential": "workload_identity", "tenantId": TENANT, "clientId": CERT_APP}
    with pytest.raises(AuthError, match="federatedTokenFile or AZURE_FEDERATED_TOKEN_FILE"):
        fetch(source(params, env), transport)
    missing = {**params, "federatedTokenFile": "nope.jwt"}
    with pytest.raises(AuthError, match=r"nope\.jwt cannot be read"):
        fetch(source(missing, env), transport)


def test_secret_sent_for_public_client_is_700025(
    env: dict[str, str], transport: RequestsTransport
) -> None:
    src = source(secret_params(clientId="00000000-0000-0000-0000-0000000000c2"), env)
    with pytest.raises(AuthError) as caught:
        fetch(src, transport)
    assert "AADSTS700025" in caught.value.message
    assert "public client" in (caught.value.hint or "")


def test_certificate_on_v1_endpoint_signs_for_that_url(
    env: dict[str, str], transport: RequestsTransport, pem_file: Path
) -> None:
    params = {"credential": "certificate", "tenantId": TENANT, "clientId": CERT_APP}
    params.update(certificateFile=str(pem_file), resource="https://management.azure.com/")
    result = new_result()
    token = source(params, env).fetch(transport, None, result)
    assert result.url.endswith(f"/{TENANT}/oauth2/token")  # and the emulator checked aud
    assert claims(token)["appidacr"] == "2"
