"""`runner import` round trips: the native result gives the same results as the original.

Through the CLI: import the collection (and its environment / globals), run both on the
same servers, compare pass/fail request by request. The seed's token pre-request script
becomes an oauth2 block that gets its token from the emulator, as the script does.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest
from corpus_cases import FIXTURE_CASES, Case, external_cases, integration_cases
from newman_tools import run_runner, runner_outcomes
from postman_helpers import collection, request, write
from support.echo_server import EchoServers

from runner.cli import main
from runner.emulator import Emulator

HERE = Path(__file__).parent

# Differences that are deliberate (contract section 2 and 3), not importer bugs.
DELIBERATE = {
    "clear-vars-sandbox": "reads {{e}} after clearing it: Postman sends it as written, "
    "native <<e>> is an undefined-variable error",
    "var-replacement": "uses an undefined {{novar}} on purpose (same reason)",
    "failing-collection": "uses an undefined {{dummyVar}} on purpose (same reason)",
    "multi-value-data": "repeats a form-data key; native multipart fields are a mapping",
    "protocol-profile-behavior": "protocolProfileBehavior has no native equivalent",
    "csv-with-bom": "a CSV row shorter than its header is invalid input for native "
    "collections (issue 3); Postman runs leave the missing columns undefined, as Newman does",
    "whatwg-url": "URL normalisation differs from Newman on purpose (see KNOWN_DIFFERENCES)",
}
CASES = [c for c in integration_cases() + FIXTURE_CASES if c.name not in DELIBERATE]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def imported(path: Path | None, folder: Path) -> Path | None:
    """Returns `path` converted by `runner import -o` (data files stay as they are)."""
    if path is None or path.suffix != ".json":
        return path
    target = folder / f"native-{path.name}"
    status, _, err = cli("import", str(path), "-o", str(target))
    assert status == 0, err
    return target


@pytest.mark.external
@pytest.mark.usefixtures("shared_corpus")
@pytest.mark.parametrize("case", external_cases(CASES))
def test_imported_corpus_case_gives_the_same_results(
    case: Case, echo: EchoServers, tmp_path: Path
) -> None:
    for relative, source in case.extra_files.items():
        # Native file paths are relative to the collection: put the upload beside it too.
        for base in (Path.cwd(), tmp_path):
            (base / relative).parent.mkdir(parents=True, exist_ok=True)
            (base / relative).write_bytes(source.read_bytes())
    native = dataclasses.replace(
        case,
        collection=imported(case.collection, tmp_path),
        environment=imported(case.environment, tmp_path),
        globals=imported(case.globals, tmp_path),
    )
    status, output = run_runner(case, echo, tmp_path / "postman.json")
    native_status, native_output = run_runner(native, echo, tmp_path / "native.json")
    assert native_status == status, native_output
    original = [(o.name, o.passed) for o in runner_outcomes(tmp_path / "postman.json")]
    assert original, output
    assert [(o.name, o.passed) for o in runner_outcomes(tmp_path / "native.json")] == original


def token_collection(token_script: str, values: dict[str, str]) -> dict[str, Any]:
    """Returns the Azure sample's shape: a token pre-request script and an ARM call."""
    arm = request(
        "List subscriptions",
        url="{{armHost}}/subscriptions?api-version=2020-01-01",
        header=[{"key": "Authorization", "value": "Bearer {{bearerToken}}"}],
    )
    arm["request"]["auth"] = {"type": "noauth"}
    arm["event"] = [
        {
            "listen": "test",
            "script": {
                "exec": [
                    "pm.test('listed', function () {",
                    "  pm.response.to.have.status(200);",
                    "  pm.expect(pm.response.json().value).to.be.an('array');",
                    "});",
                ]
            },
        }
    ]
    return collection(
        arm,
        event=[{"listen": "prerequest", "script": {"exec": token_script.splitlines()}}],
        variable=[{"key": k, "value": v} for k, v in values.items()],
    )


def test_token_script_round_trip_against_the_emulator(tmp_path: Path) -> None:
    # The seed script, with the authority taken from a variable so it can reach the emulator.
    script = (
        (HERE.parent / "support" / "seed_token_script.js")
        .read_text(encoding="utf-8")
        .replace(
            "'https://login.microsoftonline.com/'",
            "pm.collectionVariables.get('authorityHost') + '/'",
        )
    )
    with Emulator() as emulator:
        values = {
            "authorityHost": emulator.url,
            "armHost": emulator.url,
            "tenantId": "contoso.onmicrosoft.com",
            "clientId": "11111111-2222-3333-4444-555555555555",
            "clientSecret": "emulator-secret-valid-NOT-REAL",
        }
        original = write(
            tmp_path, "azure.postman_collection.json", token_collection(script, values)
        )
        native = tmp_path / "azure.json"
        status, _, err = cli("import", str(original), "-o", str(native))
        assert status == 0, err
        doc = json.loads(native.read_text(encoding="utf-8"))
        assert doc["auth"] == {
            "type": "oauth2",
            "grantType": "client_credentials",
            "tokenUrl": "<<authorityHost>>/<<tenantId>>/oauth2/token",
            "clientId": "<<clientId>>",
            "clientSecret": "<<clientSecret>>",
            "resource": "https://management.azure.com/",
        }
        assert doc["items"][0]["assert"] == {
            "status": 200,
            "jsonpath": {"$.value": {"type": "array"}},
        }
        for path in (original, native):
            report = tmp_path / f"{path.stem}.report.json"
            status, out, err = cli("run", str(path), "--json", str(report))
            assert status == 0, out + err
            results = json.loads(report.read_text(encoding="utf-8"))["results"]
            arm = [r for r in results if r["name"] == "List subscriptions"]
            assert arm and arm[0]["status"] == 200 and arm[0]["outcome"] == "passed"
