"""Fixtures for the core tests: a local server, the CLI in-process, collection files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.fault_server import FaultServer, serve_faults
from support.local_server import LocalServer, serve


@dataclass
class CliResult:
    """What `runner.cli.main` returned and printed."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture(scope="session")
def _faults() -> Iterator[FaultServer]:
    with serve_faults() as running:
        yield running


@pytest.fixture
def faults(_faults: FaultServer) -> FaultServer:
    """Returns the shared fault server (trickling bodies, Retry-After…) with an empty log."""
    _faults.clear()
    return _faults


@pytest.fixture(scope="session")
def ca() -> Any:
    """Returns a test CA (trustme) that signs the HTTPS server's certificate."""
    import trustme

    return trustme.CA()


@pytest.fixture(scope="session")
def https_server(ca: Any) -> Iterator[LocalServer]:
    """Returns an HTTPS server whose certificate is for 127.0.0.1, localhost and
    api.example.invalid, signed by `ca`."""
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost", "api.example.invalid").configure_cert(context)
    with serve(context) as running:
        yield running


@pytest.fixture(autouse=True)
def _restore_environ() -> Iterator[None]:
    # python-dotenv writes into os.environ directly; undo whatever a test loaded.
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def run_cli(*args: str | Path) -> CliResult:
    """Runs the command line in-process and returns its exit status and output."""
    from runner.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return CliResult(code, out.getvalue(), err.getvalue())


def help_text(*command: str) -> str:
    """Returns what `runner COMMAND --help` prints, whitespace collapsed (argparse wraps it
    to the terminal, and prints help itself, so it runs in a process of its own)."""
    done = subprocess.run(
        [sys.executable, "-m", "runner", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return " ".join(done.stdout.split())


@pytest.fixture
def cli() -> Any:
    """Returns `run_cli`."""
    return run_cli


def write_json(path: Path, value: Any) -> Path:
    """Writes `value` as JSON to `path` and returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path


def emulator_auth(emulator_url: str) -> dict[str, Any]:
    """Returns an oauth2 client-credentials auth block for the built-in emulator's main app."""
    return {
        "type": "oauth2",
        "grantType": "client_credentials",
        "tokenUrl": f"{emulator_url}/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "clientId": "11111111-2222-3333-4444-555555555555",
        "clientSecret": "emulator-secret-valid-NOT-REAL",
        "scope": "https://graph.microsoft.com/.default",
    }


def collection(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Returns a native collection document with `items`."""
    return {"name": extra.pop("name", "tests"), "items": list(items), **extra}


@pytest.fixture
def coll(tmp_path: Path) -> Any:
    """Returns a function writing a collection with the given items to tmp_path."""

    def make(*items: dict[str, Any], file: str = "c.json", **extra: Any) -> Path:
        return write_json(tmp_path / file, collection(*items, **extra))

    return make
