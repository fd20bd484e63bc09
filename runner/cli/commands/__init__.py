"""Handlers of the subcommands; each takes (args, stdout, stderr) and returns an exit status."""
