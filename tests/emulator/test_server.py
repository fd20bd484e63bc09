"""The server itself: stats, reset, throttling, robustness, keep-alive, ``serve``."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection

import jwt
import pytest
import requests

from runner.emulator import Emulator, default_config_dict

from .helpers import (
    APP,
    ARM,
    SECRET,
    SUB,
    TENANT,
    TENANT_ID,
    app_token,
    bearer,
    token_json,
)

RGS = f"/subscriptions/{SUB}/resourcegroups?api-version=2020-09-01"


@pytest.fixture
def fresh() -> Iterator[Emulator]:
    config = default_config_dict()
    config["throttle"] = [{"pathPrefix": "/v1.0/users", "count": 2, "retryAfter": 7}]
    with Emulator(config) as running:
        yield running


def test_stats_count_tokens_errors_and_api_calls(fresh: Emulator, http: requests.Session) -> None:
    token = app_token(http, fresh.url)
    app_token(http, fresh.url)
    app_token(http, fresh.url, resource="https://graph.microsoft.com")
    form = {"grant_type": "client_credentials", "client_id": APP, "client_secret": "bad"}
    token_json(http, fresh.url, **form, resource=ARM)
    for _ in range(3):
        http.get(fresh.url + RGS, headers=bearer(token), timeout=10)
    stats = fresh.stats
    assert stats.token_requests[(APP, ARM, "client_credentials")] == 3
    assert stats.tokens(client_id=APP, audience="https://graph.microsoft.com") == 1
    assert stats.token_requests_total == 4 and stats.token_errors == {7000215: 1}
    assert stats.api_requests == 3 and stats.api_requests_by_service["arm"] == 3
    assert stats.expired_token_requests == 0
    served = http.get(f"{fresh.url}/_emulator/stats", timeout=10).json()
    assert served == stats.to_json()
    assert served["tokenRequests"]["byKey"][1] == {
        "clientId": APP, "audience": ARM, "grantType": "client_credentials", "count": 3,
    }  # fmt: skip


def test_reset_zeroes_counters(fresh: Emulator, http: requests.Session) -> None:
    app_token(http, fresh.url)
    assert http.post(f"{fresh.url}/_emulator/reset", timeout=10).status_code == 200
    assert fresh.stats.token_requests_total == 0 and fresh.stats.token_requests == {}


def test_device_code_polls_are_counted(fresh: Emulator, http: requests.Session) -> None:
    client = "00000000-0000-0000-0000-0000000000c2"
    url = f"{fresh.url}/{TENANT}/oauth2/v2.0/devicecode"
    code = http.post(url, data={"client_id": client, "scope": "User.Read"}, timeout=10).json()
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": client}
    for _ in range(2):
        token_json(http, fresh.url, "v2", **form, device_code=code["device_code"])
    assert fresh.stats.device_code_polls == 2
    assert fresh.stats.tokens(grant_type="device_code") == 2
    key = (client, "https://graph.microsoft.com", "device_code")
    assert fresh.stats.token_requests[key] == 2


def test_throttle_header_counts_per_value(fresh: Emulator, http: requests.Session) -> None:
    token = app_token(http, fresh.url)
    headers = {**bearer(token), "x-emulator-throttle": "2:arm"}
    statuses = [http.get(fresh.url + RGS, headers=headers, timeout=10) for _ in range(3)]
    assert [r.status_code for r in statuses] == [429, 429, 200]
    assert statuses[0].headers["Retry-After"] == "1"
    assert statuses[0].json()["error"]["code"] == "TooManyRequests"
    other = http.get(fresh.url + RGS, headers={**headers, "x-emulator-throttle": "1:b"})
    assert other.status_code == 429 and fresh.stats.throttled == 3


def test_throttle_header_on_token_endpoint(fresh: Emulator, http: requests.Session) -> None:
    url = f"{fresh.url}/{TENANT}/oauth2/token"
    form = {"grant_type": "client_credentials", "client_id": APP, "client_secret": SECRET}
    headers = {"x-emulator-throttle": "1:token"}
    first = http.post(url, data={**form, "resource": ARM}, headers=headers, timeout=10)
    second = http.post(url, data={**form, "resource": ARM}, headers=headers, timeout=10)
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    assert "error_codes" in first.json() and second.status_code == 200


def test_throttle_rule_from_config(fresh: Emulator, http: requests.Session) -> None:
    token = app_token(http, fresh.url, resource="https://graph.microsoft.com")
    responses = [
        http.get(f"{fresh.url}/v1.0/users", headers=bearer(token), timeout=10) for _ in range(3)
    ]
    assert [r.status_code for r in responses] == [429, 429, 200]
    assert responses[0].headers["Retry-After"] == "7"
    assert set(responses[0].json()["error"]["innerError"]) == {
        "date", "request-id", "client-request-id",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no/such/thing"),
        ("GET", "/contoso.onmicrosoft.com/oauth2/v2.0/authorize"),
        ("GET", "/common/userrealm/adele@contoso.com"),
        ("PATCH", "/subscriptions/00000000-0000-0000-0000-00000000005a/resourcegroups/new"),
        ("GET", "/v1.0/groups"),
        ("PATCH", "/v1.0/users/adele.vance@contoso.onmicrosoft.com"),
    ],
)
def test_what_is_not_emulated_answers_501_saying_so(
    emulator: Emulator, http: requests.Session, method: str, path: str
) -> None:
    # Never an Azure-looking error: a 404 ResourceGroupNotFound for an unemulated PUT would
    # read as Azure's answer.
    token = app_token(http, emulator.url)
    response = http.request(method, emulator.url + path, headers=bearer(token), timeout=10)
    assert response.status_code == 501, response.text
    error = response.json()["error"]
    assert error["code"] == "NotEmulated" and "is not emulated" in error["message"]
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    "body", [b"\xff\xfe\x00garbage", b"{not json", b"grant_type=%%%&&==&client_id"]
)
def test_malformed_bodies_get_errors_not_crashes(
    emulator: Emulator, http: requests.Session, body: bytes
) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = http.post(f"{emulator.url}/{TENANT}/oauth2/token", data=body, headers=headers)
    assert response.status_code == 400 and response.json()["error_codes"]
    assert http.get(f"{emulator.url}/_emulator/stats", timeout=10).status_code == 200


def test_unknown_method_gets_json(emulator: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as sock:
        sock.sendall(b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 501") and b"application/json" in reply
    assert reply.endswith(b"}}")


def test_keep_alive_reuses_one_connection(emulator: Emulator) -> None:
    connection = HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    sockets = []
    try:
        for _ in range(3):
            connection.request("GET", "/_emulator/stats")
            response = connection.getresponse()
            assert response.status == 200 and not response.will_close
            response.read()
            sockets.append(connection.sock)
    finally:
        connection.close()
    assert sockets[0] is sockets[1] is sockets[2]


def test_head_has_no_body(emulator: Emulator, http: requests.Session) -> None:
    response = http.head(f"{emulator.url}/nothing", timeout=10)
    assert response.status_code == 501 and response.content == b""
    assert int(response.headers["Content-Length"]) > 0


def test_serve_prints_url_and_stops_on_ctrl_c() -> None:
    code = "from runner.emulator import serve; serve(port=0, token_lifetime=5)"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    url = line.split(" on ", 1)[1].split()[0]
    with requests.Session() as http:
        assert http.get(f"{url}/_emulator/stats", timeout=5).status_code == 200
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=10)
    assert process.returncode == 0 and "Traceback" not in err and err == ""
    assert url.startswith("http://127.0.0.1:") and "default_config.json" in line


def test_emulator_url_before_start_raises() -> None:
    with pytest.raises(RuntimeError, match="start"):
        _ = Emulator().url


def test_keep_alive_requests_are_fast(emulator: Emulator, http: requests.Session) -> None:
    # Guards against the 40 ms delayed-ACK stall of split header/body writes.
    started = time.perf_counter()
    for _ in range(50):
        http.get(f"{emulator.url}/_emulator/stats", timeout=10)
    assert time.perf_counter() - started < 1.0


def test_dropped_connection_is_quiet(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as sock:
        sock.sendall(b"POST /x/oauth2/token HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nab")
        # Linger 0: closing sends a reset, so the server's read fails mid-request.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(0.2)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_parallel_token_requests_are_all_counted(fresh: Emulator) -> None:
    def fetch(_: int) -> int:
        with requests.Session() as http:
            form = {"grant_type": "client_credentials", "client_id": APP, "client_secret": SECRET}
            return token_json(http, fresh.url, **form, resource=ARM).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(fetch, range(24)))
    assert statuses == [200] * 24
    assert fresh.stats.token_requests[(APP, ARM, "client_credentials")] == 24


def test_tokens_verify_with_the_published_keys(emulator: Emulator, http: requests.Session) -> None:
    token = app_token(http, emulator.url)
    openid = http.get(f"{emulator.url}/{TENANT}/v2.0/.well-known/openid-configuration").json()
    # Like Entra ID, a domain name resolves to the tenant id in the document.
    assert openid["token_endpoint"] == f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/token"
    keys = jwt.PyJWKSet.from_dict(http.get(openid["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token, keys.keys[0].key, algorithms=["RS256"], audience=ARM)
    assert claims["appid"] == APP


def test_signing_keys_per_tenant_and_unknown_tenant(
    emulator: Emulator, http: requests.Session
) -> None:
    for tenant in (TENANT, TENANT_ID, "common"):
        keys = http.get(f"{emulator.url}/{tenant}/discovery/v2.0/keys", timeout=10)
        assert keys.status_code == 200 and keys.json()["keys"][0]["kty"] == "RSA"
    unknown = http.get(f"{emulator.url}/nope.example/discovery/keys", timeout=10)
    assert unknown.status_code == 400 and unknown.json()["error_codes"] == [90002]
    assert unknown.json()["error"] == "invalid_tenant"


def test_instance_discovery_builds_the_document_address_from_host(
    emulator: Emulator, http: requests.Session
) -> None:
    # MSAL sends the authority without its port; the answer leads back to the Host called.
    params = {
        "api-version": "1.1",
        "authorization_endpoint": f"https://127.0.0.1/{TENANT}/oauth2/v2.0/authorize",
    }
    body = http.get(f"{emulator.url}/common/discovery/instance", params=params, timeout=10).json()
    expected = f"{emulator.url}/{TENANT}/v2.0/.well-known/openid-configuration"
    assert body["tenant_discovery_endpoint"] == expected
    params["authorization_endpoint"] = "https://evil.example/t/oauth2/v2.0/authorize"
    refused = http.get(f"{emulator.url}/common/discovery/instance", params=params, timeout=10)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_instance"
