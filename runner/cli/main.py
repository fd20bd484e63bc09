"""The command line: parse arguments, call the pipeline, map the outcome to an exit status.

Every RunnerError is shown in one place, located and with a hint; `--traceback` re-raises.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from runner import __version__
from runner.errors import InputError, RunnerError
from runner.status import ExitStatus, Terminated

EPILOG = """\
examples:
  runner demo                                   run the bundled sample against the emulator
  runner run api.json -e dev.json --junit out/junit.xml
  runner run api.postman_collection.json -e dev.postman_environment.json
  runner run smoke.json -d users.csv --parallel 4 --bail
  runner run tests/ --jobs 4 --junit out.xml    every collection in tests/, 4 at a time
  runner validate api.json -e dev.json          check everything, send nothing
  runner import api.postman_collection.json -o api.json
  runner token auth.json -e prod.json           get a token and show its claims

exit status: 0 all passed, 1 an assertion failed or a request could not complete,
2 invalid input (nothing was sent), 130 interrupted by Ctrl-C, 143 by SIGTERM (reports
for what ran are still written).
"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are InputErrors (exit 2, one clear line)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message}", hint=f"see '{self.prog} --help'")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """Returns the parsed arguments; unknown ones are an InputError that names the
        options but not the values after them (a mistyped --cert-pasword is followed by a
        password)."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            from runner.suggest import did_you_mean

            known = _option_names(self)
            unknown = [t.partition("=")[0] for t in extras if t.startswith("-")]
            guess = did_you_mean(unknown[0], known) if unknown else None
            raise InputError(
                f"{self.prog}: unrecognized arguments: {_shown(extras)}",
                hint=f"did you mean {guess}?" if guess else f"see '{self.prog} --help'",
            )
        return parsed


def _shown(extras: Sequence[str]) -> str:
    """Returns the unknown arguments to show: options by name; a value given to one (after
    it or after `=`) as `…`, since it may be a secret."""
    shown: list[str] = []
    after_option = False
    for token in extras:
        if token.startswith("-") and token != "-":
            name, equals, _ = token.partition("=")
            shown.append(f"{name}=…" if equals else name)
            after_option = not equals
        else:
            shown.append("…" if after_option else token)
            after_option = False
    return " ".join(shown)


def _option_names(parser: argparse.ArgumentParser) -> list[str]:
    """Returns the long options of `parser` and of the subcommands it built."""
    names: list[str] = []
    for action in parser._actions:
        names += [o for o in action.option_strings if o.startswith("--")]
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names += _option_names(sub)
    return names


EVERY = "*"
"""`build_parser(EVERY)`: every subcommand with all its options."""


class _Ignored:
    """Takes any parser-building call and ignores it (the options of a command not run)."""

    def __getattr__(self, name: str) -> Callable[..., _Ignored]:
        return self._ignore

    def _ignore(self, *args: object, **kwargs: object) -> _Ignored:
        return self


if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[_Parser]
else:
    _SubParsers = argparse._SubParsersAction


class _Subcommands(_SubParsers):
    """Subparsers that build only the chosen command's options (start-up time).

    `chosen` names the command on the command line: only its parser is made. None (no
    command, `runner --help`, an unknown one): every command is listed by name and help
    line, all that the top-level help and the "invalid choice" error show. EVERY: all.
    """

    chosen: str | None = EVERY

    def add_parser(self, name: str, **kwargs: Any) -> _Parser:
        if self.chosen in (EVERY, name):
            return super().add_parser(name, **kwargs)
        if self.chosen is None:
            super().add_parser(name, help=kwargs.get("help"))
        return cast(_Parser, _Ignored())


def chosen_command(args: Sequence[str]) -> str | None:
    """Returns the subcommand named in `args`, None if none is or help comes first."""
    for arg in args:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg
    return None


def build_parser(command: str | None = EVERY) -> argparse.ArgumentParser:
    """Returns the argument parser: with `command`, only that subcommand's options are built
    (the others only named); EVERY (the default) builds them all."""
    parser = _Parser(
        prog="runner",
        description="Run collections of HTTP requests with assertions, Entra ID tokens and "
        "JUnit reports. Runs Postman v2.0/v2.1 collections as they are.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"runner {__version__}")
    parser.add_argument(
        "--traceback", action="store_true", help="show Python tracebacks (for bug reports)"
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, action=_Subcommands
    )
    assert isinstance(sub, _Subcommands)
    sub.chosen = command
    from runner.cli.args import add_commands

    add_commands(sub)
    if command not in (None, EVERY) and command not in sub.choices:
        return build_parser(None)  # an unknown command: its error lists every one
    return parser


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Runs the command line; returns the exit status."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    traceback = "--traceback" in args_list
    try:
        command = chosen_command(args_list)
        if command == "run":
            _check_verbose(args_list)
        parser = build_parser(command)
        args = parser.parse_args(args_list)
        if not getattr(args, "command", None):
            parser.print_help(out)
            return ExitStatus.INVALID
        if argv is None:  # the process's own command line: it ends when the command does
            from runner.loader import files

            files.FREEZE_LOADED = True
        handler = args.handler
        return int(handler(args, out, err))
    except RunnerError as exc:
        if traceback:
            raise
        _show_error(exc, err)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        if traceback:
            raise
        err.write("interrupted\n")
        return ExitStatus.TERMINATED if isinstance(exc, Terminated) else ExitStatus.INTERRUPTED
    except BrokenPipeError:
        return ExitStatus.SUCCESS


_VERBOSE = ("-v", "--verbose")


def _check_verbose(args: Sequence[str]) -> None:
    """Raises InputError for a value given to --verbose, which takes none but `=failures`:
    `--verbose=all`, or `--verbose failures`, where argparse reads `failures` as one more
    argument (unrecognized, or a collection file not found)."""
    from pathlib import Path

    for index, arg in enumerate(args):
        if arg == "--":
            return
        name, equals, value = arg.partition("=")
        if equals and name in _VERBOSE and arg != "--verbose=failures":
            near = value.strip().lower() == "failures"
            raise InputError(
                f"runner run: '{arg}': {name} takes no value but =failures (--verbose: every "
                "request and response; --verbose=failures: those of failed requests only)",
                hint="did you mean --verbose=failures?"
                if near
                else "use --verbose or --verbose=failures",
            )
        following = args[index + 1] if index + 1 < len(args) else ""
        if arg in _VERBOSE and following.lower() == "failures" and not Path(following).exists():
            raise InputError(
                f"runner run: '{arg} {following}': {arg} takes no value, and '{following}' is "
                "no collection file",
                hint="did you mean --verbose=failures? (with '=', no space)",
            )


def _show_error(exc: RunnerError, err: TextIO) -> None:
    prefix = "error" if exc.exit_code == ExitStatus.INVALID else "failed"
    from runner.errors import InputErrors

    problems = exc.errors if isinstance(exc, InputErrors) else [exc]
    if len(problems) > 1:
        err.write(f"{prefix}: {len(problems)} problems found\n")
    for problem in problems:
        err.write(f"{prefix}: {problem.render()}\n")
