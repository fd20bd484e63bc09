"""`runner emulator`: serve the local Entra ID / ARM / Graph emulator."""

from __future__ import annotations

import argparse
from typing import TextIO

from runner.errors import InputError
from runner.status import ExitStatus


def emulator_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Serves until Ctrl-C; returns 0."""
    from runner.emulator import serve

    try:
        serve(
            port=args.port,
            config=args.config,
            token_lifetime=args.token_lifetime,
            tls=args.tls,
        )
    except (ValueError, OSError) as exc:
        raise InputError(f"emulator: {exc}") from exc
    return ExitStatus.SUCCESS
