"""429 on demand: config rules by path prefix, and the ``x-emulator-throttle`` header.

The header value is ``N`` or ``N:label``: the first N requests carrying exactly that value
get 429 with ``Retry-After: 1``; later ones pass. Each distinct value has its own counter,
so tests pick a fresh label to start again.
"""

from __future__ import annotations

import threading
from collections import Counter

from runner.emulator.config import ThrottleRule

HEADER = "x-emulator-throttle"


class Throttle:
    """Decides which requests get 429 and for how many seconds."""

    def __init__(self, rules: tuple[ThrottleRule, ...]) -> None:
        self._rules = rules
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()

    def reset(self) -> None:
        """Forget every counter."""
        with self._lock:
            self._seen.clear()

    def retry_after(self, path: str, header: str | None) -> int | None:
        """Return the Retry-After seconds when this request is throttled, else None."""
        if header is not None:
            limit = _limit(header)
            if limit is not None and self._count("header:" + header) <= limit:
                return 1
        for index, rule in enumerate(self._rules):
            matches = path.lower().startswith(rule.path_prefix.lower())
            if matches and self._count(f"rule:{index}") <= rule.count:
                return rule.retry_after
        return None

    def _count(self, key: str) -> int:
        with self._lock:
            self._seen[key] += 1
            return self._seen[key]


def _limit(value: str) -> int | None:
    number = value.split(":", 1)[0].strip()
    return int(number) if number.isdigit() else None
