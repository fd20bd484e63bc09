"""The README's native-format reference: its example is a valid collection, and every key
the JSON Schemas accept is named in the README."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import trustme
from support.pki import client_files, private_pem

from core.conftest import help_text, run_cli

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text("utf-8")


def _reference_example() -> str:
    section = README[README.index("### Native format reference") :]
    start = section.index("```json\n") + len("```json\n")
    return section[start : section.index("\n```", start)]


def test_reference_example_is_a_valid_collection(tmp_path: Path) -> None:
    example = tmp_path / "reference.json"
    example.write_text(_reference_example(), encoding="utf-8")
    (tmp_path / "README.md").write_text("a file to upload", encoding="utf-8")
    files = client_files(tmp_path / "client", trustme.CA(), "qa@example.test", "x-certPassword")
    for name in ("p12", "crt", "key"):
        (tmp_path / f"client.{name}").write_bytes(
            files["cert" if name == "crt" else name].read_bytes()
        )
    names = [
        "certPassword",
        "authorityHost",
        "tenantId",
        "clientId",
        "clientSecret",
        "userToken",
        "qaPassword",
        "apiKey",
        "publicClientId",
        "username",
        "userPassword",
        "refreshToken",
        "consumerSecret",
        "accessToken",
        "tokenSecret",
        "hawkKey",
    ]
    # The RSA-signed OAuth 1.0 request's key is read before the run: a real one.
    rsa_key = private_pem()
    variables = [a for n in names for a in ("--var", f"{n}=x-{n}")]
    result = run_cli("validate", example, *variables, "--var", f"rsaPrivateKey={rsa_key}")
    assert result.code == 0, result.text


def _properties(schema: object, found: set[str]) -> set[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                found.update(value)
            _properties(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _properties(value, found)
    return found


def _keys(value: object, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        found.update(value)
        for item in value.values():
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def _auth_keys(schema: dict[str, Any]) -> set[str]:
    """Returns the keys the auth types take (their propertyNames lists, e.g. apikey's `key`)."""
    return {
        key
        for rule in schema["$defs"]["auth"]["allOf"]
        for branch in rule["then"].get("propertyNames", {}).get("anyOf", [])
        for key in branch.get("enum", [])
    }


def test_reference_example_holds_every_collection_schema_key() -> None:
    """The section says so: every key the collection schema names is a key of its example."""
    schema = json.loads((REPO / "runner" / "schemas" / "collection.schema.json").read_text("utf-8"))
    accepted = _properties(schema, set()) | _auth_keys(schema)
    assert {"authorityHost", "cloud", "certificateFile", "federatedTokenFile"} <= accepted
    assert sorted(accepted - _keys(json.loads(_reference_example()), set())) == []


def test_every_schema_key_is_in_the_readme() -> None:
    keys: set[str] = set()
    for name in ("collection", "environment"):
        path = REPO / "runner" / "schemas" / f"{name}.schema.json"
        _properties(json.loads(path.read_text("utf-8")), keys)
    assert len(keys) > 50
    named = set(re.findall(r"`([^`\s]+)`", README)) | set(re.findall(r'"([^"\s]+)":', README))
    assert sorted(keys - named) == []


def test_demo_help_says_it_writes_one_report_per_collection() -> None:
    assert "one per bundled collection: out.xml writes out-1.xml" in help_text("demo")
