"""The catch-all stand-in of the corpus differential, and the loopback-only guard."""

from __future__ import annotations

import json
import socket

import pytest
import requests
from support.catchall_proxy import CatchAllProxy
from support.local_server import closed_port
from support.loopback import is_loopback, loopback_only


def test_it_answers_every_host_itself_and_never_forwards(catchall: CatchAllProxy) -> None:
    # A plain URL to a port where nothing listens, and an https URL to a real host's name
    # (tunnelled, with a certificate minted for that name): both answered by the proxy.
    proxies = {"http": catchall.url, "https": catchall.url}
    with requests.Session() as session, loopback_only():
        plain = session.post(
            f"http://127.0.0.1:{closed_port()}/a?b=1", data="hi", proxies=proxies, timeout=10
        )
        secure = session.get(
            "https://api.binance.com/api/v3/time", proxies=proxies, verify=catchall.ca_file
        )
    assert plain.status_code == secure.status_code == 200
    assert json.loads(plain.text)["method"] == "POST" and json.loads(plain.text)["body"] == "hi"
    assert json.loads(secure.text) == {
        "method": "GET",
        "url": "https://api.binance.com/api/v3/time",
        "body": "",
    }
    assert catchall.log[-1] == ("GET", "https://api.binance.com/api/v3/time")


def test_its_variables_leave_no_proxy_bypass(catchall: CatchAllProxy) -> None:
    env = catchall.environment
    assert env["HTTPS_PROXY"] == env["http_proxy"] == catchall.url
    assert env["NO_PROXY"] == env["no_proxy"] == ""


def test_loopback_only_refuses_other_hosts_before_looking_them_up() -> None:
    assert is_loopback("127.0.0.2") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("10.0.0.1") and not is_loopback("google.com")
    with loopback_only():
        assert socket.getaddrinfo("127.0.0.1", 80)
        with pytest.raises(socket.gaierror, match="tests contact loopback only"):
            socket.getaddrinfo("google.com", 80)
