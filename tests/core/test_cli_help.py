"""Issue 12 point 3: `runner` builds only the chosen command's parser; the help stays the same."""

from __future__ import annotations

import argparse

import pytest

from runner.cli import main
from runner.cli.main import EVERY, build_parser


def _commands() -> list[list[str]]:
    """Returns every command line that names a (sub)command, from the fully built parser."""
    found: list[list[str]] = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found.append([*prefix, name])
                    walk(sub, [*prefix, name])

    walk(build_parser(EVERY), [])
    return found


def _output(call, capsys: pytest.CaptureFixture[str]) -> tuple[object, str, str]:
    """Returns (exit code or result, stdout, stderr) of `call()`."""
    try:
        code: object = call()
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:  # the full parser raises the usage error main() prints
        code = str(exc)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_command_is_found():
    names = {" ".join(c) for c in _commands()}
    assert {"run", "validate", "load", "import", "sandbox install", "sandbox list"} <= names


@pytest.mark.parametrize("command", [[], *_commands()], ids=lambda c: " ".join(c) or "runner")
def test_help_is_the_full_parsers_help(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    argv = [*command, "--help"]
    expected = _output(lambda: build_parser(EVERY).parse_args(argv), capsys)
    code, out, _ = _output(lambda: main(argv), capsys)
    assert (code, out) == expected[:2]
    assert out.startswith("usage: runner")


def test_help_before_the_command_is_the_top_level_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    expected = _output(lambda: build_parser(EVERY).parse_args(["--help"]), capsys)
    assert _output(lambda: main(["--help", "run"]), capsys)[:2] == expected[:2]
    for name in ("run", "validate", "sandbox", "emulator"):
        assert name in expected[1]


def test_an_unknown_command_lists_every_command(capsys):
    assert main(["bogus"]) == 2
    err = capsys.readouterr().err
    for name in ("'run'", "'validate'", "'load'", "'sandbox'", "'schema'"):
        assert name in err
    assert "invalid choice: 'bogus'" in err


def test_only_the_chosen_command_is_built():
    parser = build_parser("validate")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == ["validate"]
    args = parser.parse_args(["validate", "c.json", "-e", "env.json"])
    assert (args.collection, args.environment) == (["c.json"], "env.json")  # validate takes several
