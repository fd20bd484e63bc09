"""azure-mgmt-resource's long-running operations, unpatched, against the https emulator:
`begin_delete(...).result()` follows the emulator's 202 + Location to the end, as on ARM."""

from __future__ import annotations

from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient

from .conftest import APP, ARM_SCOPE, SECRET, SUB, TENANT, Running

GROUP = "rg-runner-smoke"  # the sample app is Contributor on this group only


def test_begin_delete_result_completes(sdk_env: Running) -> None:
    credential = ClientSecretCredential(
        TENANT, APP, SECRET, authority=sdk_env.url, disable_instance_discovery=True
    )
    client = ResourceManagementClient(
        credential, SUB, base_url=sdk_env.url, credential_scopes=[ARM_SCOPE]
    )
    created = client.resource_groups.create_or_update(GROUP, {"location": "westeurope"})
    assert created.name == GROUP and created.properties.provisioning_state == "Succeeded"
    poller = client.resource_groups.begin_delete(GROUP)
    assert poller.status() == "InProgress"  # the SDK saw a 202 with a Location to poll
    assert poller.result() is None
    assert poller.done() and poller.status() == "Succeeded"
    assert client.resource_groups.check_existence(GROUP) is False
