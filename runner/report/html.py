"""The HTML report: one self-contained page (no CDN, no network) people read on any screen.

Results are masked and spooled to an anonymous temporary file as they arrive, then the page is
rendered by Jinja2 (autoescaping on) one iteration at a time, so memory stays flat on long runs.
"""

from __future__ import annotations

import itertools
import json
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from runner.report import RunInfo
from runner.report.console import shown_part, shown_redirect
from runner.results import ItemResult, RunResult
from runner.secrets import MASK, SENSITIVE_HEADERS, Masker
from runner.values import JSON

#: The timeline shows at most this many steps (a page with 100,000 bars helps nobody).
TIMELINE_LIMIT = 2000
#: Bodies longer than this (in characters) are cut in the page, with a marker saying how much.
BODY_LIMIT = 16 * 1024


@dataclass
class _Iteration:
    """One iteration's results, grouped by folder path in run order."""

    number: int
    groups: list[tuple[str, list[dict[str, JSON]]]] = field(default_factory=list)
    failed: bool = False


class HtmlReporter:
    """Writes `--html FILE`: summary, timeline, per-iteration and per-folder results."""

    def __init__(self, path: Path, masker: Masker) -> None:
        self.path = path
        self.masker = masker
        self.info: RunInfo | None = None
        self.warnings: list[str] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        # An anonymous file: nothing is left behind if the run dies before finish().
        self._spool: IO[str] = tempfile.TemporaryFile(  # noqa: SIM115 - closed in finish()
            "w+", encoding="utf-8", dir=path.parent
        )
        self._first_start: float | None = None
        self._last_end = 0.0

    def start(self, info: RunInfo) -> None:
        """Remembers the run's header."""
        self.info = info

    def warning(self, message: str) -> None:
        """Keeps the warning for the page."""
        self.warnings.append(self.masker.mask(message))

    def result(self, result: ItemResult) -> None:
        """Spools one masked result."""
        view = self.masker.mask_value(_view(result, self.masker))
        start = result.started_at or 0.0
        if start:
            if self._first_start is None or start < self._first_start:
                self._first_start = start
            self._last_end = max(self._last_end, start + result.elapsed_ms / 1000)
        self._spool.write(json.dumps(view, default=str) + "\n")

    def finish(self, run: RunResult) -> None:
        """Renders the page from the spool into `path` (written whole or not at all)."""
        with self._spool:
            write_page(self.path, [(self, run)], run, self.masker.mask(run.collection))

    def close(self) -> None:
        """Drops the spooled results (after write_page)."""
        self._spool.close()

    def lines(self, prefix: str) -> Iterator[str]:
        """Yields the spooled results (JSON lines), each folder led by `prefix` when given."""
        self._spool.seek(0)
        for line in self._spool:
            if prefix and line.strip():
                view = json.loads(line)
                view["folder"] = " / ".join(p for p in (prefix, view["folder"]) if p)
                line = json.dumps(view)
            yield line


def write_page(
    path: Path, parts: Sequence[tuple[HtmlReporter, RunResult]], run: RunResult, title: str
) -> None:
    """Renders the page of `run` into `path` from the parts' spools; with several parts
    (collections run as one), each folder is led by its collection's name."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("runner.report", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    summary = run.summary
    reporters = [reporter for reporter, _ in parts]
    infos = [r.info for r in reporters if r.info is not None]
    started = min((i.started_at for i in infos), default=time.time())
    starts = [r._first_start for r in reporters if r._first_start is not None]
    first = min(starts, default=0.0)
    span_ms = max((max(r._last_end for r in reporters) - first) * 1000, 1.0)
    several = len(parts) > 1
    lines = itertools.chain.from_iterable(
        r.lines(r.masker.mask(done.collection) if several else "") for r, done in parts
    )
    context = {
        "title": title,
        "source": ", ".join(i.source for i in infos),
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "summary": summary,
        "passed": summary.requests - summary.failed - summary.errors,
        "exit_status": int(run.exit_status),
        "warnings": [w for r in reporters for w in r.warnings],
        "iterations": _iterations(lines, first, span_ms),
        "span_ms": span_ms,
        "timeline_limit": TIMELINE_LIMIT,
    }
    temp = path.with_name(path.name + ".tmp")
    with open(temp, "w", encoding="utf-8") as out:
        for chunk in template.generate(**context):
            out.write(chunk)
    temp.replace(path)


def _iterations(spool: Iterable[str], origin: float, span_ms: float) -> Iterator[_Iteration]:
    """Yields the spooled results one iteration at a time, grouped by consecutive folder."""
    current: _Iteration | None = None
    for line in spool:
        if not line.strip():
            continue
        view = json.loads(line)
        start = view.pop("started_at") or origin
        view["offset_pct"] = round(max(start - origin, 0.0) * 1000 / span_ms * 100, 3)
        view["width_pct"] = round(max(view["elapsed_ms"] / span_ms * 100, 0.3), 3)
        if current is None or current.number != view["iteration"]:
            if current is not None:
                yield current
            current = _Iteration(view["iteration"])
        folder = view["folder"]
        if not current.groups or current.groups[-1][0] != folder:
            current.groups.append((folder, []))
        current.groups[-1][1].append(view)
        current.failed = current.failed or view["outcome"] in ("failed", "error")
    if current is not None:
        yield current


def _view(result: ItemResult, masker: Masker) -> dict[str, JSON]:
    """Returns what the page shows of one result; bodies are masked before they are cut."""
    exchange = result.exchange
    return {
        "name": result.display_name,
        "kind": result.kind,
        "folder": " / ".join(result.path),
        "iteration": result.iteration,
        "method": result.method or (exchange.method if exchange else ""),
        "url": result.url or (exchange.url if exchange else ""),
        "status": result.status,
        "reason": result.reason,
        "elapsed_ms": round(result.elapsed_ms, 1),
        "started_at": result.started_at,
        "outcome": result.outcome,
        "error": result.error,
        "hint": result.hint,
        "skip_reason": result.skip_reason,
        "retries": len(result.attempts),
        "assertions": [
            {
                "name": a.name,
                "passed": a.passed,
                "skipped": a.skipped,
                # Blank cells where nothing is compared (a pm.test, --require-assertions).
                "expected": _text(a.expected) if a.compares else "",
                "actual": _text(a.actual) if a.compares else "",
                "message": a.message,
            }
            for a in result.assertions
        ],
        "request_headers": _headers(exchange.request_headers) if exchange else [],
        "request_body": _cap(masker, exchange.request_body) if exchange else None,
        "response_headers": _headers(exchange.response_headers) if exchange else [],
        "response_body": _cap(masker, exchange.response_body) if exchange else None,
        "redirects": [
            masker.mask(shown_redirect(n, hop)) for n, hop in enumerate(exchange.redirects, 1)
        ]
        if exchange
        else [],
        "parts": [masker.mask(shown_part(part)) for part in exchange.request_parts]
        if exchange
        else [],
        "console": list(result.console),
    }


def _headers(pairs: list[tuple[str, str]]) -> list[list[str]]:
    return [[k, MASK if k.lower() in SENSITIVE_HEADERS else str(v)] for k, v in pairs]


def _text(value: JSON) -> str:
    """Returns a value as the JSON text a reader expects (`"a"`, `3`, `null`)."""
    if value is None:
        return "null"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:
        return str(value)


def _cap(masker: Masker, body: str | None) -> str | None:
    """Returns the masked body cut to BODY_LIMIT characters, with a marker saying how much.

    Masking comes first: cutting first could leave the prefix of a secret in the page.
    """
    if body is None:
        return None
    body = masker.mask(body)
    if len(body) <= BODY_LIMIT:
        return body
    return body[:BODY_LIMIT] + f"\n… {len(body) - BODY_LIMIT} more characters not shown"
