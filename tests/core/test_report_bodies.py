"""Issue 10 point 15: bodies are capped in reports with a marker of what was left out, and
control characters (NUL, BEL, ANSI sequences) never reach the terminal."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

from .conftest import run_cli

BIG = 200_000


def _marker(left_out: int, total: int) -> str:
    return f"… [{left_out} more characters of {total} not shown]"


def test_large_bodies_are_capped_with_a_marker(tmp_path, server, coll):
    payload = "x" * BIG
    path = coll(
        {"name": "big", "method": "POST", "url": f"{server.url}/echo",
         "body": {"raw": payload, "contentType": "text/plain"},
         "assert": {"body": {"equals": "something else"}}},
    )  # fmt: skip
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    result = run_cli("run", path, "--junit", junit, "--json", report)
    assert result.code == 1, result.text
    # Before: each report held the whole body at least once (a 30 MB body gave 63 MB files).
    assert report.stat().st_size < 40_000 and junit.stat().st_size < 40_000
    data = json.loads(report.read_text())["results"][0]
    sent = data["exchange"]["request_body"]
    assert sent == "x" * 4000 + _marker(BIG - 4000, BIG)
    received = data["exchange"]["response_body"]
    assert received.startswith('{"method": "POST"') and "more characters of" in received
    total = len(received.split("… [")[0]) + int(received.split("… [")[1].split()[0])
    assert received.endswith(f"of {total} not shown]") and total > BIG
    actual = data["assertions"][0]["actual"]
    assert actual.startswith('{"method"') and actual.endswith(f"of {total} not shown]")
    failure = ET.parse(junit).find(".//failure")
    assert failure is not None and "not shown]" in failure.text


def test_control_characters_are_escaped_on_the_console(server, coll):
    body = "%00nul%07bel%1b[31mred%0dcr"
    path = coll(
        {"name": "ring\u0007", "url": f"{server.url}/ctype?t=text/plain&body={body}",
         "assert": {"body": {"equals": "plain"}}},
    )  # fmt: skip
    for flag in ("--verbose", "--quiet"):
        result = run_cli("run", path, flag)
        assert result.code == 1
        for raw in ("\x00", "\x07", "\x1b", "\r"):
            assert raw not in result.text, (flag, raw)
        assert "ring\\x07" in result.out
        assert "expected equals 'plain', got '\\x00nul\\x07bel\\x1b[31mred\\rcr'" in result.out
    verbose = run_cli("run", path, "--verbose").out
    assert "< \\x00nul\\x07bel\\x1b[31mred" in verbose  # a CR starts a new shown line


def _verbose_body(out: str, mark: str) -> list[str]:
    """Returns the body lines --verbose printed after `mark` (`>` or `<`), headers left out."""
    lines = [line[8:] for line in out.splitlines() if line.startswith(f"      {mark} ")]
    start = next(i for i, line in enumerate(lines) if line in ("{", "["))
    return lines[start:]


def test_verbose_pretty_prints_a_large_json_body_and_counts_what_it_leaves_out(
    tmp_path, server, coll
):
    # Over the reports' 4,000 characters: --verbose cut the report's shortened text (compact,
    # its marker counted as body) and said 2043 more characters when thousands were left.
    doc = {"items": [{"id": i, "name": f"item {i:04d}", "tags": ["a", "b"]} for i in range(250)]}
    compact = json.dumps(doc, separators=(",", ":"))
    assert len(compact) > 10_000
    pretty = json.dumps(doc, indent=2)
    query = urlencode({"t": "application/json", "body": compact})
    path = coll(
        {"name": "big json", "method": "POST", "url": f"{server.url}/ctype?{query}",
         "body": {"raw": compact, "contentType": "application/json"},
         "assert": {"status": 200}},
    )  # fmt: skip
    report = tmp_path / "r.json"
    result = run_cli("run", path, "--verbose", "--json", report)
    assert result.code == 0, result.text
    expected = [*pretty[:2000].splitlines(), f"… {len(pretty) - 2000} more characters"]
    assert _verbose_body(result.out, ">") == expected
    assert _verbose_body(result.out, "<") == expected
    assert "not shown]" not in result.out  # the reports' marker is not the body
    exchange = json.loads(report.read_text())["results"][0]["exchange"]
    assert exchange["response_body"] == compact[:4000] + _marker(len(compact) - 4000, len(compact))
    assert "response_view" not in exchange  # the console's alone


def test_verbose_counts_what_it_leaves_out_of_a_large_text_body(server, coll):
    text = "".join(f"line {i:05d}\n" for i in range(1000))  # 11,000 characters, not JSON
    path = coll(
        {"name": "big text", "method": "POST", "url": f"{server.url}/echo",
         "body": {"raw": text, "contentType": "text/plain"}},
    )  # fmt: skip
    result = run_cli("run", path, "--verbose")
    assert result.code == 0, result.text
    sent = [line[8:] for line in result.out.splitlines() if line.startswith("      > ")]
    start = sent.index("line 00000")
    assert sent[start:] == [*text[:2000].splitlines(), f"… {len(text) - 2000} more characters"]
