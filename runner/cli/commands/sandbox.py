"""`runner sandbox install|list`: the npm libraries Postman's sandbox provides to scripts.

`install` downloads every pinned package (runner/scripts/libraries.json) from the npm registry
into the user cache and checks each against its sha512 integrity, so that later runs need no
network: the step to put in a CI image or before going offline.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from runner.errors import RunnerError
from runner.status import ExitStatus

if TYPE_CHECKING:
    from runner.scripts.libraries import LibraryStore


class LibraryInstallError(RunnerError):
    """A pinned package could not be fetched or did not match its integrity."""

    exit_code = ExitStatus.FAILED


def _store(args: argparse.Namespace) -> LibraryStore:
    """Returns the store the options name (default: the environment's cache and registry)."""
    from runner.scripts.libraries import LibraryStore

    folder = Path(args.cache_dir) if args.cache_dir else None
    return LibraryStore(folder, registry=args.registry)


def install_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Fetches and verifies every pinned library; returns 0, or raises with the reason."""
    from runner.scripts.libraries import LibraryError

    store = _store(args)
    started = time.monotonic()
    try:
        fetched = store.install(progress=lambda key: err.write(f"  fetching {key}\n"))
    except LibraryError as exc:
        hint = (
            "check access to the registry, or use a mirror: --registry URL or npm_config_registry"
        )
        raise LibraryInstallError(str(exc), hint=hint) from None
    total = len(store.lock.packages)
    took = time.monotonic() - started
    out.write(
        f"{total} packages in {store.folder} ({len(fetched)} downloaded from "
        f"{store.registry}, {total - len(fetched)} already there) in {took:.1f} s\n"
    )
    return ExitStatus.SUCCESS


def list_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Prints what a script may require and which pinned package provides it; returns 0."""
    store = _store(args)
    lock = store.lock
    globals_of = {module: name for name, module in lock.globals.items()}
    for module, ref in sorted(lock.modules.items()):
        key = ref.split("/", 2 if ref.startswith("@") else 1)[0]
        cached = "cached" if (store.folder / key / ".runner-integrity").is_file() else "not cached"
        extra = f" (global {globals_of[module]})" if module in globals_of else ""
        out.write(f"{module:22} {ref}{extra}  [{cached}]\n")
    out.write(f"cache: {store.folder}\nregistry: {store.registry}\n")
    return ExitStatus.SUCCESS
