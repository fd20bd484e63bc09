"""Postman collections written for the suite (tests/postman/collections) and their expected
results, request by request. Newman 6 gives the same results on the same echo server (the
external differential re-checks that whenever Newman is available)."""

from __future__ import annotations

from pathlib import Path

from corpus_cases import Case
from newman_tools import Outcome

COLLECTIONS = Path(__file__).parent / "collections"


def _with_files(
    name: str, data: str, *, globals: bool = False, flags: tuple[str, ...] = ()
) -> Case:
    """Returns the case of `name`'s collection with its environment, data file (`data`: its
    extension) and, with `globals`, globals file beside it."""
    stem = COLLECTIONS / name
    return Case(
        name,
        Path(f"{stem}.postman_collection.json"),
        environment=Path(f"{stem}.postman_environment.json"),
        globals=Path(f"{stem}.postman_globals.json") if globals else None,
        data=Path(f"{stem}.postman_data.{data}"),
        flags=flags,
    )


OWN_CASES = [
    _with_files("pm-api", "csv", globals=True),
    Case("failures", COLLECTIONS / "failures.postman_collection.json", exit_code=1),
    Case(
        "quirks",
        COLLECTIONS / "quirks.postman_collection.json",
        data=COLLECTIONS / "quirks.postman_data.json",
    ),
    Case("pm-reference", COLLECTIONS / "pm-reference.postman_collection.json"),
    # runner's --var is Newman's --env-var, and both have --global-var (newman_options maps
    # them).
    _with_files(
        "var-flags",
        "json",
        flags=(
            *("--var", "foo=cli", "--env-var", "shared=cli", "--var", "rowAndVar=cli"),
            *("--global-var", "g=global"),
        ),
    ),
]

# Every request of an iteration: (name, passed, assertions). The collection-level test
# script adds one assertion to each request of pm-api; the folder's test one more inside it;
# "Skipped by setNextRequest" never runs.
_PM_API_ITERATION = [
    Outcome("Scopes and pm.variables", True, 6),
    Outcome("Response and request objects", True, 6),
    Outcome("Legacy sandbox globals", True, 9),
    Outcome("Form bodies", True, 2),
    Outcome("pm.sendRequest", True, 2),
    Outcome("Inherited basic auth", True, 4),
    Outcome("Jump", True, 3),
    Outcome("Final", True, 3),
]
# Newman's behaviours the corpus covers, one request each (two rows in the JSON data file).
_QUIRKS_ITERATION = [
    Outcome("gzip body is decoded", True, 3),
    Outcome("deflate body is decoded", True, 1),
    Outcome("Redirects followed by default", True, 1),
    Outcome("followRedirects false", True, 2),
    Outcome("GET with a body (disableBodyPruning)", True, 1),
    Outcome("Duplicate query keys", True, 3),
    Outcome("Header names are case-insensitive", True, 4),
    Outcome("Form-data values with newlines and unicode", True, 4),
    Outcome("urlencoded with variables and reserved characters", True, 3),
    Outcome("Multi-value data rows", True, 6),
    Outcome("Custom HTTP method", True, 1),
    Outcome("HEAD has no body", True, 2),
    Outcome("UTF-8 text body", True, 2),
    Outcome("Request name and ids in scripts", True, 4),
    Outcome("Clearing scopes", True, 3),
    Outcome("Duplicate and disabled collection variables", True, 2),
    Outcome("Status text and response time", True, 2),
    Outcome("Folder variables are not used", True, 2),  # Newman ignores a folder's
]
# The sandbox reference's remaining members; assertion names carry what the scripts saw,
# so Newman's agreement covers values, not only pass/fail ("Skipped by
# pm.execution.skipRequest" and "Never reached" never run).
_STATUSES = ["404", "200", "202", "302 not followed", "400", "401", "403", "429", "503"]
_PM_REFERENCE = [
    Outcome("Execution and info", True, 7),
    Outcome("Jump with pm.execution.setNextRequest", True, 1),
    *(Outcome(f"Status {status}", True, 14) for status in _STATUSES),
    Outcome("Body and schema assertions", True, 7),
    Outcome("Request headers and auth from scripts", True, 7),
    Outcome("Variable scope helpers", True, 6),
    Outcome("Response cookies and xml2Json", True, 2),
]
EXPECTED: dict[str, list[Outcome]] = {
    "pm-api": _PM_API_ITERATION * 2,  # two rows in the CSV data file
    "failures": [
        Outcome("Passing", True, 1),
        Outcome("Wrong status", False, 2),
        Outcome("Falsy legacy test", False, 3),
        Outcome("Script error after a test", False, 1),
        Outcome("Failing expectations", False, 4),
    ],
    "quirks": _QUIRKS_ITERATION * 2,
    "pm-reference": _PM_REFERENCE,
    # --var and --global-var values seen by pm.environment, pm.globals, pm.variables and
    # {{var}}; then a script's own.
    "var-flags": [
        Outcome("Seen by scripts and {{var}}", True, 12),
        Outcome("Set by a script", True, 3),
    ],
}
