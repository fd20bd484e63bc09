"""Fixtures for the report tests: the local server, the CLI in-process, headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest


def chromium_path() -> str:
    """Returns Debian's Chromium; skips without it, except under CI=true where it must be there."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "Chromium is not installed (apt-get install chromium); .ci/run installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Returns a headless Chromium driven by Playwright (Debian's binary, no download).

    Module-scoped: Playwright's sync API runs an asyncio loop while it is open, and other
    code (mini-racer's timeouts) refuses to work inside a running loop.
    """
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=executable,
            headless=True,
            # This machine has no network: keep Chromium from trying to reach Google's hosts.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield launched
        finally:
            launched.close()
