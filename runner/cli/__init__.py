"""The command line: `runner` and its subcommands."""

from runner.cli.main import main

__all__ = ["main"]
