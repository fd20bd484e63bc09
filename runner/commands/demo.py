"""`runner demo`: the bundled collections against the built-in emulator, no Azure needed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from runner.secrets import Masker
from runner.status import ExitStatus

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
    return Path(__file__).resolve().parents[2] / name


def demo_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Starts the emulator, runs every bundled collection, returns the worst exit status."""
    from runner.emulator import Emulator
    from runner.loader import load_collection, load_environment
    from runner.reporters.console import ConsoleReporter
    from runner.run import RunOptions, build_masker, run

    environment = load_environment(bundled_dir("environments") / "emulator.json")
    worst = ExitStatus.SUCCESS
    with Emulator() as emulator:
        out.write(f"runner demo: emulator (Entra ID, ARM, Graph) on {emulator.url}\n\n")
        variables = {"emulatorUrl": emulator.url}
        for index, name in enumerate(DEMO_COLLECTIONS):
            collection = load_collection(bundled_dir("collections") / name)
            masker = build_masker(collection, environment, None, variables)
            reporters: list[object] = [ConsoleReporter(masker, stream=out)]
            reporters.extend(_files(args, index, masker))
            result = run(
                collection,
                environment,
                variables=variables,
                options=RunOptions(keep_results=False),
                reporters=reporters,  # type: ignore[arg-type]
                masker=masker,
            )
            out.write("\n")
            worst = max(worst, result.exit_status)
    stats = emulator.stats
    out.write(f"token requests answered by the emulator: {stats.token_requests_total}\n")
    return int(worst)


def _files(args: argparse.Namespace, index: int, masker: Masker) -> list[object]:
    """Returns JUnit/JSON reporters for one demo collection (numbered files)."""
    reporters: list[object] = []
    if args.junit:
        from runner.reporters.junit import JUnitReporter

        path = Path(args.junit)
        reporters.append(
            JUnitReporter(path.with_name(f"{path.stem}-{index + 1}{path.suffix}"), masker)
        )
    if args.json:
        from runner.reporters.json_report import JsonReporter

        path = Path(args.json)
        reporters.append(
            JsonReporter(path.with_name(f"{path.stem}-{index + 1}{path.suffix}"), masker)
        )
    return reporters
