"""The README's "Use the emulator from your own code" snippets run as written, loopback only."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import Running

README = Path(__file__).resolve().parents[2] / "README.md"


def snippets() -> dict[str, str]:
    """Return the section's Python blocks by their first comment line."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use the emulator from your own code", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    return {block.splitlines()[0].lstrip("# ").strip(): block for block in blocks}


def _run(block: str, emulator: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMULATOR_URL", emulator.url)
    exec(compile(block, str(README), "exec"), {"__name__": "__readme__"})


def test_the_section_has_both_snippets() -> None:
    assert set(snippets()) == {"azure-identity + azure-mgmt-resource", "msgraph-sdk"}


def test_arm_snippet(
    sdk_env: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(snippets()["azure-identity + azure-mgmt-resource"], sdk_env, monkeypatch)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("['NetworkWatcherRG', 'rg-data-prod'") and printed[1] == "True"


# In a process of its own: the snippet, kept short, leaves the SDK's HTTP client to the
# garbage collector, whose warnings must not land in this test session. The same loopback
# guard is installed there first.
_GUARDED = """
import ipaddress, socket, sys
_connect = socket.socket.connect
def _guard(self, address):
    if isinstance(address, tuple) and not ipaddress.ip_address(address[0]).is_loopback:
        print("NON-LOOPBACK", address, file=sys.stderr)
        raise ConnectionRefusedError(address)
    return _connect(self, address)
socket.socket.connect = _guard
exec(compile(sys.stdin.read(), "README.md", "exec"), {"__name__": "__readme__"})
"""


def test_graph_snippet(sdk_env: Running) -> None:
    env = {**os.environ, "EMULATOR_URL": sdk_env.url, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-c", _GUARDED],
        input=snippets()["msgraph-sdk"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Adele Vance\n" and "NON-LOOPBACK" not in done.stderr


def test_the_loopback_guard_refuses_other_addresses(blocked_connects: list[Any]) -> None:
    # TEST-NET-1: refused by the guard before any packet leaves.
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match="test guard"):
        sock.connect(("192.0.2.1", 443))
    assert blocked_connects == [("192.0.2.1", 443)]
    blocked_connects.clear()
