"""The README's "From Python and pytest" examples, run as written against the emulator
(only its address changes)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from pyapi_support import PASSWORD, REPO, SECRET

from runner.emulator import Emulator

README_URL = "http://127.0.0.1:8400"


def _section() -> str:
    text = (REPO / "README.md").read_text("utf-8")
    start = text.index("## From Python and pytest")
    return text[start : text.index("\n## ", start + 1)]


def _blocks(kind: str, emulator: Emulator) -> list[str]:
    found = re.findall(rf"```{kind}\n(.*?)```", _section(), re.S)
    return [block.replace(README_URL, emulator.url) for block in found]


def _bundled(folder: Path) -> None:
    for name in ("collections", "environments"):
        (folder / name).symlink_to(REPO / name)


def test_the_python_example_runs(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _bundled(tmp_path)
    monkeypatch.chdir(tmp_path)
    example = _blocks("python", emulator)[0]
    exec(compile(example, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.startswith("200 ")
    assert "undefined variable" in printed
    assert (tmp_path / "out" / "junit.xml").is_file()
    assert emulator.stats.token_requests_total == 1


def test_the_pytest_examples_run(pytester: pytest.Pytester, emulator: Emulator) -> None:
    _bundled(pytester.path)
    command = _blocks("sh", emulator)[0]
    args = shlex.split(command.replace("\\\n", " "))
    assert args[0] == "pytest"
    done = pytester.runpytest(*args[1:], "-p", "no:cacheprovider", "-v")
    done.assert_outcomes(passed=3)
    done.stdout.fnmatch_lines(["*graph-users.json::List users PASSED*"])

    (ini,) = _blocks("ini", emulator)
    (pytester.path / "pytest.ini").write_text(ini, encoding="utf-8")
    api = pytester.path / "tests" / "api"
    api.mkdir(parents=True)
    (api / "users.json").write_text(
        (REPO / "collections" / "graph-users.json").read_text("utf-8"), encoding="utf-8"
    )
    test_module = _blocks("python", emulator)[1]
    pytester.makepyfile(test_readme=test_module)
    # The ini file's collection needs emulatorUrl too: the test module's fixture is its own.
    done = pytester.runpytest("-p", "no:cacheprovider", f"--runner-var=emulatorUrl={emulator.url}")
    done.assert_outcomes(passed=4)


def test_the_export_example_runs(emulator: Emulator, tmp_path: Path) -> None:
    from runner.cli import main

    _bundled(tmp_path)
    export, run = _blocks("sh", emulator)[1].strip().splitlines()
    args = shlex.split(export)
    assert args[:3] == ["runner", "export", "pytest"]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(args[1:]) == 0
    finally:
        os.chdir(cwd)
    words = shlex.split(run.replace("…", "{}"))
    given = dict(w.split("=", 1) for w in words if "=" in w)
    given.update(clientSecret=SECRET, userPassword=PASSWORD)
    command = [w for w in words if "=" not in w]
    assert command[0] == "pytest"
    done = subprocess.run(
        [sys.executable, "-m", *command, "-p", "no:cacheprovider", "-c", os.devnull],
        cwd=tmp_path,
        env={**os.environ, **given},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
