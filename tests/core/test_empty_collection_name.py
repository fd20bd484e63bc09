"""An empty collection file name is invalid input (exit 2, one clear line), not a traceback."""

from __future__ import annotations

import pytest

from .conftest import run_cli


@pytest.mark.parametrize("command", ["run", "validate"])
def test_empty_collection_name_is_invalid_input(command):
    result = run_cli(command, "")
    assert result.code == 2, result.text
    assert "the collection file name is empty" in result.err
    assert "Traceback" not in result.text
