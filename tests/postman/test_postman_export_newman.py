"""--export-environment / --export-globals of a Postman run, judged by Newman 6.2.2: the
variables a Postman file holds disabled are written back, not dropped.

Both tools run the same collection, environment and globals against one local server and
export; the files must hold the same variables with the same values. One difference is
deliberate (README, "Differences from Newman"): Newman 6.2.2 ignores `enabled: false` (it
uses such a variable and writes it back without the flag); runner leaves it unused, as the
Postman app does, and writes it back with the flag, so the next run reads it the same way.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

from newman_tools import install_error, node_modules
from postman_helpers import V21
from support.external import missing
from support.local_server import LocalServer

from runner.cli import main

SECRET = "paused-s3cret-value"
ENVIRONMENT = [
    {"key": "on", "value": "a", "enabled": True},
    {"key": "paused", "value": "p", "enabled": False},
    {"key": "pausedToken", "value": SECRET, "type": "secret", "enabled": False},
    {"key": "v21Off", "value": "d", "disabled": True},
    {"key": "resumed", "value": "old", "enabled": False},  # the script sets it
]
GLOBALS = [{"key": "gOff", "value": "z", "enabled": False}, {"key": "gOn", "value": "y"}]
SCRIPT = ["pm.environment.set('resumed', 'new');", "pm.environment.set('fromScript', 1);"]


def _files(folder: Path, url: str) -> list[str]:
    """Writes the collection, environment and globals; returns the arguments naming them."""
    item = {
        "name": "set",
        "event": [{"listen": "test", "script": {"exec": SCRIPT}}],
        "request": {"method": "GET", "url": url},
    }
    documents = {
        "c.json": {"info": {"name": "export", "schema": V21}, "item": [item]},
        "env.json": {"name": "pm env", "values": ENVIRONMENT},
        "globals.json": {"name": "g", "values": GLOBALS},
    }
    for name, document in documents.items():
        (folder / name).write_text(json.dumps(document), encoding="utf-8")
    return ["run", "c.json", "-e", "env.json", "-g", "globals.json"]


# What both tools export of the files and the script, by name: (value, disabled: true).
WRITTEN_ENVIRONMENT: dict[str, tuple[object, bool]] = {
    "fromScript": (1, False),
    "on": ("a", False),
    "paused": ("p", False),
    "pausedToken": (SECRET, False),
    "resumed": ("new", False),
    "v21Off": ("d", True),
}
WRITTEN_GLOBALS: dict[str, tuple[object, bool]] = {"gOff": ("z", False), "gOn": ("y", False)}


def _written(
    environment: dict[str, tuple[object, bool]], globals_: dict[str, tuple[object, bool]]
) -> dict[str, list[tuple[str, object, bool]]]:
    """Returns the exported files' variables as `_exported` gives them."""
    return {
        "environment": sorted((key, *entry) for key, entry in environment.items()),
        "globals": sorted((key, *entry) for key, entry in globals_.items()),
    }


def _exported(folder: Path) -> dict[str, list[tuple[str, object, bool]]]:
    """Returns each exported file's variables: (key, value, disabled: true), sorted."""
    found = {}
    for scope in ("environment", "globals"):
        values = json.loads((folder / f"{scope}.out.json").read_text("utf-8"))["values"]
        found[scope] = sorted((v["key"], v["value"], v.get("disabled") is True) for v in values)
    return found


def _export_both(folder: Path, url: str, *flags: str) -> tuple[Path, Path]:
    """Runs the files through Newman and runner with the same `flags`, both exporting the
    environment and the globals; returns the folders (Newman's, runner's) holding the files."""
    modules, node = node_modules(), shutil.which("node")
    if modules is None or node is None:
        missing("Newman (npm newman@6)", f"is not available: {install_error()}")
    assert modules is not None and node is not None
    exports = ["--export-environment", "environment.out.json"]
    exports += ["--export-globals", "globals.out.json"]
    theirs, ours = folder / "newman", folder / "runner"
    theirs.mkdir(), ours.mkdir()
    args = [*_files(theirs, url), *flags]
    newman = [node, str(modules / "newman" / "bin" / "newman.js"), *args, *exports]
    done = subprocess.run(newman, cwd=theirs, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    _files(ours, url)
    out, err = io.StringIO(), io.StringIO()
    paths = [str(ours / a) if a.endswith(".json") else a for a in [*args, *exports]]
    assert main(paths, stdout=out, stderr=err) == 0, out.getvalue() + err.getvalue()
    assert SECRET not in out.getvalue() + err.getvalue()
    return theirs, ours


def test_disabled_variables_are_exported_as_newman_does(
    tmp_path: Path, server: LocalServer
) -> None:
    theirs, ours = _export_both(tmp_path, f"{server.url}/json")
    expected = _written(WRITTEN_ENVIRONMENT, WRITTEN_GLOBALS)
    assert _exported(theirs) == expected
    assert _exported(ours) == expected
    # The deliberate difference: runner keeps the flag it honours.
    written = json.loads((ours / "environment.out.json").read_text("utf-8"))["values"]
    assert [v["key"] for v in written if v.get("enabled") is False] == ["paused", "pausedToken"]


def test_env_var_and_global_var_are_exported_as_newman_does(
    tmp_path: Path, server: LocalServer
) -> None:
    # The same command line for both tools: Newman's --env-var / --global-var are runner's
    # too, and each tool writes them into the file of their scope, over the file's value.
    flags = ["--env-var", "on=cli", "--env-var", "extra=x"]
    flags += ["--global-var", "gOn=cli", "--global-var", "gExtra=g"]
    theirs, ours = _export_both(tmp_path, f"{server.url}/json", *flags)
    expected = _written(
        WRITTEN_ENVIRONMENT | {"on": ("cli", False), "extra": ("x", False)},
        WRITTEN_GLOBALS | {"gOn": ("cli", False), "gExtra": ("g", False)},
    )
    assert _exported(theirs) == expected
    assert _exported(ours) == expected
