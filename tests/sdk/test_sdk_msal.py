"""MSAL for Python, unpatched, against the https emulator; tokens checked with PyJWT."""

from __future__ import annotations

import ssl
from typing import Any

import jwt
import msal
import pytest
import requests

from .conftest import (
    APP,
    GRAPH_SCOPE,
    PUBLIC_APP,
    SECRET,
    TENANT,
    TENANT_ID,
    USER,
    USER_ID,
    Running,
)


def verify_access_token(emulator: Running, token: str, audience: str) -> dict[str, Any]:
    """Return the claims after PyJWT verified signature, ``iss`` and ``aud`` (v1 document)."""
    openid = requests.get(f"{emulator.url}/{TENANT}/.well-known/openid-configuration", timeout=10)
    assert openid.status_code == 200
    document = openid.json()
    context = ssl.create_default_context(cafile=str(emulator.ca_file))
    keys = jwt.PyJWKClient(document["jwks_uri"], ssl_context=context)
    claims: dict[str, Any] = jwt.decode(
        token,
        keys.get_signing_key_from_jwt(token).key,
        algorithms=["RS256"],
        audience=audience,
        issuer=document["issuer"],
        options={"require": ["exp", "iat", "iss", "aud"]},
    )
    return claims


def test_discovery_documents_match_the_tokens_they_describe(sdk_env: Running) -> None:
    v1 = requests.get(f"{sdk_env.url}/{TENANT}/.well-known/openid-configuration", timeout=10)
    v2 = requests.get(f"{sdk_env.url}/{TENANT}/v2.0/.well-known/openid-configuration", timeout=10)
    assert v1.json()["issuer"] == f"https://sts.windows.net/{TENANT_ID}/"
    assert v2.json()["issuer"] == f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"
    for document, prefix in ((v1.json(), "oauth2/"), (v2.json(), "oauth2/v2.0/")):
        base = f"{sdk_env.url}/{TENANT_ID}/{prefix}"
        assert document["authorization_endpoint"] == base + "authorize"
        assert document["token_endpoint"] == base + "token"
        assert document["device_authorization_endpoint"] == base + "devicecode"
        assert document["end_session_endpoint"] == base + "logout"
        assert document["jwks_uri"].startswith(f"{sdk_env.url}/{TENANT_ID}/discovery/")
    unknown = requests.get(f"{sdk_env.url}/nope.example/v2.0/.well-known/openid-configuration")
    assert unknown.status_code == 400 and unknown.json()["error_codes"] == [90002]


def test_confidential_client_with_secret_through_instance_discovery(sdk_env: Running) -> None:
    # The emulator serves instance discovery too: MSAL asks it, not login.microsoftonline.com.
    app = msal.ConfidentialClientApplication(
        APP,
        client_credential=SECRET,
        authority=f"{sdk_env.url}/{TENANT}",
        instance_discovery=f"{sdk_env.url}/common/discovery/instance",
    )
    result = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
    assert "access_token" in result, result
    claims = verify_access_token(sdk_env, result["access_token"], "https://graph.microsoft.com")
    # Graph tokens are v1 whichever endpoint issued them.
    assert claims["ver"] == "1.0" and claims["appid"] == APP and "azp" not in claims
    assert claims["tid"] == TENANT_ID and "User.Read.All" in claims["roles"]
    assert app.acquire_token_for_client(scopes=[GRAPH_SCOPE])["token_source"] == "cache"


def test_confidential_client_with_certificate(sdk_env: Running) -> None:
    # MSAL signs the assertion for the token endpoint of the discovery document (https).
    app = msal.ConfidentialClientApplication(
        APP,
        client_credential={
            "private_key": sdk_env.cert_pem.read_text(),
            "thumbprint": sdk_env.thumbprint_sha1,
        },
        authority=f"{sdk_env.url}/{TENANT}",
        instance_discovery=False,
    )
    result = app.acquire_token_for_client(scopes=["https://management.azure.com/.default"])
    assert "access_token" in result, result
    claims = verify_access_token(sdk_env, result["access_token"], "https://management.azure.com")
    assert claims["appidacr"] == "2" and claims["idtyp"] == "app"


def test_wrong_secret_is_msal_error_with_aadsts(sdk_env: Running) -> None:
    app = msal.ConfidentialClientApplication(
        APP,
        client_credential="wrong",
        authority=f"{sdk_env.url}/{TENANT}",
        instance_discovery=False,
    )
    result = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
    assert result["error"] == "invalid_client" and result["error_codes"] == [7000215]


def test_unknown_tenant_fails_discovery_like_entra(sdk_env: Running) -> None:
    # MSAL words it itself; the emulator's answer is AADSTS90002 (see the discovery test).
    with pytest.raises(ValueError, match="double check your tenant"):
        msal.ConfidentialClientApplication(
            APP,
            client_credential=SECRET,
            authority=f"{sdk_env.url}/no-such-tenant.example",
            instance_discovery=False,
        )


def test_public_client_device_code_then_silent(sdk_env: Running) -> None:
    app = msal.PublicClientApplication(
        PUBLIC_APP, authority=f"{sdk_env.url}/{TENANT}", instance_discovery=False
    )
    flow = app.initiate_device_flow(scopes=["User.Read"])
    assert "user_code" in flow and flow["interval"] >= 1, flow
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    # id_token and client_info: MSAL built an account from them.
    assert result["id_token_claims"]["preferred_username"] == USER
    assert result["id_token_claims"]["aud"] == PUBLIC_APP
    (account,) = app.get_accounts()
    assert account["username"] == USER
    assert account["home_account_id"] == f"{USER_ID}.{TENANT_ID}"
    cached = app.acquire_token_silent(["User.Read"], account=account)
    assert cached is not None and cached["token_source"] == "cache"
    # A new resource from the refresh token: silent, no user interaction.
    refreshed = app.acquire_token_silent(
        ["https://management.azure.com/user_impersonation"], account=account
    )
    assert refreshed is not None and "access_token" in refreshed, refreshed
    assert refreshed["token_source"] == "identity_provider"
    claims = verify_access_token(sdk_env, refreshed["access_token"], "https://management.azure.com")
    assert claims["upn"] == USER and claims["scp"] == "user_impersonation"
    assert claims["iss"] == f"https://sts.windows.net/{TENANT_ID}/" and claims["ver"] == "1.0"
