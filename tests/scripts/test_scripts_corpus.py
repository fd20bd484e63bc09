"""Every script of Newman's integration suites (shared corpus) goes through the engine
with an echo-like response: none may raise in Python or fail to compile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from script_helpers import make_ctx, response

from runner.scripts import ScriptEngine, ScriptOutcome

SUITES = Path("/work/shared/corpus/postman/newman-integration")
ECHO = {
    "args": {"source": "newman-sample-github-collection"},
    "headers": {"host": "postman-echo.com", "content-type": "application/json"},
    "url": "https://postman-echo.com/get",
    "form": {},
    "data": "",
    "cookies": {},
    "json": None,
}


def _scripts(node: Any) -> list[tuple[str, str]]:
    """Returns (listen, source) of every event script under a parsed collection."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        script = node.get("script")
        if node.get("listen") in ("prerequest", "test") and isinstance(script, dict):
            exec_ = script.get("exec")
            text = "\n".join(exec_) if isinstance(exec_, list) else exec_
            if isinstance(text, str) and text.strip():
                found.append((node["listen"], text))
        for value in node.values():
            found += _scripts(value)
    elif isinstance(node, list):
        for value in node:
            found += _scripts(value)
    return found


def _corpus() -> list[tuple[str, str]]:
    scripts: list[tuple[str, str]] = []
    for path in sorted(SUITES.rglob("*.postman_collection.json")):
        scripts += _scripts(json.loads(path.read_text(encoding="utf-8-sig")))
    return scripts


@pytest.mark.skipif(not SUITES.is_dir(), reason="shared corpus not available")
def test_every_newman_integration_script_runs_as_data() -> None:
    scripts = _corpus()
    assert len(scripts) > 100
    echo = response(body=json.dumps(ECHO))

    def sender(_request: Any) -> dict[str, Any]:
        return {"error": None, "response": echo}

    outcomes: list[ScriptOutcome] = []
    with ScriptEngine(timeout_ms=1000) as engine:
        for listen, source in scripts:
            ctx = make_ctx(listen, send_request=sender, response=echo if listen == "test" else None)
            outcomes.append(engine.run(source, ctx))
    compile_errors = [o.error for o in outcomes if o.error and o.error.name == "SyntaxError"]
    assert compile_errors == []
    assert sum(len(o.tests) for o in outcomes) > 150
    assert all(o.error is None or o.error.message for o in outcomes)
