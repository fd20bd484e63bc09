"""Words users read: a count with its noun in the right number (a leaf: imports nothing)."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """Returns "1 request" or "2 requests" (`plural`, when given, is the noun's plural)."""
    if number == 1:
        return f"1 {noun}"
    return f"{number} {plural if plural is not None else noun + 's'}"


__all__ = ["counted"]
