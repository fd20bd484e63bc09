"""Exit statuses of the `runner` command."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What the process returns: CI pipelines branch on these numbers."""

    SUCCESS = 0
    FAILED = 1
    INVALID = 2
    INTERRUPTED = 130
    TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM (CI cancellation, `timeout`): the run stops as on Ctrl-C, and exits 143."""
