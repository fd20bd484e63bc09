"""`runner demo`: the bundled collections against the built-in emulator, no Azure needed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from runner.errors import InputError
from runner.status import ExitStatus

if TYPE_CHECKING:
    from runner.report import Reporter

DEMO_COLLECTIONS = (
    "arm-resource-groups.json",
    "graph-users.json",
    "refresh-token.json",
    "nightly-access-check.json",
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
    from runner.cli.commands.run import file_reporters
    from runner.emulator import Emulator
    from runner.engine.options import RunOptions
    from runner.engine.session import build_masker, run_collection
    from runner.load import load_collection, load_environment
    from runner.report.console import ConsoleReporter

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
            collection = load_collection(bundled_dir("collections") / name)
            masker = build_masker(collection, environment, None, variables)
            reporters: list[Reporter] = [ConsoleReporter(masker, stream=out)]
            reporters.extend(
                file_reporters(_numbered(args.junit, index), _numbered(args.json, index), masker)
            )
            result = run_collection(
                collection,
                environment,
                variables=variables,
                options=RunOptions(keep_results=False, ca_bundle=ca_bundle),
                reporters=reporters,
                masker=masker,
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
