"""`runner schema`: the shipped JSON Schemas for editors, and "$schema" paths that resolve."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from core.conftest import run_cli

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["collection", "environment"])
def test_schema_printed_and_written(tmp_path: Path, name: str) -> None:
    shipped = resources.files("runner.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    printed = run_cli("schema", name)
    assert printed.code == 0
    assert json.loads(printed.out) == json.loads(shipped)
    target = tmp_path / "sub" / f"{name}.schema.json"
    written = run_cli("schema", name, "-o", target)
    assert written.code == 0
    assert f"{name} schema written to {target}" in written.err
    assert json.loads(target.read_text("utf-8")) == json.loads(shipped)


def test_schema_to_a_folder_or_unknown_name_is_invalid(tmp_path: Path) -> None:
    folder = run_cli("schema", "collection", "-o", tmp_path)
    assert folder.code == 2 and "is a folder" in folder.err
    unknown = run_cli("schema", "collections")
    assert unknown.code == 2 and "invalid choice: 'collections'" in unknown.err


def test_bundled_files_point_at_schemas_that_exist() -> None:
    files = [*(REPO / "collections").glob("*.json"), *(REPO / "environments").glob("*.json")]
    assert len(files) >= 7
    for path in files:
        target = (path.parent / json.loads(path.read_text("utf-8"))["$schema"]).resolve()
        assert target.is_file(), (path, target)
        kind = "environment" if path.parent.name == "environments" else "collection"
        assert target.name == f"{kind}.schema.json"


def test_readme_schema_references_resolve_for_a_pip_user() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    refs = re.findall(r'"\$schema":\s*"([^"]+)"', readme)
    assert refs, "the README shows a $schema"
    for ref in refs:
        # Only a path next to the user's file (written by `runner schema`), never a URL that
        # does not exist.
        assert ref.startswith("./") and ref.endswith(".schema.json"), ref
        assert f"runner schema {Path(ref).name.split('.')[0]}" in readme
