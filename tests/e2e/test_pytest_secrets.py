"""Issue 10 point 1, the pytest plugin: a failure shown by pytest masks the run's secrets
(every form of them) as the reports do."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from support.local_server import serve
from support.pytest_run import run_pytest

SECRET = "plugin+secret/value=1 x"


def test_pytest_failures_mask_secrets(tmp_path: Path) -> None:
    with serve() as server:
        doc = {
            "name": "leaky",
            "items": [
                {
                    "name": "echo",
                    "url": f"{server.url}/echo",
                    "query": {"k": "<<$env.PLUGIN_API_SECRET>>"},
                    "assert": {"jsonpath": {"$.query.k[0]": "other"}, "status": 500},
                    # A script's failure message is written by chai, not by runner.
                    "scripts": {
                        "test": "pm.test('echoed', () => "
                        "pm.expect(pm.response.json().query.k[0]).to.eql('other'));"
                    },
                },
                {"name": "refused", "url": "http://127.0.0.1:9/?k=<<$env.PLUGIN_API_SECRET>>"},
            ],
        }
        (tmp_path / "leaky.collection.json").write_text(json.dumps(doc), encoding="utf-8")
        out = run_pytest(tmp_path, {"PLUGIN_API_SECRET": SECRET})
        assert server.log and server.log[0].query == {"k": [SECRET]}
    assert "leaky.collection.json::echo FAILED" in out, out
    assert "got '***'" in out
    assert "expected '***' to deeply equal 'other'" in out
    for form in (SECRET, quote(SECRET, safe=""), repr(SECRET)[1:-1]):
        assert form not in out
