"""ARM writes: a resource group is created by PUT (synchronous, 201/200) and deleted as a
long-running operation (202 + Location + Retry-After, polled until 200), as ARM does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from runner.emulator import Emulator, default_config_dict

from .helpers import NO_ROLES_APP, NO_ROLES_SECRET, SUB, app_token, bearer

GROUP = f"/subscriptions/{SUB}/resourcegroups/rg-runner-smoke"
VERSION = {"api-version": "2021-04-01"}


@pytest.fixture(scope="module")
def paced() -> Iterator[Emulator]:
    """An emulator of its own (these tests change its groups): 2 polls, Retry-After 3."""
    config = default_config_dict()
    config["operations"] = {"polls": 2, "retryAfter": 3}
    with Emulator(config) as running:
        yield running


def _auth(http: requests.Session, emulator: Emulator) -> dict[str, str]:
    return bearer(app_token(http, emulator.url))


def test_delete_is_a_long_running_operation(paced: Emulator, http: requests.Session) -> None:
    headers = _auth(http, paced)
    url = paced.url + GROUP
    created = http.put(url, params=VERSION, headers=headers, json={"location": "westeurope"})
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["provisioningState"] == "Succeeded"
    again = http.put(url, params=VERSION, headers=headers, json={"location": "westeurope",
                                                                  "tags": {"a": "b"}})  # fmt: skip
    assert again.status_code == 200 and again.json()["tags"] == {"a": "b"}

    accepted = http.delete(url, params=VERSION, headers=headers)
    assert accepted.status_code == 202 and accepted.content == b""
    monitor = accepted.headers["Location"]
    assert monitor.startswith(f"{paced.url}/subscriptions/{SUB}/operationresults/")
    assert "api-version=2021-04-01" in monitor and accepted.headers["Retry-After"] == "3"
    # While it runs the group reads Deleting; each poll says 202 until the end, then 200.
    state = http.get(url, params=VERSION, headers=headers).json()["properties"]
    assert state["provisioningState"] == "Deleting"
    polls = [http.get(monitor, headers=headers) for _ in range(3)]
    assert [p.status_code for p in polls] == [202, 202, 200]
    assert polls[0].headers["Retry-After"] == "3" and polls[0].headers["Location"]
    gone = http.get(url, params=VERSION, headers=headers)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ResourceGroupNotFound"
    assert http.get(monitor, headers=headers).status_code == 200  # a finished one stays so


def test_writes_need_a_write_role_and_a_location(paced: Emulator, http: requests.Session) -> None:
    headers = _auth(http, paced)
    reader_only = paced.url + f"/subscriptions/{SUB}/resourcegroups/rg-web-prod"
    denied = http.delete(reader_only, params=VERSION, headers=headers)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "AuthorizationFailed"
    assert "resourcegroups/delete" in denied.json()["error"]["message"]
    no_roles = bearer(
        app_token(http, paced.url, client_id=NO_ROLES_APP, client_secret=NO_ROLES_SECRET)
    )
    refused = http.put(paced.url + GROUP, params=VERSION, headers=no_roles, json={"location": "x"})
    assert refused.status_code == 403
    missing = http.put(paced.url + GROUP, params=VERSION, headers=headers, json={})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "LocationRequired"
    absent = http.delete(paced.url + GROUP, params=VERSION, headers=headers)
    assert absent.status_code == 404
    unknown = http.get(paced.url + f"/subscriptions/{SUB}/operationresults/nope", params=VERSION,
                       headers=headers)  # fmt: skip
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "OperationNotFound"


def test_a_deployment_runs_as_an_azure_async_operation(
    paced: Emulator, http: requests.Session
) -> None:
    headers = _auth(http, paced)
    group = paced.url + f"/subscriptions/{SUB}/resourcegroups/rg-runner-smoke"
    assert http.put(group, params=VERSION, headers=headers, json={"location": "x"}).ok
    url = group + "/providers/Microsoft.Resources/deployments/d1"
    template = {"resources": [], "outputs": {"n": {"type": "int", "value": 3}}}
    body = {"properties": {"mode": "Incremental", "template": template}}
    started = http.put(url, params=VERSION, headers=headers, json=body)
    assert started.status_code == 201, started.text
    assert started.json()["properties"]["provisioningState"] == "Accepted"
    monitor = started.headers["Azure-AsyncOperation"]
    assert monitor.startswith(url + "/operationStatuses/") and "api-version=2021-04-01" in monitor
    assert started.headers["Retry-After"] == "3"
    assert (
        http.get(url, params=VERSION, headers=headers).json()["properties"]["provisioningState"]
        == "Running"
    )
    statuses = [http.get(monitor, headers=headers).json()["status"] for _ in range(3)]
    assert statuses == ["Running", "Running", "Succeeded"]
    done = http.get(url, params=VERSION, headers=headers).json()["properties"]
    assert done["provisioningState"] == "Succeeded" and done["outputs"]["n"]["value"] == 3
    # Deploying resources is not emulated: 501, never a made-up Azure answer.
    with_resources = {"resources": [{"type": "Microsoft.Storage/storageAccounts"}]}
    refused = http.put(url, params=VERSION, headers=headers,
                       json={"properties": {"template": with_resources}})  # fmt: skip
    assert refused.status_code == 501 and refused.json()["error"]["code"] == "NotEmulated"
    assert http.delete(group, params=VERSION, headers=headers).status_code == 202
