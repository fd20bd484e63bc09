"""pytest plugin: turns runner collections into pytest tests (filled in later)."""

from __future__ import annotations
