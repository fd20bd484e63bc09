"""Builders for script contexts and responses used by the script tests."""

from __future__ import annotations

import json
from typing import Any

from runner.scripts import ScriptContext

JSON_BODY = {"id": 7, "name": "alpha", "tags": ["a", "b"], "nested": {"deep": {"x": 1}}}


def response(
    code: int = 200,
    body: str | None = None,
    headers: list[list[str]] | None = None,
    status: str = "OK",
) -> dict[str, Any]:
    """Returns a response dict in the shape the run loop hands to test scripts."""
    text = json.dumps(JSON_BODY) if body is None else body
    hdrs = headers if headers is not None else [["Content-Type", "application/json; charset=utf-8"]]
    return {
        "code": code,
        "status": status,
        "headers": hdrs,
        "body": text,
        "responseTime": 42,
        "size": len(text),
    }


def make_ctx(event: str = "test", **overrides: Any) -> ScriptContext:
    """Returns a ScriptContext with plausible defaults, overridable per field."""
    fields: dict[str, Any] = {
        "event": event,
        "globals": {"g": "global", "shared": "from-globals"},
        "collection": {"c": "collection", "shared": "from-collection"},
        "environment": {"e": "env", "shared": "from-env"},
        "data": {},
        "locals": {},
        "request": {
            "name": "Get thing",
            "id": "req-1",
            "method": "GET",
            "url": "https://api.example.test/things/7?expand=all",
            "headers": [["Accept", "application/json"]],
            "body": None,
        },
        "response": response() if event == "test" else None,
        "info": {
            "requestName": "Get thing",
            "requestId": "req-1",
            "iteration": 0,
            "iterationCount": 1,
            "eventName": event,
        },
        "script_name": f"Folder › Get thing ({event})",
    }
    fields.update(overrides)
    return ScriptContext(**fields)


def request_with(
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    headers: list[list[str]] | None = None,
) -> dict[str, Any]:
    """Returns a request dict (the run loop's shape) named "r" with the given parts."""
    return {
        "name": "r",
        "id": "1",
        "method": method,
        "url": url,
        "headers": headers or [],
        "body": body,
    }
