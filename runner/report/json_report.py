"""The JSON report: the whole run, every request, assertion, capture and error (masked)."""

from __future__ import annotations

import copy
import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, fields, is_dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from types import NoneType
from typing import IO

from runner.report import RunInfo
from runner.results import ItemResult, RunResult, Summary
from runner.secrets import Masker
from runner.status import ExitStatus
from runner.values import JSON

REPORT_VERSION = 1
"""The JSON report's format version: raised when a field changes meaning or goes away."""

SCHEMA_FILE = "report.schema.json"
"""runner/schemas/report.schema.json, as `runner schema report -o DIR/report.schema.json`
writes it: a report written into DIR names it in its `$schema`."""


def schema_ref(path: Path) -> dict[str, JSON]:
    """Returns `{"$schema": "./report.schema.json"}` when the report at `path` has this
    version's report schema next to it, else `{}`.

    A `$schema` that does not resolve only makes editors complain, so the report names a
    schema only where one is: a relative path keeps resolving when the folder is copied
    (a CI artifact), which an absolute path into the install would not.
    """
    try:
        beside = json.loads((path.parent / SCHEMA_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    title = beside.get("title") if isinstance(beside, dict) else None
    return {"$schema": f"./{SCHEMA_FILE}"} if title == _schema_title() else {}


@cache
def _schema_title() -> str:
    """Returns the title of the report schema that ships with runner (it names the version)."""
    text = resources.files("runner.schemas").joinpath(SCHEMA_FILE).read_text("utf-8")
    return str(json.loads(text)["title"])


def iso_time(seconds: float) -> str:
    """Returns a Unix time as ISO 8601 in UTC with milliseconds (as the JUnit timestamp)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def write_error_report(path: Path, collection: str, text: str) -> None:
    """Writes a JSON report for a run that never started: invalid input, exit status 2."""
    reporter = JsonReporter(path, Masker())
    reporter.error = text
    reporter.exit_status = int(ExitStatus.INVALID)
    reporter.finish(RunResult(collection, Summary()))


class JsonReporter:
    """Streams results into a temporary file as JSON lines, then assembles the report.

    Streaming keeps memory flat on long runs; the final file is one JSON document.
    """

    def __init__(self, path: Path, masker: Masker) -> None:
        self.path = path
        self.masker = masker
        self.info: RunInfo | None = None
        self.warnings: list[str] = []
        self.error: str | None = None  # why the run never started (invalid input)
        self.exit_status: int | None = None  # set with `error`; else the run's own
        path.parent.mkdir(parents=True, exist_ok=True)
        # An anonymous file: nothing is left behind if the run dies before finish().
        self._spool: IO[str] = tempfile.TemporaryFile(  # noqa: SIM115 - closed in finish()
            "w+", encoding="utf-8", dir=path.parent
        )

    def start(self, info: RunInfo) -> None:
        """Remembers the run's header."""
        self.info = info

    def warning(self, message: str) -> None:
        """Keeps the warning for the report."""
        self.warnings.append(self.masker.mask(message))

    def result(self, result: ItemResult) -> None:
        """Writes one masked result line to the spool file."""
        self._spool.write(json.dumps(self.masker.mask_value(_result(result)), default=str) + "\n")

    def finish(self, run: RunResult) -> None:
        """Writes the report file from the spool, one result at a time (memory stays flat).

        The format is described by runner/schemas/report.schema.json (version REPORT_VERSION).
        """
        document: dict[str, JSON] = {
            **schema_ref(self.path),
            "version": REPORT_VERSION,
            **self.header(run),
            "results": [],
        }
        _write_file(self.path, document, self.results())

    def header(self, run: RunResult) -> dict[str, JSON]:
        """Returns what the report says of the run besides its results."""
        info = self.info
        summary = asdict(run.summary)
        exit_status = int(run.exit_status) if self.exit_status is None else self.exit_status
        del summary["warnings"]  # the same as the report's own "warnings"
        return {
            "collection": run.collection,
            "source": info.source if info else None,
            "started_at": iso_time(info.started_at if info else time.time()),
            "summary": summary | {"exit_status": exit_status},
            "error": self.error,
            "warnings": self.warnings,
        }

    def results(self) -> Iterator[dict[str, JSON]]:
        """Yields the spooled results one at a time, then closes the spool."""
        with self._spool:
            self._spool.seek(0)
            for line in self._spool:
                if line.strip():
                    yield json.loads(line)


def write_combined(
    path: Path, parts: Sequence[tuple[JsonReporter, RunResult]], total: RunResult, started: float
) -> None:
    """Writes one report for several collections run as one: the whole run's summary and
    warnings, a `collections` entry per collection (its header), and every result in
    collection order, each with the index of its collection."""
    headers = [reporter.header(run) for reporter, run in parts]
    summary = asdict(total.summary)
    del summary["warnings"]
    document: dict[str, JSON] = {
        **schema_ref(path),
        "version": REPORT_VERSION,
        "collection": total.collection,
        "source": None,
        "started_at": iso_time(started),
        "summary": summary | {"exit_status": int(total.exit_status)},
        "error": None,
        "warnings": [
            f"{header['collection']}: {warning}"
            for header in headers
            for warning in header["warnings"]
        ],
        "collections": headers,
        "results": [],
    }

    def results() -> Iterator[dict[str, JSON]]:
        for index, (reporter, _) in enumerate(parts):
            for result in reporter.results():
                result["collection"] = index
                yield result

    _write_file(path, document, results())


def _write_file(path: Path, document: dict[str, JSON], results: Iterator[JSON]) -> None:
    """Writes `document` with `results` to `path` via a temporary file (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    with open(temp, "w", encoding="utf-8") as out:
        _write_document(out, document, results)
    temp.replace(path)


def _write_document(out: IO[str], document: dict[str, JSON], results: Iterator[JSON]) -> None:
    """Writes `document` with `results` as its last key, exactly as json.dumps(indent=2) would.

    The results are written one by one, so a long run's report is never whole in memory.
    """
    head = _dumps({**document, "results": []})
    out.write(head[: head.rindex("[]")] + "[")  # "results" is the last key
    first = True
    for result in results:
        out.write("\n" if first else ",\n")
        # Each line one level deeper: JSON strings hold no raw newlines, so this is exact.
        out.write("\n".join("    " + line for line in _dumps(result).split("\n")))
        first = False
    out.write("]\n}\n" if first else "\n  ]\n}\n")


def _dumps(value: JSON) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _result(result: ItemResult) -> dict[str, JSON]:
    data: dict[str, JSON] = _plain(result)
    data["started_at"] = iso_time(result.started_at) if result.started_at else None
    data["display_name"] = result.display_name
    data["outcome"] = result.outcome
    exchange = data.get("exchange")
    if exchange:
        for key in ("request_headers", "response_headers"):
            exchange[key] = _headers(exchange[key])
    return data


def _plain(value: object) -> JSON:
    """Returns `value` as dataclasses.asdict would, without deep-copying the leaves.

    The dict is serialised at once, so sharing strings and numbers is safe; asdict's
    copy.deepcopy of every leaf was a third of the JSON report's cost per request.
    """
    if isinstance(value, str | int | float | NoneType):
        return value
    names = _FIELDS.get(type(value))
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[type(value)] = tuple(
            f.name for f in fields(value) if f.metadata.get("report", True)
        )
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return type(value)(*[_plain(v) for v in value])
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_plain(k), _plain(v)) for k, v in value.items())
    return copy.deepcopy(value)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _headers(pairs: list[JSON]) -> list[list[str]]:
    from runner.secrets import MASK, SENSITIVE_HEADERS

    return [[k, MASK if str(k).lower() in SENSITIVE_HEADERS else v] for k, v in pairs]
