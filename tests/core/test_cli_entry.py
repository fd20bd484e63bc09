"""Issue 3 point 1/2: entry points, `runner validate`, exit statuses 0/1/2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_cli, write_json


def _python_m(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runner", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def test_python_m_runner_help_lists_every_command(tmp_path):
    done = _python_m("--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for command in ("run", "validate", "import", "token", "demo", "emulator"):
        assert command in done.stdout
    assert "exit status" in done.stdout


def test_run_help_lists_every_contract_option(tmp_path):
    done = _python_m("run", "--help", cwd=tmp_path)
    assert done.returncode == 0
    for option in (
        "-e",
        "-g",
        "--var",
        "--dotenv",
        "-d",
        "-n",
        "--parallel",
        "--folder",
        "--bail",
        "--junit",
        "--junit-layout",
        "--json",
        "--timeout-request",
        "--delay-request",
        "--retry",
        "--insecure",
        "--ca-bundle",
        "--connect-to",
        "--quiet",
        "--verbose",
    ):
        assert option in done.stdout, option


def test_console_script_is_installed(tmp_path):
    script = Path(sys.executable).with_name("runner")
    assert script.exists()
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("runner ")


def test_subprocess_run_exit_statuses(tmp_path, server, coll):
    ok = coll({"name": "ok", "url": f"{server.url}/json", "assert": {"status": 200}}, file="a.json")
    bad = coll(
        {"name": "no", "url": f"{server.url}/json", "assert": {"status": 404}}, file="b.json"
    )
    assert _python_m("run", str(ok), cwd=tmp_path).returncode == 0
    failed = _python_m("run", str(bad), cwd=tmp_path)
    assert failed.returncode == 1
    assert "expected equals 404, got 200" in failed.stdout
    invalid = _python_m("run", str(tmp_path / "missing.json"), cwd=tmp_path)
    assert invalid.returncode == 2
    assert "missing.json: file not found" in invalid.stderr
    assert "Traceback" not in invalid.stderr


def test_no_command_is_a_usage_error():
    result = run_cli()
    assert result.code == 2
    assert "usage" in result.out.lower()


def test_unknown_option_is_exit_2_with_hint():
    result = run_cli("run", "c.json", "--frobnicate")
    assert result.code == 2
    assert "unrecognized arguments: --frobnicate" in result.err
    assert "--help" in result.err


def test_validate_valid_collection_exits_0_and_sends_nothing(server, coll):
    path = coll(
        {"name": "one", "url": f"{server.url}/json"},
        {"name": "Folder", "items": [{"name": "two", "url": f"{server.url}/json"}]},
    )
    result = run_cli("validate", path)
    assert result.code == 0, result.err
    assert "valid: tests (2 requests)" in result.out
    assert server.log == []


def test_validate_reports_data_rows(tmp_path, server, coll):
    data = tmp_path / "rows.csv"
    data.write_text("user\nada\ngrace\n")
    path = coll({"name": "one", "url": f"{server.url}/<<user>>"})
    result = run_cli("validate", path, "-d", data)
    assert result.code == 0, result.err
    assert "2 data rows" in result.out


def test_validate_invalid_collection_exits_2(coll):
    path = coll({"name": "no url"})
    result = run_cli("validate", path)
    assert result.code == 2
    assert "missing required key 'url'" in result.err


def test_numeric_options_must_be_positive(server, coll):
    path = coll({"name": "one", "url": f"{server.url}/json"})
    for flag, value in (("-n", "0"), ("--parallel", "0"), ("--retry", "-1")):
        result = run_cli("run", path, flag, value)
        assert result.code == 2, flag
        assert "must be at least" in result.err
    assert server.log == []


MEANT = "did you mean --verbose=failures?"


@pytest.mark.parametrize(
    ("args", "said", "hint"),
    [
        (("--verbose", "failures"), "'--verbose failures': --verbose takes no value", MEANT),
        (("-v", "failures"), "'-v failures': -v takes no value", MEANT),
        (("--verbose=all",), "'--verbose=all': --verbose takes no value but =failures",
         "use --verbose or --verbose=failures"),
        (("--verbose=Failures",), "takes no value but =failures", MEANT),
        (("-v=failures",), "'-v=failures': -v takes no value", MEANT),
    ],
)  # fmt: skip
@pytest.mark.parametrize("before", [True, False])
def test_a_value_given_to_verbose_is_named_with_the_fix(server, coll, args, said, hint, before):
    # Before: "unrecognized arguments: failures" (hint: runner --help), "failures: file not
    # found", or argparse's "ignored explicit argument 'all'".
    path = coll({"name": "one", "url": f"{server.url}/json"})
    result = run_cli("run", *args, path) if before else run_cli("run", path, *args)
    assert result.code == 2
    assert said in result.err and f"hint: {hint}" in result.err, result.err
    assert "Traceback" not in result.err and server.paths() == []


def test_verbose_before_a_collection_named_failures_runs_it(server, tmp_path, monkeypatch):
    write_json(
        tmp_path / "failures",
        {"name": "f", "items": [{"name": "one", "url": f"{server.url}/json"}]},
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("run", "--verbose", "failures")
    assert result.code == 0, result.text
    assert server.paths() == ["/json"]
