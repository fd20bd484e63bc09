"""Workload identity in GitHub Actions: the OIDC token asked for from a stand-in server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from azure_helpers import CERT_APP, TENANT, claims, federated_token, fetch, new_result, source
from cryptography.hazmat.primitives.asymmetric import rsa

from runner.errors import AuthError
from runner.transport.http import RequestsTransport

PKI = tuple[rsa.RSAPrivateKey, bytes, bytes]
REQUEST_TOKEN = "gh-request-token-NOT-REAL"


class _GitHub(HTTPServer):
    token = ""
    seen: list[tuple[str, str]]


class _Handler(BaseHTTPRequestHandler):
    server: _GitHub

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("Authorization", "")))
        ok = self.headers.get("Authorization") == f"bearer {REQUEST_TOKEN}"
        body = json.dumps({"count": 1, "value": self.server.token} if ok else {"message": "no"})
        self.send_response(200 if ok else 403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def github(pki: PKI) -> Iterator[_GitHub]:
    """Returns a running stand-in for GitHub's OIDC token endpoint."""
    server = _GitHub(("127.0.0.1", 0), _Handler)
    server.token, server.seen = federated_token(pki[0]), []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _actions_env(env: dict[str, str], server: _GitHub, request_token: str) -> dict[str, str]:
    url = f"http://127.0.0.1:{server.server_address[1]}/token?api-version=2.0"
    return {
        **env,
        "ACTIONS_ID_TOKEN_REQUEST_URL": url,
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": request_token,
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": CERT_APP,
    }


def test_workload_identity_in_github_actions(
    env: dict[str, str], github: _GitHub, transport: RequestsTransport
) -> None:
    env = _actions_env(env, github, REQUEST_TOKEN)
    result = new_result()
    token = source({"credential": "workload_identity"}, env).fetch(transport, None, result)
    assert claims(token)["appid"] == CERT_APP
    assert github.seen == [
        (
            "/token?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange",
            f"bearer {REQUEST_TOKEN}",
        )
    ]
    assert github.token not in str(result.exchange) and REQUEST_TOKEN not in str(result.exchange)
    # The default chain uses it too, from its environment stage.
    chained = new_result()
    source({"credential": "default"}, env).fetch(transport, None, chained)
    assert chained.console == ["default credential: using environment"]


def test_github_refusal_says_what_permission_is_missing(
    env: dict[str, str], github: _GitHub, transport: RequestsTransport
) -> None:
    env = _actions_env(env, github, "wrong")
    with pytest.raises(AuthError, match="GitHub Actions OIDC token request answered 403") as caught:
        fetch(source({"credential": "workload_identity"}, env), transport)
    assert "id-token: write" in (caught.value.hint or "")
