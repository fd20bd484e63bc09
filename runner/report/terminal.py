"""Whether to colour the console: --color, then the NO_COLOR / FORCE_COLOR conventions;
whether the terminal is a dumb one (no colour, no cursor control)."""

from __future__ import annotations

import os


def use_color(mode: str, tty: bool) -> bool:
    """Returns whether to write ANSI colours.

    `always` and `never` decide alone. With `auto`: a non-empty NO_COLOR turns colour off
    (no-color.org), a non-empty FORCE_COLOR turns it on whatever its value (force-color.org),
    TERM=dumb turns it off, and otherwise a terminal gets colour and a pipe or file does not.
    """
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR", ""):
        return False
    if os.environ.get("FORCE_COLOR", ""):
        return True
    if dumb_terminal():
        return False
    return tty


def dumb_terminal() -> bool:
    """Returns True when TERM=dumb: a terminal that understands no escape sequences (an
    editor's shell buffer), so it gets neither colour nor a line redrawn in place."""
    return os.environ.get("TERM", "") == "dumb"
