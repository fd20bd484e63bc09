"""Every Postman file of the shared corpus loads (v1 gives the re-export error)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.errors import InputError
from runner.load.files import read_json
from runner.model import Collection, Environment, flatten
from runner.postman import detect, load_collection, load_environment
from runner.postman.collection import V1_MESSAGE
from runner.resolve.dynamic import DYNAMIC

CORPUS = Path("/work/shared/corpus/postman")
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")

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


def test_every_corpus_file_is_detected_and_loads() -> None:
    loaded: dict[str, list[object]] = {"collection": [], "environment": [], "v1": []}
    unknown = []
    for path in corpus_files():
        doc = read_json(path)
        kind = detect(doc)
        rel = path.relative_to(CORPUS).as_posix()
        if kind == "collection":
            loaded["collection"].append(load_collection(doc, path))
        elif kind in ("environment", "globals"):
            loaded["environment"].append(load_environment(doc, path))
        elif kind == "v1":
            with pytest.raises(InputError) as caught:
                load_collection(doc, path)
            assert caught.value.message == V1_MESSAGE
            assert caught.value.location is not None and caught.value.location.file == str(path)
            loaded["v1"].append(rel)
        else:
            unknown.append(rel)
    assert set(unknown) == OTHER
    assert len(loaded["collection"]) == 117
    assert len(loaded["environment"]) == 15
    assert loaded["v1"] == ["newman-examples/v1.postman_collection.json"]
    requests = sum(len(flatten(c.items)) for c in loaded["collection"] if isinstance(c, Collection))
    assert requests == 1135
    assert all(isinstance(e, Environment) for e in loaded["environment"])


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
