"""`--html FILE`: a self-contained page, checked in a real headless Chromium.

The page must load with no console errors and no network, show the run's counts, filter to
failures, group by iteration and folder, cap bodies, and never contain a secret.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from core.conftest import run_cli, write_json
from support.local_server import LocalServer

from runner.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
SECRET = "hunter2-Sup3r+Secret/Value=="


def _collection(tmp_path: Path) -> Path:
    return write_json(
        tmp_path / "c.json",
        {
            "name": "html report <demo>",
            "items": [
                {
                    "name": "list",
                    "url": "<<base>>/json",
                    "headers": {"X-Api-Key": "<<apiKey>>"},
                    "assert": {"status": 200, "jsonpath": {"$.total": 2}},
                },
                {
                    "name": "Orders",
                    "items": [
                        {
                            "name": "create <b>order</b>",
                            "method": "POST",
                            "url": "<<base>>/echo",
                            "query": {"key": "<<apiKey>>"},
                            "body": {"json": {"key": "<<apiKey>>", "qty": 2}},
                            "assert": {"status": 201, "jsonpath": {"$.json.qty": 2}},
                        },
                        {"name": "later", "url": "<<base>>/json", "skip": True},
                    ],
                },
                {"name": "unreachable", "url": "http://127.0.0.1:9/nothing", "timeoutMs": 2000},
            ],
        },
    )


def _run(tmp_path: Path, server: LocalServer, *extra: str) -> tuple[int, Path]:
    html = tmp_path / "out" / "report.html"
    result = run_cli(
        "run",
        _collection(tmp_path),
        "--var",
        f"base={server.url}",
        "--var",
        f"apiKey={SECRET}",
        "--html",
        html,
        *extra,
    )
    assert html.is_file(), result.text
    return result.code, html


def _encodings(secret: str) -> list[str]:
    return [
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
        base64.b64encode(secret.encode()).decode(),
        json.dumps(secret)[1:-1],
        secret[:12],  # a prefix is a leak too
    ]


def test_html_report_in_chromium(tmp_path: Path, server: LocalServer, browser: Any) -> None:
    code, html = _run(tmp_path, server, "-n", "2")
    assert code == 1
    text = html.read_text("utf-8")
    # Self-contained: nothing is fetched from anywhere.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    for form in _encodings(SECRET):
        assert form not in text, form

    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith("file:") else problems.append(r.url))
    page.goto(html.as_uri())

    # Two iterations of: list (passed), create order (failed), later (skipped), unreachable.
    assert page.inner_text("#count-passed") == "2"
    assert page.inner_text("#count-failed") == "2"
    assert page.inner_text("#count-errors") == "2"
    assert page.inner_text("#count-skipped") == "2"
    assert page.inner_text("#count-requests") == "6"
    assert page.inner_text("#verdict") == "FAILED"
    assert page.locator("section.iter").count() == 2
    assert page.locator("section.iter h3").all_inner_texts() == ["Orders", "Orders"]
    # Names are escaped, not interpreted as markup.
    assert page.locator("details.req .name", has_text="create <b>order</b>").count() == 2
    assert page.locator("details.req b").count() == 0
    # Skipped requests took no time: the timeline shows the six that ran.
    assert page.locator("#timeline .tl-bar").count() == 6

    failed = page.locator("details.req.o-failed").first
    failed.locator("summary").click()
    row = failed.locator("table.assertions tr.a-fail")
    assert row.count() == 1
    assert row.locator("td").nth(1).inner_text() == "201"
    assert row.locator("td").nth(2).inner_text() == "200"

    passed = page.locator("details.req.o-passed").first
    assert passed.is_visible()
    page.click("#show-failures")
    assert not passed.is_visible()
    assert page.locator("details.req.o-skipped").first.is_visible() is False
    visible = [
        el for el in page.locator("details.req").all() if el.is_visible()
    ]  # failed and errored ones only
    assert len(visible) == 4
    assert all(el.get_attribute("data-outcome") in ("failed", "error") for el in visible)
    page.click("#show-all")
    assert passed.is_visible()

    dom = page.evaluate("document.documentElement.outerHTML")
    for form in _encodings(SECRET):
        assert form not in dom, form
    assert problems == []
    page.close()


def test_html_report_all_passed_and_failure_filter_empty(
    tmp_path: Path, server: LocalServer, browser: Any
) -> None:
    coll = write_json(
        tmp_path / "ok.json",
        {
            "name": "fine",
            "items": [{"name": "a", "url": f"{server.url}/json", "assert": {"status": 200}}],
        },
    )
    html = tmp_path / "ok.html"
    result = run_cli("run", coll, "--html", html)
    assert result.code == 0, result.text
    page = browser.new_page()
    page.goto(html.as_uri())
    assert page.inner_text("#verdict") == "PASSED"
    assert not page.is_visible("#no-failures")
    page.click("#show-failures")
    assert page.is_visible("#no-failures")
    page.close()


def test_html_report_shows_token_steps(tmp_path: Path) -> None:
    html = tmp_path / "graph.html"
    with Emulator() as emulator:
        result = run_cli(
            "run",
            REPO / "collections" / "graph-users.json",
            "-e",
            REPO / "environments" / "emulator.json",
            "--var",
            f"emulatorUrl={emulator.url}",
            "--html",
            html,
        )
    assert result.code == 0, result.text
    text = html.read_text("utf-8")
    assert re.search(r'id="count-tokens">1<', text)
    assert '<span class="badge">token</span>' in text
    assert "emulator-secret-valid-NOT-REAL" not in text


def test_html_report_caps_long_bodies(tmp_path: Path, server: LocalServer) -> None:
    from runner.report.html import BODY_LIMIT

    big = "x" * (BODY_LIMIT * 4)
    coll = write_json(
        tmp_path / "big.json",
        {
            "name": "big",
            "items": [
                {
                    "name": "echo big",
                    "method": "POST",
                    "url": f"{server.url}/echo",
                    "body": {"raw": big, "contentType": "text/plain"},
                    "assert": {"status": 500},
                }
            ],
        },
    )
    html = tmp_path / "big.html"
    result = run_cli("run", coll, "--html", html)
    assert result.code == 1
    text = html.read_text("utf-8")
    # Whatever the engine keeps of a body, the page holds at most BODY_LIMIT of it.
    assert "x" * (BODY_LIMIT + 1) not in text
    assert len(text) < BODY_LIMIT * 2


@pytest.mark.parametrize("where", [".", "folder"])
def test_html_report_path_that_is_a_folder_is_invalid_input(
    tmp_path: Path, server: LocalServer, where: str
) -> None:
    target = tmp_path if where == "." else tmp_path / "sub"
    target.mkdir(exist_ok=True)
    coll = write_json(
        tmp_path / "c.json", {"name": "c", "items": [{"name": "a", "url": server.url}]}
    )
    result = run_cli("run", coll, "--html", target)
    assert result.code == 2
    assert "--html" in result.err and "is a folder" in result.err
    assert server.log == []
