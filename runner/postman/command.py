"""`runner import POSTMAN_FILE [-o OUT_FILE]`: write the native JSON, warnings to stderr."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from runner.postman.importer import import_file
from runner.status import ExitStatus


def import_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Converts `args.postman_file`; returns 0 (warnings do not fail the import).

    Raises:
        InputError: unreadable, v1 or not a Postman file (the CLI exits 2).
    """
    doc, warnings = import_file(Path(args.postman_file))
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    target = getattr(args, "output", None)
    if target:
        Path(target).write_text(text, encoding="utf-8")
        err.write(f"wrote {target}\n")
    else:
        out.write(text)
    for warning in warnings:
        err.write(f"warning: {warning}\n")
    if warnings:
        err.write(f"{len(warnings)} piece(s) kept as scripts or needing a look (see above)\n")
    return ExitStatus.SUCCESS
