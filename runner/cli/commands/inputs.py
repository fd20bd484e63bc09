"""Turning command-line inputs into what the Python API takes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from runner.errors import InputError, InputErrors
from runner.model import Collection


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
    """Returns the API arguments of the inputs options (collection, -e, -g, --var,
    --global-var, -d, --dotenv); a malformed --var is passed on as `problems`, reported with
    all the others."""
    problems: list[InputError] = []
    given: dict[str, dict[str, str]] = {}
    for name, flag in (("var", "--var"), ("global_var", "--global-var")):
        try:
            given[name] = parse_vars(getattr(args, name, []) or [], flag)
        except InputError as exc:
            problems.append(exc)
    return {
        "collection": args.collection,
        "environment": getattr(args, "environment", None),
        "variables": given.get("var", {}),
        "global_variables": given.get("global_var", {}),
        "globals": getattr(args, "globals", None),
        "data": getattr(args, "data", None),
        "dotenv": getattr(args, "dotenv", None),
        "folders": getattr(args, "folder", None) or (),
        "tags": getattr(args, "tag", None) or (),
        "exclude_tags": getattr(args, "exclude_tag", None) or (),
        "grep": getattr(args, "grep", None) or (),
        "problems": problems,
    }


def needs_expanding(given: Sequence[str]) -> bool:
    """Returns False when `given` is one plain collection file: that run stays as fast as
    ever (no folder read, no pattern expanded, nothing more imported)."""
    if len(given) != 1:
        return True
    only = given[0]
    if only == "-" or os.path.isdir(only):
        return True
    if set("*?[").isdisjoint(only):
        return False
    from runner.loader.discover import is_pattern

    return is_pattern(only)


def collections(given: Sequence[str]) -> tuple[list[str | Collection], list[InputError]]:
    """Returns the collections the arguments name (files, each folder's and each glob's
    collections, `-` the one on stdin), in order, each file once; and the problems found
    (a folder or glob with none, `-` twice, an invalid collection on stdin)."""
    from runner.loader import load_collection
    from runner.loader.discover import expand

    found: list[str | Collection] = []
    problems: list[InputError] = []
    seen: set[str] = set()
    stdin_used = False
    for argument in given:
        if argument == "-":
            if stdin_used:
                problems.append(
                    InputError("'-' (stdin) is given twice", hint="stdin holds one collection")
                )
                continue
            stdin_used = True
            try:
                found.append(load_collection("<stdin>", sys.stdin.read()))
            except InputError as exc:
                problems.extend(exc.errors if isinstance(exc, InputErrors) else [exc])
            continue
        try:
            paths = expand(argument)
        except InputError as exc:  # a folder may hold several malformed files
            problems.extend(exc.errors if isinstance(exc, InputErrors) else [exc])
            continue
        for path in paths:
            key = os.path.realpath(path)
            if key not in seen:  # a file named twice (a.json and *.json) runs once
                seen.add(key)
                found.append(str(path))
    return found, problems
