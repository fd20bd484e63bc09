"""Several collections in one run share the token cache: one token request per credential,
also when they run side by side (--jobs), counted by the emulator."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from token_e2e import collection, emulator_env, resource_groups, v1_auth

from runner.cli import main
from runner.emulator import Emulator


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_collections_of_one_credential_ask_for_one_token(
    emulator: Emulator, tmp_path: Path, jobs: str
) -> None:
    files = []
    for n in range(3):
        doc = collection(v1_auth(), resource_groups(), resource_groups("again"), name=f"c{n}")
        path = tmp_path / f"c{n}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        files.append(str(path))
    out, err = io.StringIO(), io.StringIO()
    code = main(["run", *files, *emulator_env(emulator), "--jobs", jobs], stdout=out, stderr=err)
    assert code == 0, out.getvalue() + err.getvalue()
    assert emulator.stats.token_requests_total == 1
    assert emulator.stats.api_requests == 6
    assert "TOTAL PASSED: 3 collections, 3 passed, 6 requests" in out.getvalue()
