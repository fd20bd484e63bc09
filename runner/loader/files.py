"""Reading input files: text in any encoding real exports use, JSON with located errors."""

from __future__ import annotations

import codecs
import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.errors import InputError, Location
from runner.values import JSON

FREEZE_LOADED = False
"""True in a process that ends with its run (the command line): what was loaded goes to the
collector's permanent generation (gc.freeze) rather than being walked by each collection
after it (0.15 s for 20,000 items). A library caller's collector is left as it was."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Within the block, no cyclic garbage collection runs.

    Reading, building and checking a collection make objects by the hundred thousand and
    free none: every few hundred of them the collector would walk all the others (for
    20,000 items, over half of loading). What cycles there are wait for the next collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if FREEZE_LOADED:
            gc.freeze()
        if enabled:
            gc.enable()


def read_text(path: Path) -> str:
    """Returns the text of `path`, decoding UTF-8 (with or without BOM) or UTF-16.

    Raises:
        InputError: the file is missing or unreadable.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "file not found", location=Location(str(path)), hint="check the path"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", location=Location(str(path))) from exc
    return decode(raw, path)


def decode(raw: bytes, path: Path) -> str:
    """Returns `raw` decoded: BOMs decide UTF-16/UTF-8-sig, otherwise UTF-8.

    Raises:
        InputError: the bytes are not text in that encoding.
    """
    encoding = "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(raw) >= 2 and raw[0] != 0 and raw[1] == 0:
        encoding = "utf-16-le"
    elif len(raw) >= 2 and raw[0] == 0 and raw[1] != 0:
        encoding = "utf-16-be"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding == "utf-8-sig" else "UTF-16"
        raise InputError(
            f"not {name} text (byte {exc.start})",
            location=Location(str(path)),
            hint="save the file as UTF-8",
        ) from None


def read_json(path: Path) -> JSON:
    """Returns the parsed JSON document in `path`.

    Raises:
        InputError: missing file, or malformed JSON (with line and column).
    """
    return parse_json(read_text(path), path)


#: Inputs that came as text, not from a file (a collection on stdin), by the path naming them.
_GIVEN: dict[Path, str] = {}


def remember(path: Path, text: str) -> None:
    """Keeps the text read for `path` (stdin), for source_text."""
    _GIVEN[path] = text


def source_text(path: Path) -> str:
    """Returns the text of an input: what was read for it (stdin), else the file's.

    Raises:
        OSError: the file cannot be read.
    """
    given = _GIVEN.get(path)
    return given if given is not None else path.read_text("utf-8", errors="replace")


def parse_json(text: str, path: Path) -> JSON:
    """Returns the JSON document in `text` (read from `path`).

    Raises:
        InputError: malformed JSON (with line and column).
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            location=Location(str(path)),
            hint=_json_hint(text, exc),
        ) from None


def _json_hint(text: str, exc: json.JSONDecodeError) -> str:
    """Returns a likely fix for a JSON syntax error, with the offending line."""
    lines = text.splitlines()
    # The error may sit just past the last line (e.g. a document cut after a newline).
    line = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
    shown = line.strip()[:120]
    if "Expecting property name" in exc.msg or "Expecting value" in exc.msg:
        return f"a trailing comma or a missing value? line {exc.lineno}: {shown}"
    return f"line {exc.lineno}: {shown}"
