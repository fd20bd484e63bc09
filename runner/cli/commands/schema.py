"""`runner schema`: print (or write) a JSON Schema that ships in the package, for editors."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path
from typing import TextIO

from runner.errors import InputError

SCHEMAS = ("collection", "environment", "report")


def schema_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Writes the schema to `-o FILE` or stdout; returns 0 (2 when it cannot be written)."""
    resource = resources.files("runner.schemas").joinpath(f"{args.name}.schema.json")
    if not resource.is_file():
        raise InputError(f"no {args.name} schema ships with this version of runner")
    text = resource.read_text("utf-8")
    if args.output is None:
        out.write(text if text.endswith("\n") else text + "\n")
        return 0
    target = Path(args.output)
    if target.is_dir():
        raise InputError(
            f"-o {target}: is a folder", hint=f"e.g. -o {target / f'{args.name}.schema.json'}"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"-o {target}: cannot write: {exc.strerror}") from None
    err.write(f"{args.name} schema written to {target}\n")
    return 0
