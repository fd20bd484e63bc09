"""Iteration data files: CSV with a header row, or a JSON array of objects."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from pathlib import Path

from runner.errors import InputError, Location
from runner.loader.files import read_json, read_text
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
    leaves the missing columns undefined. For Postman collections values are also typed as
    Newman types them: an unquoted number is a number, anything quoted stays text.
    """
    text = read_text(path)
    if lenient:
        rows = [r for r in _quoted_fields(text) if r != [("", False)]]
        return _rows(path, rows, newman_value, lenient)
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    fields = [[(v, False) for v in r] for r in reader if r]
    return _rows(path, fields, lambda v, _: v.strip(), lenient)


def _rows(
    path: Path,
    rows: list[list[tuple[str, bool]]],
    value: Callable[[str, bool], JSON],
    lenient: bool,
) -> list[dict[str, JSON]]:
    """Returns the records of parsed CSV `rows` ((text, quoted) fields), header first."""
    if not rows:
        raise InputError("data file is empty", location=Location(str(path)))
    header = [h.strip() for h, _ in rows[0]]
    records: list[dict[str, JSON]] = []
    for line, row in enumerate(rows[1:], start=2):
        short = lenient and len(row) < len(header)
        if len(row) != len(header) and not short:
            raise InputError(
                f"row {line} has {len(row)} values but the header has {len(header)} columns",
                location=Location(str(path), f"/{line - 2}"),
                hint='quote values that contain commas, e.g. "a, b"',
            )
        records.append({name: value(*field) for name, field in zip(header, row, strict=False)})
    return records


def _quoted_fields(text: str) -> list[list[tuple[str, bool]]]:
    """Returns the rows of CSV `text` as (value, was it quoted) fields, as csv-parse reads
    with Newman's options: `""` escapes a quote, blanks around a delimiter are dropped,
    a quote inside an unquoted value is kept as written."""
    rows: list[list[tuple[str, bool]]] = []
    row: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i <= n:
        while i < n and text[i] in " \t":
            i += 1
        quoted = i < n and text[i] == '"'
        if quoted:
            value, i = _quoted(text, i + 1)
            start = i
            while i < n and text[i] not in ",\r\n":
                i += 1
            # Text after the closing quote is kept (relaxed, as csv-parse), blanks before
            # the delimiter are not (trimmed, as around any value).
            value += text[start:i].rstrip(" \t")
        else:
            start = i
            while i < n and text[i] not in ",\r\n":
                i += 1
            value = text[start:i].strip(" \t")
        row.append((value, quoted))
        if i < n and text[i] == ",":
            i += 1
            continue
        rows.append(row)
        row = []
        i += 2 if text.startswith("\r\n", i) else 1
    return rows


def _quoted(text: str, i: int) -> tuple[str, int]:
    """Returns the value of the quoted field starting after its quote at `i`, and the index
    after its closing quote."""
    out = []
    while i < len(text):
        if text[i] == '"':
            if text.startswith('""', i):
                out.append('"')
                i += 2
                continue
            return "".join(out), i + 1
        out.append(text[i])
        i += 1
    return "".join(out), i


_INT = re.compile(r"[-+]?[1-9][0-9]*")
_DECIMAL = re.compile(r"[-+]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)")


def newman_value(text: str, quoted: bool) -> JSON:
    """Returns a CSV value typed as Newman types it (`csvAutoParse`): quoted values stay
    text; an integer without leading zeros is an int; a value whose JavaScript `Number()`
    and `parseFloat()` agree closely enough is parseFloat's number; the rest is text."""
    if quoted:
        return text
    if _INT.fullmatch(text):
        return int(text)
    number, prefix = _js_number(text), _js_parse_float(text)
    if number is None or prefix is None or not math.isfinite(number - prefix + 1):
        return text
    if number - prefix + 1 < 0:
        return text
    return int(prefix) if prefix.is_integer() else prefix


def _js_parse_float(text: str) -> float | None:
    """Returns JavaScript's parseFloat(text) (None for NaN)."""
    match = _DECIMAL.match(text.lstrip())
    return float(match.group().replace("Infinity", "inf")) if match else None


def _js_number(text: str) -> float | None:
    """Returns JavaScript's Number(text) (None for NaN)."""
    text = text.strip()
    if not text:
        return 0.0
    if re.fullmatch(r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+", text):
        return float(int(text, 0))
    if _DECIMAL.fullmatch(text):
        return float(text.replace("Infinity", "inf"))
    return None
