"""Run Postman-style `prerequest` and `test` scripts in embedded V8 with a `pm` API.

engine = ScriptEngine(module_paths=[collection_dir])
outcome = engine.run(source, ScriptContext(...))
"""

from __future__ import annotations

from runner.scripts.context import (
    UNSET,
    ScriptContext,
    ScriptError,
    ScriptOutcome,
    TestResult,
)
from runner.scripts.engine import ScriptEngine

__all__ = ["UNSET", "ScriptContext", "ScriptEngine", "ScriptError", "ScriptOutcome", "TestResult"]
