"""Checks JSON reports against the schema the package ships (runner/schemas/report.schema.json)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).resolve().parents[2] / "runner" / "schemas" / "report.schema.json"
#: How every report begins: `$schema` only when the report schema sits next to it.
_HEAD = re.compile(
    rb'^\{\s*(?:"\$schema": "\./report\.schema\.json",\s*)?"version": \d+,\s*"collection": '
)


@cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def is_report(path: Path) -> bool:
    """Returns True when `path` is a JSON file that says it is a runner report."""
    try:
        with path.open("rb") as handle:
            head = handle.read(200)
    except OSError:
        return False
    return bool(_HEAD.match(head))


def assert_valid_report(path: Path) -> dict[str, Any]:
    """Fails the test with the schema's reasons when `path` does not validate; returns it."""
    document = json.loads(path.read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in _validator().iter_errors(document)
    ]
    assert not errors, f"{path} does not validate against report.schema.json: {errors[:3]}"
    return dict(document)


def check_report_files(*folders: Path) -> list[Path]:
    """Validates every runner JSON report under `folders`; returns the files it checked."""
    seen: list[Path] = []
    for folder in dict.fromkeys(folders):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.json")):
            if path.is_file() and is_report(path):
                assert_valid_report(path)
                seen.append(path)
    return seen
