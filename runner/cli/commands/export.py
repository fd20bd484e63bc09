"""`runner export pytest`: a collection written as a pytest module."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from runner.status import ExitStatus


def export_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Writes the module (to -o or stdout) and one warning per untranslated piece."""
    from runner.export.pytest_code import export_file
    from runner.loader import load_environment

    environment = load_environment(args.environment) if args.environment else None
    exported = export_file(
        Path(args.collection),
        environment=environment,
        token_from=args.token_from,
        output=Path(args.output) if args.output else None,
    )
    if args.output:
        from runner.report.junit import write_text

        write_text(Path(args.output), exported.code)
        err.write(f"wrote {args.output}\n")
    else:
        out.write(exported.code)
    for warning in exported.warnings:
        err.write(f"warning: {warning}\n")
    return ExitStatus.SUCCESS
