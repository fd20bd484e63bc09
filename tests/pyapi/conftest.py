"""Fixtures for the Python API, pytest plugin and `runner export pytest` tests: one emulator
for the session (counters zeroed before each test) and the bundled files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner.emulator import Emulator


@pytest.fixture(scope="session")
def _emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture
def emulator(_emulator: Emulator) -> Emulator:
    """Returns the running emulator with its counters at zero."""
    _emulator.reset()
    return _emulator
