"""Shared fixtures for every test folder: a clean process environment and a scratch cwd.

Proxy, TLS-bundle, colour and Azure credential variables of the developer's shell must not
change what a test sees, and a stray `.env` in the repository must not be loaded.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.external import CORPUS, require
from support.junit_xsd import check_junit_files
from support.local_server import LocalServer, serve
from support.report_schema import check_report_files

# The npm libraries of Postman's sandbox, fetched from the registry on first need (or by
# `runner sandbox install`, as .ci/run does) and shared by every test run (git-ignored).
SANDBOX_CACHE = Path(__file__).resolve().parents[1] / "benchmarks" / ".cache" / "sandbox"

# pytester runs pytest on generated projects (the runner pytest plugin's tests).
pytest_plugins = ["pytester"]


def pytest_configure(config: pytest.Config) -> None:
    """Registers the `external` marker; keeps hypothesis' database out of the repository."""
    config.addinivalue_line(
        "markers",
        "external: the external differential (../shared corpus, Newman); skipped with a reason "
        "when missing, failed under CI=true",
    )
    try:
        from hypothesis.configuration import set_hypothesis_home_dir
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        return
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "runner-tests-hypothesis")


# The plain-HTTP test server most folders use (tests/support/local_server.py), one per session.
@pytest.fixture(scope="session")
def _server() -> Iterator[LocalServer]:
    with serve() as running:
        yield running


@pytest.fixture
def server(_server: LocalServer) -> LocalServer:
    """Returns the shared plain-HTTP server with an empty request log."""
    _server.clear()
    return _server


_CLEARED_PREFIXES = ("AZURE_", "ACTIONS_ID_TOKEN_REQUEST_")
_CLEARED = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
    "NO_COLOR",
    "FORCE_COLOR",
    "CI",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "MSI_ENDPOINT",
)


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for name in list(os.environ):
        if name in _CLEARED or (name.startswith(_CLEARED_PREFIXES)):
            monkeypatch.delenv(name, raising=False)
    # Managed identity must never probe the real metadata address (169.254.169.254) from a
    # test: point it at a closed loopback port, where it is refused at once.
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9")
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.setenv(
        "RUNNER_SANDBOX_CACHE", os.environ.get("RUNNER_SANDBOX_CACHE", str(SANDBOX_CACHE))
    )


@pytest.fixture(autouse=True)
def _reports_match_their_schemas(
    request: pytest.FixtureRequest, _clean_environment: None
) -> Iterator[None]:
    """Every JUnit file a test leaves in its tmp_path or working folder must validate against
    Jenkins' junit-10.xsd (issue 10 point 14), and every JSON report against the schema the
    package ships (point 16): a test that writes --junit or --json checks it for free."""
    folders = [Path.cwd()]
    if "tmp_path" in request.fixturenames:
        folders.append(request.getfixturevalue("tmp_path"))
    yield
    check_junit_files(*folders)
    check_report_files(*folders)  # JSON reports against runner/schemas/report.schema.json


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """Returns ../shared/corpus/postman; skips (under CI=true: fails) the external tests once
    for the session when it is missing. Fills the sandbox library cache first, as .ci/run's
    `runner sandbox install` does: the corpus runs inside `loopback_only()`, where a script
    needing a library not cached yet (lodash3 for Postman's `_`) could not fetch it, so the
    README's `pytest -rs` on a fresh clone failed."""
    corpus = require(CORPUS)
    from runner.scripts.libraries import LibraryStore

    LibraryStore(Path(os.environ.get("RUNNER_SANDBOX_CACHE", str(SANDBOX_CACHE)))).install()
    return corpus
