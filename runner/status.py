"""Exit statuses of the `runner` command."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What the process returns: CI pipelines branch on these numbers."""

    SUCCESS = 0
    FAILED = 1
    INVALID = 2
    INTERRUPTED = 130
