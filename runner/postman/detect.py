"""Telling Postman documents apart: collection v2, v1, environment, globals."""

from __future__ import annotations

from typing import Literal

from runner.values import JSON

Kind = Literal["collection", "environment", "globals", "v1"]

_SCHEMA_HOSTS = ("schema.getpostman.com", "schema.postman.com")


def unwrap(doc: JSON) -> JSON:
    """Returns the collection inside a `{"collection": {...}}` envelope, else `doc`."""
    if isinstance(doc, dict) and isinstance(doc.get("collection"), dict) and "info" not in doc:
        return doc["collection"]
    return doc


def detect(doc: JSON) -> Kind | None:
    """Returns what a parsed JSON document is, or None when it is not a Postman file."""
    doc = unwrap(doc)
    if isinstance(doc, list):
        # Newman also accepts a bare list of {key, value} as an environment or globals file.
        return "environment" if doc and all(_is_variable(v) for v in doc) else None
    if not isinstance(doc, dict):
        return None
    if _is_collection(doc):
        return "collection"
    if isinstance(doc.get("requests"), list) or isinstance(doc.get("order"), list):
        return "v1"
    scope = doc.get("_postman_variable_scope")
    if scope == "globals":
        return "globals"
    if isinstance(doc.get("values"), list):
        return "environment"
    return None


def _is_variable(value: JSON) -> bool:
    return isinstance(value, dict) and isinstance(value.get("key"), str) and "value" in value


def _is_collection(doc: dict[str, JSON]) -> bool:
    info = doc.get("info")
    schema = info.get("schema") if isinstance(info, dict) else None
    if isinstance(schema, str) and any(host in schema for host in _SCHEMA_HOSTS):
        return "/v1" not in schema
    # Exports without `info.schema` (and Newman's own fixtures without `info`) by shape.
    return isinstance(doc.get("item"), list) and not isinstance(doc.get("values"), list)
