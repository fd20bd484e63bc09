"""Reading the event scripts out of a parsed Postman collection (for tests that look at
what scripts a collection holds)."""

from __future__ import annotations

from typing import Any


def event_scripts(node: Any) -> list[tuple[str, str]]:
    """Returns (listen, source) of every non-empty prerequest/test script under `node`."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        script = node.get("script")
        if node.get("listen") in ("prerequest", "test") and isinstance(script, dict):
            exec_ = script.get("exec")
            text = "\n".join(exec_) if isinstance(exec_, list) else exec_
            if isinstance(text, str) and text.strip():
                found.append((node["listen"], text))
        for value in node.values():
            found += event_scripts(value)
    elif isinstance(node, list):
        for value in node:
            found += event_scripts(value)
    return found
