"""Short-lived tokens: ARM and Graph refuse them once expired, and the emulator counts it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from runner.emulator import Emulator

from .helpers import SUB, app_token, bearer, claims_of, wait_until_expired

RGS = f"/subscriptions/{SUB}/resourcegroups?api-version=2020-09-01"
USERS = "/v1.0/users"


@dataclass(frozen=True)
class Observed:
    """What one emulator with 1-second tokens answered before and after expiry."""

    lifetime: int
    fresh_arm: requests.Response
    stale_arm: requests.Response
    stale_graph: requests.Response
    expired_before: int
    expired_after: int


@pytest.fixture(scope="module")
def observed() -> Observed:
    with Emulator(token_lifetime=1) as short, requests.Session() as http:
        arm = app_token(http, short.url)
        graph = app_token(http, short.url, resource="https://graph.microsoft.com")
        fresh = http.get(short.url + RGS, headers=bearer(arm), timeout=10)
        before = short.stats.expired_token_requests
        wait_until_expired(graph)
        wait_until_expired(arm)
        stale_arm = http.get(short.url + RGS, headers=bearer(arm), timeout=10)
        stale_graph = http.get(short.url + USERS, headers=bearer(graph), timeout=10)
        lifetime = claims_of(arm)["exp"] - claims_of(arm)["iat"]
        return Observed(
            lifetime, fresh, stale_arm, stale_graph, before, short.stats.expired_token_requests
        )


def test_short_lifetime_is_honoured(observed: Observed) -> None:
    assert observed.lifetime <= 2 and observed.fresh_arm.status_code == 200


def test_arm_says_expired(observed: Observed) -> None:
    error = observed.stale_arm.json()["error"]
    assert observed.stale_arm.status_code == 401
    assert error["code"] == "ExpiredAuthenticationToken"
    assert "is earlier than current UTC time" in error["message"]


def test_graph_says_expired(observed: Observed) -> None:
    error = observed.stale_graph.json()["error"]
    assert observed.stale_graph.status_code == 401
    assert error["message"] == "Access token has expired or is not yet valid."


def test_expired_requests_are_counted(observed: Observed) -> None:
    assert (observed.expired_before, observed.expired_after) == (0, 2)
