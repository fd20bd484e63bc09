"""The external differential: material outside the repository, found relative to it.

The shared Postman corpus (`../shared/corpus/postman`), the seeds (`../shared/seeds`) and
Newman (installed from npm) add a differential against real third-party collections and
Newman itself. The suite's own coverage never depends on them: the tests that use them are
marked `external`, skip with a reason saying so when the material is missing, and fail
instead under `CI=true` (CI must run the differential).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
"""The project root (the folder holding pyproject.toml)."""

# RUNNER_SHARED points elsewhere (a git worktree's ../shared is not the main checkout's;
# pointing it at a missing folder shows what a fresh clone without ../shared runs).
SHARED = Path(os.environ.get("RUNNER_SHARED") or ROOT.parent / "shared")
CORPUS = SHARED / "corpus" / "postman"
CORPUS_MORE = SHARED / "corpus" / "postman-more"  # more Newman suites and collections
CORPUS_WILD = SHARED / "corpus" / "postman-wild"  # real-world suites, listed in suites.json
SEEDS = SHARED / "seeds"

# Read once at import: the autouse fixture in tests/conftest.py clears CI while a test runs.
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1")

LABEL = "external differential"


def missing(what: str, why: str) -> NoReturn:
    """Skips the running test with a reason naming the external `what`; under CI, fails it."""
    reason = f"{LABEL}: {what} {why}"
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the external differential must run)", pytrace=False)
    pytest.skip(reason)


def require(path: Path) -> Path:
    """Returns `path` when it exists; otherwise skips (or, under CI, fails) the running test."""
    if not path.exists():
        missing(
            str(path),
            "not found (the shared folder is ../shared beside the project, or $RUNNER_SHARED)",
        )
    return path


def require_tool(name: str, why: str) -> str:
    """Returns the path of the program `name` (an outside judge such as curl); skips the
    running test when it is not installed, and fails it under CI=true (.ci/run installs it)."""
    import shutil

    found = shutil.which(name)
    if found is None:
        reason = f"{name} is not installed (apt-get install {name}): {why}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: it must run)", pytrace=False)
        pytest.skip(reason)
    return found
