"""Fixtures for the Postman tests: the local echo servers and the catch-all proxy, once per
session; the corpus differential's agreement, printed at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import agreement
import pytest
from support.catchall_proxy import CatchAllProxy, start_catchall_proxy
from support.echo_server import EchoServers, start_echo_server


@pytest.fixture(scope="session")
def echo() -> Iterator[EchoServers]:
    """The postman-echo stand-in and Newman's harness servers, for the whole session."""
    servers = start_echo_server(delay_scale=0.05)
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
def catchall() -> Iterator[CatchAllProxy]:
    """The proxy that answers for every host (support.catchall_proxy), for the session."""
    proxy = start_catchall_proxy()
    yield proxy
    proxy.stop()


_WRITTEN: list[Path] = []


@pytest.fixture(scope="session")
def agreement_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The file the corpus differential's agreement is written to when the session ends."""
    path = tmp_path_factory.getbasetemp() / "corpus-agreement.txt"
    yield path
    path.write_text("\n".join(agreement.summary()) + "\n", encoding="utf-8")
    _WRITTEN.append(path)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Prints how far runner agrees with Newman on the shared corpus (when it was compared)."""
    lines = agreement.summary()
    if not lines:
        return
    terminalreporter.write_sep("=", "runner vs Newman on the shared corpus")
    for line in lines:
        terminalreporter.write_line(line)
    for path in _WRITTEN:
        terminalreporter.write_line(f"(written to {path})")
