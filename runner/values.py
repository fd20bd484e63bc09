"""Value types every layer shares (a leaf: imports nothing of runner)."""

from __future__ import annotations

from typing import Any, TypeAlias

JSON: TypeAlias = Any
"""Any value JSON can hold: dict, list, str, int, float, bool or None.

Variables, expected values, captures and script payloads are JSON: the one place runner
allows `Any`, named so that every other `Any` stands out.
"""
