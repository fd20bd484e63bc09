"""Iteration data files: CSV with a header row, or a JSON array of objects."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from runner.errors import InputError, Location
from runner.load.files import read_json, read_text
from runner.values import JSON


def load_data(path: Path | str, *, lenient: bool = False) -> list[dict[str, JSON]]:
    """Returns the rows of a data file, each a dict of column → value.

    Raises:
        InputError: missing file, ragged CSV row, or JSON that is not an array of objects.
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        return _json_rows(path)
    return _csv_rows(path, lenient)


def _json_rows(path: Path) -> list[dict[str, JSON]]:
    doc = read_json(path)
    if isinstance(doc, dict):
        raise _object_error(path, doc)
    if not isinstance(doc, list):
        raise InputError(
            "data file must be a JSON array of objects",
            location=Location(str(path)),
            hint='e.g. [{"user": "ada"}, {"user": "grace"}]',
        )
    for index, row in enumerate(doc):
        if not isinstance(row, dict):
            raise InputError(
                "each row must be an object of column → value",
                location=Location(str(path), f"/{index}"),
            )
    return doc


def _object_error(path: Path, doc: dict[str, JSON]) -> InputError:
    """Returns the error for a data file that is one object instead of an array of rows."""
    arrays = [key for key, value in doc.items() if isinstance(value, list)]
    if len(arrays) == 1:
        # {"rows": [...]}: the rows are there, one level too deep.
        where = Location(str(path), Location("").child(arrays[0]).pointer)
        return InputError(
            "data file must be a JSON array of objects, not an object holding one",
            location=where,
            hint=f"make the array under '{arrays[0]}' the whole file: [{{...}}, {{...}}]",
        )
    return InputError(
        "data file must be a JSON array of objects (one per iteration), not an object",
        location=Location(str(path)),
        hint='for one iteration, put the object in an array: [{"user": "ada"}]',
    )


def _csv_rows(path: Path, lenient: bool) -> list[dict[str, JSON]]:
    """Returns CSV rows; values are trimmed (as Newman's parser does).

    A row with more values than the header is always an error (data would be lost); a
    shorter row is an error too, except for Postman collections (`lenient`), where Newman
    leaves the missing columns undefined.
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    rows = [r for r in reader if r]
    if not rows:
        raise InputError("data file is empty", location=Location(str(path)))
    header = [h.strip() for h in rows[0]]
    records: list[dict[str, JSON]] = []
    for line, row in enumerate(rows[1:], start=2):
        short = lenient and len(row) < len(header)
        if len(row) != len(header) and not short:
            raise InputError(
                f"row {line} has {len(row)} values but the header has {len(header)} columns",
                location=Location(str(path), f"/{line - 2}"),
                hint='quote values that contain commas, e.g. "a, b"',
            )
        records.append({name: value.strip() for name, value in zip(header, row, strict=False)})
    return records
