"""Turning command-line inputs into what the Python API takes."""

from __future__ import annotations

import argparse
from typing import Any

from runner.errors import InputError


def parse_vars(pairs: list[str], flag: str = "--var") -> dict[str, str]:
    """Returns the --var NAME=VALUE pairs as a dict; raises InputError for a pair without '='."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(
                f"{flag} '{pair}' is not NAME=VALUE",
                hint=f"e.g. {flag} tenantId=contoso.onmicrosoft.com",
            )
        values[name.strip()] = value
    return values


def input_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """Returns the API arguments of the inputs options (collection, -e, -g, --var, -d,
    --dotenv); a malformed --var is passed on as `problems`, reported with all the others."""
    problems: list[InputError] = []
    variables: dict[str, str] = {}
    try:
        variables = parse_vars(getattr(args, "var", []) or [])
    except InputError as exc:
        problems.append(exc)
    return {
        "collection": args.collection,
        "environment": getattr(args, "environment", None),
        "variables": variables,
        "globals": getattr(args, "globals", None),
        "data": getattr(args, "data", None),
        "dotenv": getattr(args, "dotenv", None),
        "folders": getattr(args, "folder", None) or (),
        "tags": getattr(args, "tag", None) or (),
        "exclude_tags": getattr(args, "exclude_tag", None) or (),
        "grep": getattr(args, "grep", None),
        "problems": problems,
    }
