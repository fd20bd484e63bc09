"""Fast validation: the compiled schema validator agrees with `jsonschema`, whose located
messages are kept; the builder's top-down locations equal the walked ones; a valid
collection loads without importing `jsonschema`."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from runner.cli import main
from runner.errors import Location
from runner.loader import load_collection
from runner.loader.build import Builder
from runner.loader.validate import is_valid, locate, reference_errors, schema_errors
from runner.model import Folder, Request

from .test_properties import BASE, PROPERTY, mutated

REPO = Path(__file__).resolve().parents[2]


def _rendered(errors: list[Any]) -> list[str]:
    return [e.render() for e in errors]


@PROPERTY
@given(doc=mutated())
def test_fast_path_gives_exactly_the_reference_messages(doc: Any) -> None:
    fast = is_valid(doc, "collection")
    reference = reference_errors(doc, "c.json", "collection")
    if fast:  # the compiled validator never lets through what jsonschema rejects
        assert reference == [], _rendered(reference)
    assert _rendered(schema_errors(doc, "c.json", "collection")) == _rendered(reference)


@PROPERTY
@given(data=st.data())
def test_one_bad_item_among_many_is_located_as_before(data: st.DataObject) -> None:
    doc = copy.deepcopy(BASE)
    items = [copy.deepcopy(doc["items"][1]) | {"name": f"post {i}"} for i in range(30)]
    bad = data.draw(st.integers(0, len(items) - 1))
    key = data.draw(st.sampled_from(["urll", "metod", "asert"]))
    items[bad][key] = "x"
    doc["items"] = items
    assert is_valid(doc, "collection") is False
    errors = schema_errors(doc, "c.json", "collection")
    assert _rendered(errors) == _rendered(reference_errors(doc, "c.json", "collection"))
    assert [(e.message, str(e.location)) for e in errors] == [
        (f"unknown key '{key}'", f"c.json#/items/{bad}/{key} (post {bad})")
    ]


def test_extreme_numbers_are_judged_as_jsonschema_judges_them() -> None:
    doc = copy.deepcopy(BASE)
    for status, valid in ((10**40, True), (1.5, False), (float("inf"), False)):
        doc["items"][1]["assert"] = {"status": status}
        errors = schema_errors(doc, "c.json", "collection")
        assert _rendered(errors) == _rendered(reference_errors(doc, "c.json", "collection"))
        assert (errors == []) is valid


def test_a_compiled_validator_that_cannot_judge_defers_to_jsonschema(monkeypatch: Any) -> None:
    from runner.loader import validate

    class Refusing:
        def is_valid(self, doc: Any) -> bool:
            raise ValueError("value out of range")

    monkeypatch.setattr(validate, "_compiled", lambda name: Refusing())
    doc = copy.deepcopy(BASE)
    assert is_valid(doc, "collection") is None
    assert schema_errors(doc, "c.json", "collection") == []
    doc["items"][1]["urll"] = "x"
    assert [e.message for e in schema_errors(doc, "c.json", "collection")] == ["unknown key 'urll'"]


def _pointer_parts(pointer: str) -> list[str | int]:
    parts: list[str | int] = []
    for raw in pointer.split("/")[1:]:
        text = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(text) if text.isdigit() else text)
    return parts


def _locations(item: Folder | Request) -> list[Location]:
    found = [item.location]
    if item.auth is not None:
        found.append(item.auth.location)
    found += [s.location for s in (*item.scripts.prerequest, *item.scripts.test)]
    if isinstance(item, Folder):
        for child in item.items:
            found += _locations(child)
        return found
    found += [c.location for c in item.checks] + [c.location for c in item.captures]
    return found


def test_builder_locations_equal_those_walked_from_the_root() -> None:
    doc = copy.deepcopy(BASE)
    doc["items"][0]["scripts"] = {"prerequest": "pm.environment.set('a', 1)"}
    doc["items"][0]["items"][0]["auth"] = {"type": "basic", "username": "u", "password": "p"}
    doc["items"][0]["items"][0]["assert"]["jsonpath"]["$['a/b~c']"] = {"equals": 1}
    collection = Builder(doc, Path("c.json")).build()
    locations = [loc for item in collection.items for loc in _locations(item)]
    assert len(locations) >= 14
    for loc in locations:
        assert loc == locate("c.json", doc, _pointer_parts(loc.pointer)), loc
    request = collection.items[0].items[0]  # type: ignore[union-attr]
    assert str(request.location) == "c.json#/items/0/items/0 (Folder › get)"
    assert request.id == "items/0/items/0"
    tricky = next(c for c in request.checks if c.target == "$['a/b~c']")
    assert str(tricky.location) == (
        "c.json#/items/0/items/0/assert/jsonpath/$['a~1b~0c']/equals (Folder › get)"
    )


def test_a_valid_collection_loads_without_importing_jsonschema() -> None:
    code = (
        "import sys; from runner.loader import load_collection; "
        f"load_collection({str(REPO / 'collections' / 'arm-resource-groups.json')!r}); "
        "print('jsonschema' in sys.modules, 'jsonschema_rs' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


def test_validate_a_large_collection_end_to_end(tmp_path: Path) -> None:
    item = copy.deepcopy(BASE["items"][1])
    doc = copy.deepcopy(BASE) | {"items": [item | {"name": f"post {i}"} for i in range(2000)]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    assert len(load_collection(path).items) == 2000
    doc["items"][1234]["asert"] = {}
    path.write_text(json.dumps(doc))
    out, err = [], []
    code = main(["validate", str(path)], stdout=_Sink(out), stderr=_Sink(err))
    assert code == 2
    assert "".join(err).splitlines()[0] == (
        f"error: {path}#/items/1234/asert (post 1234): unknown key 'asert'"
    )


class _Sink:
    """A text stream that keeps what is written (a list of chunks)."""

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks

    def write(self, text: str) -> int:
        self.chunks.append(text)
        return len(text)
