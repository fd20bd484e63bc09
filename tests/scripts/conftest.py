"""Shared fixtures: one script engine per test session and a `run` helper."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from script_helpers import make_ctx

from runner.scripts import ScriptContext, ScriptEngine, ScriptOutcome


@pytest.fixture(scope="session")
def engine() -> Iterator[ScriptEngine]:
    """One engine (one V8 context) for the whole session, as in a run."""
    with ScriptEngine(timeout_ms=2000) as eng:
        yield eng


@pytest.fixture
def run(engine: ScriptEngine) -> Any:
    """Returns a helper running a source with a fresh context: (outcome, ctx)."""

    def _run(
        source: str, event: str = "test", **overrides: Any
    ) -> tuple[ScriptOutcome, ScriptContext]:
        ctx = make_ctx(event, **overrides)
        return engine.run(source, ctx), ctx

    return _run
