"""`runner import`: a Postman collection or environment → native JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from runner.status import ExitStatus


def import_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Writes the native document (to -o or stdout) and one warning per untranslated piece."""
    from runner.loader import import_file

    document, warnings = import_file(Path(args.postman_file))
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        from runner.report.junit import write_text

        write_text(Path(args.output), text)
        err.write(f"wrote {args.output}\n")
    else:
        out.write(text)
    for warning in warnings:
        err.write(f"warning: {warning}\n")
    return ExitStatus.SUCCESS
