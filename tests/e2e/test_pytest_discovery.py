"""End-to-end (integration): with `runner_collections` set, pytest finds those collection
files and runs each request (only then: see tests/pyapi/test_pytest_plugin.py).

The `--runner-collection` option is tested in tests/token/test_token_bundled.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from support.pytest_run import run_pytest

from runner.emulator import Emulator


def _write(folder: Path, emulator: Emulator, secret: str) -> Path:
    auth = {
        "type": "oauth2",
        "tokenUrl": "<<base>>/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "clientId": "11111111-2222-3333-4444-555555555555",
        "clientSecret": secret,
        "scope": "https://graph.microsoft.com/.default",
    }
    doc = {
        "name": "discovered",
        "variables": {"base": emulator.url},
        "auth": auth,
        "items": [
            {"name": "users", "url": "<<base>>/v1.0/users", "assert": {"status": 200}},
            {
                "name": "Folder",
                "items": [{"name": "me", "url": "<<base>>/v1.0/users", "assert": {"status": 201}}],
            },
        ],
    }
    path = folder / "smoke.collection.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_pytest_collects_collection_files_as_one_test_per_request(tmp_path: Path) -> None:
    with Emulator() as emulator:
        _write(tmp_path, emulator, "emulator-secret-valid-NOT-REAL")
        out = run_pytest(tmp_path)
    assert "smoke.collection.json::users PASSED" in out, out
    assert "smoke.collection.json::Folder/me FAILED" in out, out
    assert "status: expected equals 201, got 200" in out
    assert "1 failed, 1 passed" in out
    assert "emulator-secret-valid-NOT-REAL" not in out
