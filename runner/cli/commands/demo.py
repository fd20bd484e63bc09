"""`runner demo`: the bundled collections against the built-in emulator, no Azure needed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from runner.errors import InputError
from runner.status import ExitStatus

DEMO_COLLECTIONS = (
    "arm-resource-groups.json",
    "graph-users.json",
    "refresh-token.json",
    "nightly-access-check.json",
    "arm-resource-group-lifecycle.json",
)


def bundled_dir(name: str) -> Path:
    """Returns the bundled `collections` or `environments` folder (installed or source tree)."""
    from importlib import resources

    packaged = Path(str(resources.files("runner").joinpath("bundled", name)))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name


def demo_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Starts the emulator, runs every bundled collection, returns the worst exit status."""
    from runner.api import run
    from runner.emulator import Emulator
    from runner.loader import load_environment

    environment = load_environment(bundled_dir("environments") / "emulator.json")
    worst = ExitStatus.SUCCESS
    try:
        started = Emulator(tls=args.tls)
    except OSError as exc:  # the CA could not be written to (or read from) the user cache
        raise InputError(f"demo: the emulator's TLS certificate: {exc}") from exc
    with started as emulator:
        out.write(f"runner demo: emulator (Entra ID, ARM, Graph) on {emulator.url}\n")
        if emulator.ca_file is not None:
            out.write(f"CA certificate: {emulator.ca_file}\n")
        out.write("\n")
        ca_bundle = str(emulator.ca_file) if emulator.ca_file is not None else None
        variables = {"emulatorUrl": emulator.url}
        for index, name in enumerate(DEMO_COLLECTIONS):
            result = run(
                bundled_dir("collections") / name,
                environment,
                variables,
                dotenv=False,
                ca_bundle=ca_bundle,
                junit=_numbered(args.junit, index),
                json=_numbered(args.json, index),
                console=out,
                keep_results=False,
            )
            out.write("\n")
            worst = max(worst, result.exit_status)
    stats = emulator.stats
    out.write(f"token requests answered by the emulator: {stats.token_requests_total}\n")
    return int(worst)


def _numbered(path: str | None, index: int) -> Path | None:
    """Returns `path` with the collection's number before the suffix (out-1.xml), or None."""
    if not path:
        return None
    name = Path(path)
    return name.with_name(f"{name.stem}-{index + 1}{name.suffix}")
