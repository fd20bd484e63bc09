"""Issue 10 point 17: bodies are decoded as the response says; JSON that is not UTF-8 says so."""

from __future__ import annotations

import json

from .conftest import run_cli

CAFE_LATIN1 = "caf%C3%A9"  # /ctype sends é as one ISO-8859-1 byte: not UTF-8


def test_latin1_text_follows_the_charset_and_the_text_default(tmp_path, server, coll):
    path = coll(
        {"name": "charset", "url": f"{server.url}/ctype?t=text/plain;%20charset=ISO-8859-1",
         "assert": {"body": "café"}},
        {"name": "no charset", "url": f"{server.url}/ctype?t=text/plain",
         "assert": {"body": {"equals": "café", "length": 4}}},
        {"name": "utf-8", "url": f"{server.url}/echo", "method": "POST",
         "body": {"raw": "café", "contentType": "text/plain; charset=utf-8"},
         "assert": {"jsonpath": {"$.body": "café"}}},
    )  # fmt: skip
    report = tmp_path / "r.json"
    result = run_cli("run", path, "--verbose", "--json", report)
    assert result.code == 0, result.text
    assert "< café" in result.out  # --verbose shows the decoded body
    bodies = [r["exchange"]["response_body"] for r in json.loads(report.read_text())["results"]]
    assert bodies[:2] == ["café", "café"]


def test_json_with_a_byte_that_is_not_utf8_says_so(server, coll):
    url = f"{server.url}/ctype?t=application/json&body=%7B%22a%22%3A%22{CAFE_LATIN1}%22%7D"
    path = coll(
        {"name": "check", "url": url, "assert": {"jsonpath": {"$.a": "café"}}},
        {"name": "capture", "url": url, "capture": {"a": "$.a"}},
    )
    result = run_cli("run", path)
    assert result.code == 1
    reason = (
        "the response body is not valid UTF-8 (byte 0xE9 at offset 9), "
        "and JSON must be UTF-8: the server sent another encoding"
    )
    assert f"cannot evaluate JSONPath $.a: {reason}" in result.out
    assert f"capture a: {reason}" in result.out
    assert "not JSON" not in result.out
