"""Fixtures: one emulator (default sample config) for the session, zeroed before each test,
with a recorder of every token it issues."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from token_e2e import Issued

from runner.emulator import Emulator


@pytest.fixture(scope="session")
def _shared() -> Iterator[tuple[Emulator, Issued]]:
    with Emulator() as running:
        yield running, Issued(running)


@pytest.fixture
def emulator(_shared: tuple[Emulator, Issued]) -> Emulator:
    """Returns the running emulator with its counters at zero."""
    running, issued = _shared
    running.reset()
    issued.access.clear()
    issued.refresh.clear()
    return running


@pytest.fixture
def issued(_shared: tuple[Emulator, Issued], emulator: Emulator) -> Issued:
    """Returns the recorder of the tokens the emulator issued during this test."""
    return _shared[1]
