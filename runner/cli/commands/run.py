"""`runner run` and `runner validate`: arguments in, the Python API does the rest."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, TextIO

from runner.cli.commands.inputs import input_arguments, needs_expanding
from runner.status import ExitStatus, Terminated


def validate_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Checks the inputs (every collection named) and prints what was found; returns 0 or 2."""
    from runner.api import load_many

    arguments = input_arguments(args)
    given, problems = _collections(args)
    del arguments["collection"]
    arguments["problems"] = [*problems, *arguments["problems"]]
    valid = load_many(given, **arguments)
    from runner.model import flatten
    from runner.wording import counted

    for inputs in valid:
        for warning in inputs.warnings:
            err.write(f"warning: {warning}\n")
        steps = flatten(inputs.collection.items)
        out.write(f"valid: {inputs.collection.name} ({counted(len(steps), 'request')}")
        if inputs.data is not None:
            out.write(f", {counted(len(inputs.data), 'data row')}")
        out.write(")\n")
    return ExitStatus.SUCCESS


def _collections(args: argparse.Namespace) -> tuple[list[Any], list[Any]]:
    """Returns the collections named on the command line and the problems found naming them."""
    if not needs_expanding(args.collection):
        return list(args.collection), []
    from runner.cli.commands.inputs import collections

    return collections(args.collection)


def run_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Runs a collection with reports; returns the run's exit status.

    SIGTERM is handled like Ctrl-C: sending stops, the reports of what ran are written
    (the run marked interrupted), and the exit status is 143.
    """
    given, problems = _collections(args)
    if len(given) == 1 and not problems:
        args.collection = given[0]
        with terminate_as_interrupt():
            return _run(args, out, err)
    with terminate_as_interrupt():
        return _run_many(args, given, problems, out, err)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises Terminated (a KeyboardInterrupt) in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def terminated(signum: int, frame: FrameType | None) -> None:
        # A second SIGTERM must not cut the writing of the reports short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from runner.api import Inputs, run
    from runner.results import RunResult

    def warn(text: str) -> None:
        err.write(f"warning: {text}\n")

    if args.jobs < 1:
        from runner.api import JOBS_HINT
        from runner.errors import InputError

        raise InputError(f"--jobs must be at least 1, got {args.jobs}", hint=JOBS_HINT)

    def export_variables(result: RunResult, inputs: Inputs) -> None:
        if not (args.export_environment or args.export_globals):
            return
        from runner.cli.commands.exports import export

        for line in export(
            result.final_variables,
            inputs.collection,
            inputs.environment,
            inputs.globals_env,
            args.export_environment,
            args.export_globals,
        ):
            err.write(line + "\n")

    result = run(
        **input_arguments(args),
        **_options(args),
        console=out,
        on_warning=warn,
        outputs=[
            ("--export-environment", args.export_environment),
            ("--export-globals", args.export_globals),
        ],
        then=export_variables,
    )
    return int(result.exit_status)


#: Options that say what to do with one collection's run, refused with several.
_ONE_COLLECTION = (
    ("export_environment", "--export-environment"),
    ("export_globals", "--export-globals"),
    ("cookie_jar", "--cookie-jar"),  # one file read before and written after a run
)


def _run_many(
    args: argparse.Namespace, given: list[Any], problems: list[Any], out: TextIO, err: TextIO
) -> int:
    """Runs several collections as one (files, folders, globs, stdin); returns the worst
    exit status."""
    from runner.api import run_many
    from runner.errors import InputError

    def warn(text: str) -> None:
        err.write(f"warning: {text}\n")

    for name, flag in _ONE_COLLECTION:
        if getattr(args, name, None) and len(given) > 1:
            problems.append(
                InputError(
                    f"{flag} is for one collection, and {len(given)} are run",
                    hint=f"run that collection on its own with {flag}",
                )
            )
    arguments = input_arguments(args)
    del arguments["collection"]
    result = run_many(
        given,
        **arguments | {"problems": [*problems, *arguments["problems"]]},
        **_options(args),
        jobs=args.jobs,
        console=out,
        on_warning=warn,
    )
    return int(result.exit_status)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """Returns the API arguments of `runner run`'s options, but for inputs and exports."""
    return dict(
        iterations=args.iterations,
        parallel=args.parallel,
        bail=args.bail,
        timeout_ms=args.timeout,
        require_assertions=args.require_assertions,
        shard=args.shard,
        shard_by=args.shard_by,
        timeout_request_ms=args.timeout_request,
        delay_request_ms=args.delay_request,
        retries=args.retry,
        retry_max_wait_ms=args.retry_max_wait,
        insecure=args.insecure,
        cert=args.cert,
        key=args.key,
        cert_password=args.cert_password,
        cert_list=args.ssl_client_cert_list,
        ca_bundle=args.ca_bundle,
        connect_to=args.connect_to,
        follow_redirects=not args.ignore_redirects,
        cookies=not args.no_cookies,
        cookie_jar=args.cookie_jar,
        working_dir=args.working_dir,
        module_paths=args.module_path,
        script_timeout_ms=args.timeout_script,
        junit=args.junit,
        junit_layout=args.junit_layout,
        json=args.json,
        html=args.html,
        verbosity=0 if args.quiet else 2 if args.verbose else 1,
        progress=args.progress,
        color=args.color,
        curl=args.curl,
        dump_failures=args.verbose_failures,
        keep_results=False,
        keep_exchange=bool(
            args.verbose or args.verbose_failures or args.json or args.html or args.curl
        ),
    )


__all__ = ["run_command", "validate_command"]
