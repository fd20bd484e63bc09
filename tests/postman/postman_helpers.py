"""Small builders for purpose-written Postman files."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path
from typing import Any

from support.echo_server import EchoServers

from runner.cli import main


def write(folder: Path, name: str, doc: Any, encoding: str = "utf-8") -> Path:
    """Writes `doc` as JSON into `folder/name` (utf-8, utf-8-sig or utf-16); returns the path."""
    path = folder / name
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if encoding == "utf-16-le":
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    else:
        path.write_text(text, encoding=encoding)
    return path


V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
V20 = "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"


def collection(*items: Any, schema: str = V21, **extra: Any) -> dict[str, Any]:
    """Returns a minimal Postman collection document holding `items`."""
    return {"info": {"name": "c", "schema": schema}, "item": list(items), **extra}


def request(name: str = "r", **req: Any) -> dict[str, Any]:
    """Returns a request item; keyword arguments go into `request`."""
    req.setdefault("url", "https://example.test/get")
    return {"name": name, "request": req}


# --- purpose-written collections run through the CLI against the echo servers ----------

URL = "https://postman-echo.com/get?user=ada&n=3"


def item(name: str, *test_lines: str, prerequest: tuple[str, ...] = ()) -> dict[str, Any]:
    """Returns a GET item with the given test (and pre-request) script lines."""
    events = [{"listen": "test", "script": {"exec": list(test_lines)}}]
    if prerequest:
        events.append({"listen": "prerequest", "script": {"exec": list(prerequest)}})
    return {"name": name, "event": events, "request": {"method": "GET", "url": URL}}


def run_cli(
    folder: Path, doc: dict[str, Any], echo: EchoServers, *extra: str
) -> tuple[int, str, dict[str, Any]]:
    """Runs `doc` through `runner run`; returns (status, console output, JSON report)."""
    path = write(folder, "libs.postman_collection.json", doc)
    report = folder / "report.json"
    argv = ["run", str(path), "--json", str(report), "--ca-bundle", echo.ca_file, *extra]
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdout=out, stderr=err)
    return status, out.getvalue() + err.getvalue(), json.loads(report.read_text("utf-8"))


def results(report: dict[str, Any]) -> dict[str, list[tuple[str, bool]]]:
    """Returns request name -> [(assertion name, passed)]."""
    return {
        r["name"]: [(a["name"], a["passed"]) for a in r["assertions"]]
        for r in report["results"]
        if r.get("kind", "request") == "request"
    }


def script_errors(report: dict[str, Any]) -> list[str]:
    """Returns every request's error message."""
    return [str(r.get("error")) for r in report["results"] if r.get("error")]
