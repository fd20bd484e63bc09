"""Postman environment and globals files → model.Environment."""

from __future__ import annotations

from pathlib import Path

from runner.errors import InputError, Location
from runner.model import Environment
from runner.postman.fields import entries, is_enabled, key_of, text
from runner.values import JSON


def load_environment(doc: JSON, path: Path) -> Environment:
    """Returns the enabled values of a Postman environment or globals file (and its
    disabled entries, kept for the export).

    Raises:
        InputError: the document has no `values` list.
    """
    if isinstance(doc, list):
        doc = {"values": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        raise InputError(
            "not a Postman environment or globals file (no `values` list)",
            location=Location(str(path)),
        )
    values: dict[str, JSON] = {}
    secrets: set[str] = set()
    for _, entry in entries(doc["values"]):
        key = key_of(entry)
        if not key:
            continue
        values[key] = entry.get("value", "")
        if entry.get("type") == "secret":
            secrets.add(key)
        else:
            # A later duplicate that is not secret replaces a secret one.
            secrets.discard(key)
    disabled = tuple(
        entry
        for entry in doc["values"]
        if isinstance(entry, dict) and not is_enabled(entry) and key_of(entry)
    )
    return Environment(
        name=text(doc.get("name")) or path.stem,
        values=values,
        secrets=frozenset(secrets),
        source=path,
        disabled=disabled,
    )
