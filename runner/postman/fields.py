"""Small readers for the loosely typed fields Postman exports contain."""

from __future__ import annotations

from runner.resolve.variables import to_text
from runner.values import JSON


def is_enabled(entry: JSON) -> bool:
    """Returns False for a `disabled: true` (v2.1) or `enabled: false` (v2.0) entry."""
    if not isinstance(entry, dict):
        return False
    return entry.get("disabled") is not True and entry.get("enabled") is not False


def text(value: JSON) -> str:
    """Returns `value` as text the way Postman shows it (None → "")."""
    if value is None:
        return ""
    return to_text(value)


def description(value: JSON) -> str:
    """Returns a description given as a string or as `{"content": ...}`."""
    if isinstance(value, dict):
        return text(value.get("content"))
    return text(value) if isinstance(value, str) else ""


def entries(value: JSON) -> list[tuple[int, dict[str, JSON]]]:
    """Returns the enabled dict entries of a list with their indexes (for JSON pointers).

    A lone object counts as a list of one, as the Postman SDK reads it.
    """
    if isinstance(value, dict):
        return [(0, value)] if is_enabled(value) else []
    if not isinstance(value, list):
        return []
    return [(i, e) for i, e in enumerate(value) if is_enabled(e)]


def key_of(entry: dict[str, JSON]) -> str:
    """Returns an entry's key (`key`, or v2.0's `id` for variables)."""
    key = entry.get("key")
    if key is None:
        key = entry.get("id")
    return text(key)


def variables(value: JSON) -> dict[str, JSON]:
    """Returns enabled variables of a `variable` list; a later duplicate key wins."""
    found: dict[str, JSON] = {}
    for _, entry in entries(value):
        key = key_of(entry)
        if key:
            found[key] = entry.get("value", "")
    return found
