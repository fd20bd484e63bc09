"""Fixtures for the Postman tests: the local echo servers, once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.echo_server import EchoServers, start_echo_server


@pytest.fixture(scope="session")
def echo() -> Iterator[EchoServers]:
    """The postman-echo stand-in and Newman's harness servers, for the whole session."""
    servers = start_echo_server(delay_scale=0.05)
    yield servers
    servers.stop()
