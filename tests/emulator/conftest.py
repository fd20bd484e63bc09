"""Fixtures: the shared default emulator and an HTTP session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from runner.emulator import Emulator


@pytest.fixture(scope="package")
def emulator() -> Iterator[Emulator]:
    """Return the default emulator, shared by the whole folder."""
    with Emulator() as running:
        yield running


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """Return a session closed after the test."""
    with requests.Session() as session:
        yield session
