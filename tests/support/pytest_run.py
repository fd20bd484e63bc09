"""Runs pytest in a subprocess on a folder, as a user would, with runner's plugin loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_pytest(folder: Path, env: Mapping[str, str] | None = None) -> str:
    """Returns pytest's whole output (-v) for the collection files in `folder`."""
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-c", "/dev/null", "-p", "no:cacheprovider"),
            # The plugin collects only collection files it is asked for (issue 13).
            *("-o", "runner_collections=*.collection.json", "-v"),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return done.stdout + done.stderr
