"""The command line: parse arguments, call the pipeline, map the outcome to an exit status.

Every RunnerError is shown in one place, located and with a hint; `--traceback` re-raises.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from runner import __version__
from runner.errors import InputError, RunnerError
from runner.status import ExitStatus, Terminated

EPILOG = """\
examples:
  runner demo                                   run the bundled sample against the emulator
  runner run api.json -e dev.json --junit out/junit.xml
  runner run api.postman_collection.json -e dev.postman_environment.json
  runner run smoke.json -d users.csv --parallel 4 --bail
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


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser for every subcommand."""
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from runner.cli.args import add_commands

    add_commands(sub)
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
        parser = build_parser()
        args = parser.parse_args(args_list)
        if not getattr(args, "command", None):
            parser.print_help(out)
            return ExitStatus.INVALID
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


def _show_error(exc: RunnerError, err: TextIO) -> None:
    prefix = "error" if exc.exit_code == ExitStatus.INVALID else "failed"
    from runner.errors import InputErrors

    problems = exc.errors if isinstance(exc, InputErrors) else [exc]
    if len(problems) > 1:
        err.write(f"{prefix}: {len(problems)} problems found\n")
    for problem in problems:
        err.write(f"{prefix}: {problem.render()}\n")
