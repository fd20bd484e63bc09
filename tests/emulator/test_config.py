"""Loading and validating the emulator configuration."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from runner.emulator import default_config_dict, default_config_path, load_config

from .helpers import APP, TENANT_ID


def test_default_config_loads_with_expected_samples() -> None:
    config = load_config(None)
    tenant = config.find_tenant("CONTOSO.onmicrosoft.com")
    assert tenant is not None and tenant.id == TENANT_ID
    assert len(tenant.users) == 7
    assert config.find_tenant("nope") is None
    assert len(config.subscriptions[0].resource_groups) == 5
    assert config.arm_page_size == 2 and config.managed is not None
    assert Path(default_config_path()).name == "default_config.json"


def test_relative_dates_make_expired_and_expiring_secrets() -> None:
    config = load_config(None)
    legacy = config.tenants[0].apps[1]
    now = datetime.now(UTC)
    expired, expiring = legacy.secrets
    assert expired.end < now
    assert now + timedelta(days=4) < expiring.end < now + timedelta(days=6)


def test_load_from_file(tmp_path: Path) -> None:
    data = default_config_dict()
    data["paging"] = {"arm": 3, "graph": 4}
    path = tmp_path / "emulator.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    config = load_config(str(path))
    assert (config.arm_page_size, config.graph_page_size) == (3, 4)


def _broken(change: Any) -> dict[str, Any]:
    data = default_config_dict()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["tenants"][0]["apps"][0].pop("clientId"), "tenants[0].apps[0].clientId"),
        (lambda d: d.pop("tenants"), "'tenants'"),
        (lambda d: d["tenants"][0].update(domains="x"), "tenants[0].domains"),
        (lambda d: d["roleAssignments"][0].update(principal="ghost"),
         "roleAssignments[0].principal"),
        (lambda d: d["tenants"][0]["apps"][0]["secrets"][0].update(endDateTime="soon"),
         "tenants[0].apps[0].secrets[0].endDateTime"),
        (lambda d: d["tenants"][0]["apps"][0].update(certificates=[{"keyId": "k", "pem": "x"}]),
         "tenants[0].apps[0].certificates[0].pem"),
        (lambda d: d["paging"].update(arm=0), "paging.arm"),
        (lambda d: d["deviceCode"].update(approveAfterPolls=True), "deviceCode.approveAfterPolls"),
        (lambda d: d["tenants"][0]["users"][0].update(deviceCode="maybe"),
         "tenants[0].users[0].deviceCode"),
        (lambda d: d["subscriptions"][0].update(tenantId="missing"), "subscriptions[0].tenantId"),
    ],
)  # fmt: skip
def test_invalid_config_names_the_key(change: Any, named: str) -> None:
    with pytest.raises(ValueError, match="emulator config") as caught:
        load_config(_broken(change))
    assert named in str(caught.value)


def test_unreadable_and_invalid_json_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_config(bad)
    with pytest.raises(ValueError, match="cannot read"):
        load_config(tmp_path / "missing.json")


def test_derived_object_ids_are_deterministic() -> None:
    data = default_config_dict()
    data["tenants"][0]["apps"][0].pop("objectId")
    first, second = load_config(data), load_config(data)
    assert first.tenants[0].apps[0].object_id == second.tenants[0].apps[0].object_id
    assert first.tenants[0].apps[0].client_id == APP


def test_unknown_keys_are_reported_and_comments_allowed() -> None:
    data = default_config_dict()
    data["_comment"] = "ignored"
    data["tenants"][0]["apps"][0]["$note"] = "ignored too"
    assert load_config(data).tenants[0].apps[0].client_id == APP
    data["tenants"][0]["apps"][0]["graphRole"] = ["User.Read.All"]
    with pytest.raises(ValueError, match=r"unknown key 'tenants\[0\]\.apps\[0\]\.graphRole'"):
        load_config(data)
