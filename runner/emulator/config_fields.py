"""Typed access to JSON config objects with error messages that name the key."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from runner.values import JSON

_RELATIVE = re.compile(r"^([+-])(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
_ID_NAMESPACE = uuid.UUID("6f1b0d5e-7a4c-4e55-9c1a-000000000e01")


class Fields:
    """A JSON object at a path such as ``tenants[0].apps[1]``."""

    def __init__(self, data: JSON, path: str, family: list[Fields] | None = None) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"emulator config: {path or 'top level'} must be a JSON object")
        self.data: dict[str, JSON] = data
        self.path = path
        self.seen: set[str] = set()
        # Every object read from one file, so that keys nobody read can be reported.
        self.family = family if family is not None else []
        self.family.append(self)

    def reject_unknown(self) -> None:
        """Raise for the first key that no reader asked for (``_``/``$`` keys are comments)."""
        for fields in self.family:
            for key in fields.data:
                if key not in fields.seen and not key.startswith(("_", "$")):
                    raise ValueError(f"emulator config: unknown key '{fields.where(key)}'")

    def where(self, key: str) -> str:
        """Return the dotted path of ``key``."""
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, kind: type | tuple[type, ...], default: JSON) -> JSON:
        self.seen.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                raise ValueError(f"emulator config: missing key '{self.where(key)}'")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise ValueError(f"emulator config: '{self.where(key)}' has the wrong type")
        return value

    def text(self, key: str, default: JSON = None) -> JSON:
        """Return a string value (``default`` when absent; required when no default)."""
        value = self._get(key, str, _REQUIRED if default is None else default)
        if value == "" and default is None:
            raise ValueError(f"emulator config: '{self.where(key)}' must not be empty")
        return value

    def optional_text(self, key: str) -> str | None:
        """Return a string value or None."""
        value = self._get(key, str, None)
        return value if isinstance(value, str) else None

    def flag(self, key: str) -> bool:
        """Return a boolean, False when absent."""
        return bool(self._get(key, bool, False))

    def number(self, key: str, default: int, minimum: int = 0) -> int:
        """Return an integer of at least ``minimum``."""
        value = int(self._get(key, int, default))
        if value < minimum:
            raise ValueError(f"emulator config: '{self.where(key)}' must be >= {minimum}")
        return value

    def objects(self, key: str, required: bool = False) -> list[Fields]:
        """Return a list of objects, each with its own path."""
        items = self._get(key, list, _REQUIRED if required else [])
        return [
            Fields(item, f"{self.where(key)}[{i}]", self.family) for i, item in enumerate(items)
        ]

    def child(self, key: str) -> Fields | None:
        """Return a nested object, or None when absent."""
        value = self._get(key, dict, None)
        return None if value is None else Fields(value, self.where(key), self.family)

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """Return a list of strings."""
        items = self._get(key, list, list(default))
        if not all(isinstance(item, str) for item in items):
            raise ValueError(f"emulator config: '{self.where(key)}' must be a list of strings")
        return tuple(items)

    def string_map(self, key: str) -> dict[str, tuple[str, ...]]:
        """Return a mapping of names to lists of strings (e.g. scopes per resource)."""
        value = self.child(key)
        return {} if value is None else {name: value.strings(name) for name in value.data}

    def date(self, key: str, started: datetime, default: datetime) -> datetime:
        """Return an absolute UTC date from ISO 8601 or a relative ``+5d``-style value."""
        raw = self._get(key, str, None)
        if raw is None:
            return default
        match = _RELATIVE.match(raw)
        if match:
            sign = -1 if match.group(1) == "-" else 1
            delta = timedelta(**{_UNITS[match.group(3)]: int(match.group(2))})
            return started + sign * delta
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"emulator config: '{self.where(key)}' is not a date") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def object_id(self, key: str, seed: str) -> str:
        """Return the configured id, or one derived deterministically from ``seed``."""
        value = self.optional_text(key)
        return value or str(uuid.uuid5(_ID_NAMESPACE, seed))


_REQUIRED: Any = object()
