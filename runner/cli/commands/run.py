"""`runner run` and `runner validate`."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from runner.cli.commands.inputs import Inputs, error_junit, load_inputs
from runner.errors import InputError, RunnerError
from runner.status import ExitStatus, Terminated

if TYPE_CHECKING:
    from runner.engine.options import RunOptions
    from runner.report import Reporter
    from runner.secrets import Masker


def validate_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Checks the inputs and prints what was found; returns 0 or 2."""
    inputs = load_inputs(args)
    for warning in inputs.warnings:
        err.write(f"warning: {warning}\n")
    from runner.model import flatten

    steps = flatten(inputs.collection.items)
    out.write(f"valid: {inputs.collection.name} ({len(steps)} requests")
    if inputs.data is not None:
        out.write(f", {len(inputs.data)} data rows")
    out.write(")\n")
    return ExitStatus.SUCCESS


def run_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Runs a collection with reports; returns the run's exit status.

    SIGTERM is handled like Ctrl-C: sending stops, the reports of what ran are written
    (the run marked interrupted), and the exit status is 143.
    """
    with terminate_as_interrupt():
        return _run(args, out, err)


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
    try:
        inputs = load_inputs(args)
        options = _options(args, inputs)
    except RunnerError as exc:
        if args.junit and not Path(args.junit).is_dir():
            # When the report path itself is the problem, `exc` says so.
            with contextlib.suppress(OSError, ValueError):
                error_junit(args.junit, exc, Path(args.collection).stem)
        raise
    for warning in inputs.warnings:
        err.write(f"warning: {warning}\n")
    from runner.engine.session import build_masker, run_collection

    masker = build_masker(
        inputs.collection, inputs.environment, inputs.globals_env, inputs.variables
    )
    if args.cert_password:
        masker.add(args.cert_password)  # a secret from the command line: never shown
    reporters = _reporters(args, out, masker)
    result = run_collection(
        inputs.collection,
        inputs.environment,
        globals_env=inputs.globals_env,
        variables=inputs.variables,
        options=options,
        reporters=reporters,
        masker=masker,
    )
    if args.export_environment or args.export_globals:
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
    return int(result.exit_status)


def _options(args: argparse.Namespace, inputs: Inputs) -> RunOptions:
    from runner.engine.options import RunOptions
    from runner.transport.http import parse_connect_to

    names = ("iterations", "parallel", "timeout", "timeout_request", "retry", "delay_request")
    for name in (*names, "retry_max_wait"):
        value = getattr(args, name)
        least = 1 if name in ("iterations", "parallel", "timeout") else 0
        if value is not None and value < least:
            flag = "--" + name.replace("_", "-")
            raise InputError(f"{flag} must be at least {least}, got {value}")
    if not args.insecure:
        check_ca_bundle(args.ca_bundle)
    for flag, report in (
        ("--junit", args.junit),
        ("--json", args.json),
        ("--html", args.html),
        ("--export-environment", args.export_environment),
        ("--export-globals", args.export_globals),
    ):
        if report:
            _check_writable(flag, Path(report))
    if args.folder:
        from runner.engine.options import select_steps

        select_steps(inputs.collection, args.folder)  # an unknown --folder is invalid input
    client_cert = None
    if args.cert:
        from runner.transport.client_cert import client_certificate

        client_cert = client_certificate(args.cert, args.key, args.cert_password)
    elif args.key or args.cert_password:
        raise InputError("--key and --cert-password go with --cert", hint="--cert FILE")
    shard = None
    if args.shard is not None:
        from runner.engine.options import parse_shard

        shard = parse_shard(args.shard)
    return RunOptions(
        iterations=args.iterations,
        data=inputs.data,
        parallel=args.parallel,
        folders=tuple(args.folder),
        bail=args.bail,
        timeout_request_ms=args.timeout_request,
        delay_request_ms=args.delay_request,
        retries=args.retry,
        retry_max_wait_ms=args.retry_max_wait,
        insecure=args.insecure,
        ca_bundle=args.ca_bundle,
        connect_to=dict(parse_connect_to(s) for s in args.connect_to),
        follow_redirects=not args.ignore_redirects,
        keep_results=False,
        keep_exchange=bool(
            args.verbose or args.verbose_failures or args.json or args.html or args.curl
        ),
        module_paths=tuple(args.module_path),
        script_timeout_ms=args.timeout_script,
        working_dir=args.working_dir,
        shard=shard,
        run_timeout_ms=args.timeout,
        client_cert=client_cert,
        require_assertions=args.require_assertions,
        shard_by=args.shard_by,
    )


def check_ca_bundle(flag_value: str | None) -> None:
    """Raises InputError when the CA bundle (--ca-bundle, else REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE, which requests reads) is missing or holds no PEM certificate.

    Found before anything is sent: otherwise every HTTPS request fails with urllib3's text.
    """
    import os

    where, path = "--ca-bundle", flag_value
    if path is None:
        for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            if os.environ.get(variable):
                where, path = variable, os.environ[variable]
                break
    if path is None:
        return
    if not Path(path).is_file():
        raise InputError(f"{where} {path}: file not found")
    with contextlib.suppress(OSError), open(path, "rb") as bundle:
        if b"-----BEGIN CERTIFICATE-----" in bundle.read():
            # PEM certificates: loading a system bundle into OpenSSL costs ~0.1 s at every
            # start (CI images set REQUESTS_CA_BUNDLE); only a file without one is loaded,
            # for OpenSSL's reason. A PEM file with a corrupt certificate fails at its first
            # HTTPS request instead.
            return
    import ssl

    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, UnicodeDecodeError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        if reason == "NO_CERTIFICATE_OR_CRL_FOUND":
            reason = "no certificate in it"
        raise InputError(
            f"{where} {path}: not a PEM file of CA certificates ({reason})",
            hint="give the CA certificate(s) in PEM form (-----BEGIN CERTIFICATE-----); "
            "convert a DER .cer/.crt with: openssl x509 -inform der -in ca.cer -out ca.pem",
        ) from None


def _check_writable(flag: str, path: Path) -> None:
    """Raises InputError when a report cannot be written to `path` (before anything is sent)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{flag} {path}: cannot create folder {path.parent}: {exc.strerror}"
        ) from None
    if path.is_dir():
        suffix = {"--junit": ".xml", "--html": ".html"}.get(flag, ".json")
        raise InputError(
            f"{flag} {path}: is a folder", hint=f"e.g. {flag} {path / 'report'}{suffix}"
        )


def _reporters(args: argparse.Namespace, out: TextIO, masker: Masker) -> list[Reporter]:
    from runner.report.console import ConsoleReporter

    verbosity = 0 if args.quiet else 2 if args.verbose else 1
    reporters: list[Reporter] = [
        ConsoleReporter(
            masker,
            stream=out,
            verbosity=verbosity,
            progress=args.progress,
            color=args.color,
            curl=args.curl,
            dump_failures=args.verbose_failures,
        )
    ]
    return reporters + file_reporters(
        args.junit, args.json, masker, args.junit_layout, html=args.html
    )


def file_reporters(
    junit: str | Path | None,
    json: str | Path | None,
    masker: Masker,
    layout: str = "runner",
    *,
    html: str | Path | None = None,
) -> list[Reporter]:
    """Returns the JUnit, JSON and HTML reporters asked for (none when every path is None)."""
    reporters: list[Reporter] = []
    if junit:
        from runner.report.junit import JUnitReporter, NewmanJUnitReporter

        kind = NewmanJUnitReporter if layout == "newman" else JUnitReporter
        reporters.append(kind(Path(junit), masker))
    if json:
        from runner.report.json_report import JsonReporter

        reporters.append(JsonReporter(Path(json), masker))
    if html:
        from runner.report.html import HtmlReporter

        reporters.append(HtmlReporter(Path(html), masker))
    return reporters


__all__ = ["Inputs", "run_command", "validate_command"]
