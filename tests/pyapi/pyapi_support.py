"""Paths and sample secrets shared by the Python API, plugin and export tests."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / "collections"
EMULATOR_ENV = REPO / "environments" / "emulator.json"
SECRET = "emulator-secret-valid-NOT-REAL"
PASSWORD = "emulator-password-NOT-REAL"
