"""Every Postman file of the shared corpus loads (v1 gives the re-export error)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.external import CORPUS

from runner.errors import InputError
from runner.loader.files import read_json
from runner.model import Collection, Environment, flatten
from runner.postman import detect, load_collection, load_environment
from runner.postman.collection import V1_MESSAGE
from runner.resolve.dynamic import DYNAMIC

pytestmark = [pytest.mark.external, pytest.mark.usefixtures("shared_corpus")]

# Not collections or environments: data rows, a cookie jar, Newman run configs, payloads.
OTHER = {
    "newman-fixtures/files/outside.json",
    "newman-fixtures/files/work-dir/test.json",
    "newman-fixtures/run/spaces/simple-cookie-jar.json",
    "newman-fixtures/run/spaces/data.json",
    "newman-fixtures/run/test-data.postman_data.json",
    "newman-fixtures/files/ssl-client-cert-config.json",
    "newman-integration/globals-env-data-files/globals-env-data-files.postman_data.json",
    "newman-integration/redirect-test/redirect-test.postman_config.json",
    "newman-integration/timeout/timeout.postman_config.json",
}


def corpus_files() -> list[Path]:
    """Returns every JSON file except the JSON Schemas themselves."""
    return [
        p
        for p in sorted(CORPUS.rglob("*.json"))
        if "schemas/source" not in p.as_posix() and "schemas/bundled" not in p.as_posix()
    ]


def _kind(doc: object) -> str:
    """Classifies a parsed file by its shape alone (independently of runner's detect())."""
    if (
        isinstance(doc, list)
        and doc
        and all(isinstance(v, dict) and {"key", "value"} <= set(v) for v in doc)
    ):
        return "environment"  # globals as Newman's bare [{key, value}] array
    if not isinstance(doc, dict):
        return "other"
    if isinstance(doc.get("item"), list):
        return "collection"  # with or without `info`, as Newman accepts
    if "requests" in doc and "order" in doc:
        return "v1"
    if isinstance(doc.get("values"), list):
        return "environment"
    return "other"


def _requests(node: object) -> int:
    """Counts the items holding a `request` in a raw v2 collection."""
    if isinstance(node, list):
        return sum(_requests(n) for n in node)
    if isinstance(node, dict):
        return (1 if "request" in node else 0) + _requests(node.get("item", []))
    return 0


def test_every_corpus_file_is_detected_and_loads() -> None:
    loaded: dict[str, list[str]] = {"collection": [], "environment": [], "v1": [], "other": []}
    expected: dict[str, list[str]] = {"collection": [], "environment": [], "v1": [], "other": []}
    requests = expected_requests = 0
    for path in corpus_files():
        doc = read_json(path)
        kind = detect(doc)
        rel = path.relative_to(CORPUS).as_posix()
        expected[_kind(doc)].append(rel)
        if kind == "collection":
            col = load_collection(doc, path)
            assert isinstance(col, Collection)
            requests += len(flatten(col.items))
            expected_requests += _requests(doc["item"])
            loaded["collection"].append(rel)
        elif kind in ("environment", "globals"):
            assert isinstance(load_environment(doc, path), Environment)
            loaded["environment"].append(rel)
        elif kind == "v1":
            with pytest.raises(InputError) as caught:
                load_collection(doc, path)
            assert caught.value.message == V1_MESSAGE
            assert caught.value.location is not None and caught.value.location.file == str(path)
            loaded["v1"].append(rel)
        else:
            loaded["other"].append(rel)
    assert loaded == expected
    assert set(loaded["other"]) == OTHER
    assert loaded["v1"] == ["newman-examples/v1.postman_collection.json"]
    assert requests == expected_requests


def test_corpus_collections_keep_names_ids_and_locations() -> None:
    path = CORPUS / "newman-integration" / "echo-v2.postman_collection.json"
    col = load_collection(read_json(path), path)
    assert col.dialect == "postman" and col.name == "Postman Echo (V2)"
    steps = flatten(col.items)
    first = steps[0].request
    assert steps[0].path == ("Auth: Digest",)
    assert first.location.pointer == "/item/0/item/0"
    assert first.location.item_path == ("Auth: Digest", "DigestAuth Request")
    assert len({s.request.id for s in steps}) == len(steps)


def test_msgraph_collection_loads_its_168_requests() -> None:
    path = CORPUS / "msgraph" / "Microsoft Graph.postman_collection.json"
    col = load_collection(read_json(path), path)
    assert len(flatten(col.items)) == 168


def test_every_dynamic_variable_the_corpus_uses_is_known() -> None:
    used: set[str] = set()
    for path in corpus_files():
        used.update(
            re.findall(
                r"\{\{(\$[A-Za-z]+)\}\}", path.read_text(encoding="utf-8-sig", errors="replace")
            )
        )
    assert "$randomLoremSentences" in used and "$guid" in used
    assert sorted(used - set(DYNAMIC)) == []
    for name in used:
        value = DYNAMIC[name]()  # text, or a number ($timestamp, $randomInt)
        assert isinstance(value, str | int) and str(value) != ""
