"""`runner import`: the Entra ID / OAuth 2 token pre-request script → an oauth2 block."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from postman_helpers import collection, request, write

from runner.loader import import_file

HERE = Path(__file__).parent
TOKEN_SCRIPT = (HERE.parent / "support" / "seed_token_script.js").read_text(encoding="utf-8")


def imported(tmp_path: Path, *items: Any, **extra: Any) -> tuple[dict[str, Any], list[str]]:
    return import_file(write(tmp_path, "c.json", collection(*items, **extra)))


def test_token_script_becomes_an_oauth2_block(tmp_path: Path) -> None:
    # tests/support/seed_token_script.js is the seed 001 script (the Azure Postman sample),
    # with the lines the blog post's extraction dropped put back.
    headed = request(
        "List resource groups",
        url="https://management.azure.com/subscriptions/{{subscriptionId}}"
        "/resourcegroups?api-version=2020-09-01",
        header=[{"key": "Authorization", "value": "Bearer {{bearerToken}}"}],
    )
    headed["request"]["auth"] = {"type": "noauth"}
    inherits = request("Inherits", url="https://management.azure.com/subscriptions")
    doc, warnings = imported(
        tmp_path,
        headed,
        inherits,
        event=[{"listen": "prerequest", "script": {"exec": TOKEN_SCRIPT.splitlines()}}],
        auth={"type": "bearer", "bearer": [{"key": "token", "value": "{{bearerToken}}"}]},
        variable=[
            {"key": "tenantId", "value": "contoso"},
            {"key": "clientId", "value": "c"},
            {"key": "clientSecret", "value": "s"},
        ],
    )
    assert doc["auth"] == {
        "type": "oauth2",
        "grantType": "client_credentials",
        "tokenUrl": "https://login.microsoftonline.com/<<tenantId>>/oauth2/token",
        "clientId": "<<clientId>>",
        "clientSecret": "<<clientSecret>>",
        "resource": "https://management.azure.com/",
    }
    assert "scripts" not in doc
    for req in doc["items"]:
        assert "auth" not in req and "headers" not in req
    assert warnings == ["c: token pre-request script replaced by an oauth2 auth block"]


def test_token_script_v2_scope_and_defined_resource_variable(tmp_path: Path) -> None:
    script = TOKEN_SCRIPT.replace("/oauth2/token", "/oauth2/v2.0/token")
    doc, _ = imported(
        tmp_path,
        request("r"),
        event=[{"listen": "prerequest", "script": {"exec": script}}],
        variable=[{"key": "resource", "value": "https://graph.microsoft.com/"}],
    )
    assert doc["auth"]["tokenUrl"].endswith("/oauth2/v2.0/token")
    assert doc["auth"]["resource"] == "<<resource>>"


def test_token_script_with_guard_keeps_the_guard_and_names_the_variable(tmp_path: Path) -> None:
    guarded = (HERE.parent / "support" / "guarded_token_script.js").read_text(encoding="utf-8")
    doc, warnings = imported(
        tmp_path, request("r"), event=[{"listen": "prerequest", "script": {"exec": guarded}}]
    )
    assert doc["auth"]["scope"] == "https://management.azure.com/.default"
    assert doc["auth"]["tokenUrl"] == (
        "https://login.microsoftonline.com/<<tenant>>/oauth2/v2.0/token"
    )
    assert doc["auth"]["clientId"] == "<<app_id>>"
    assert doc["auth"]["clientSecret"] == "<<app_secret>>"
    assert 'if (pm.variables.get("use_auth")' in doc["scripts"]["prerequest"]
    assert any("'cached_token'" in w for w in warnings), warnings


@pytest.mark.external
def test_azure_oav_token_script_with_guard_keeps_the_guard(shared_corpus: Path) -> None:
    oav = shared_corpus / "azure-oav-generated" / "storagequickstart.postman_collection.json"
    doc, warnings = import_file(oav)
    assert doc["auth"]["scope"] == "https://management.azure.com/.default"
    assert doc["auth"]["clientId"] == "<<client_id>>"
    assert doc["scripts"]["prerequest"].startswith('if (pm.variables.get("x_enable_auth")')
    assert any("'x_bearer_token_0'" in w for w in warnings)
