"""Value types every layer shares (a leaf: imports nothing of runner)."""

from __future__ import annotations

from typing import Any, TypeAlias

JSON: TypeAlias = Any
"""Any value JSON can hold: dict, list, str, int, float, bool or None.

Variables, expected values, captures and script payloads are JSON. Every other `Any` in
runner is an object of an untyped library (mini-racer, jsonpath-ng, jsonschema-rs, mohawk)
or arguments passed through to one, so each one stands out.
"""
