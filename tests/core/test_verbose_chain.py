"""--verbose shows the redirect chain hop by hop and multipart bodies as parts, not bytes;
the JSON report and --curl keep the same."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from support.local_server import LocalServer

from core.conftest import run_cli, write_json

SECRET = "k3y-in-the-location"


def _run(tmp_path: Path, *items: dict[str, object], args: tuple[str, ...] = ()) -> tuple[str, dict]:
    coll = write_json(tmp_path / "c.json", {"name": "chain", "items": list(items)})
    report = tmp_path / "r.json"
    result = run_cli("run", coll, "-v", "--json", report, "--var", f"apiKey={SECRET}", *args)
    assert result.code == 0, result.text
    assert SECRET not in result.text and SECRET not in report.read_text()
    return result.out, json.loads(report.read_text())["results"]


def test_verbose_prints_each_redirect_before_the_response(
    tmp_path: Path, server: LocalServer
) -> None:
    out, results = _run(
        tmp_path,
        {
            "name": "hops",
            "method": "POST",
            "url": f"{server.url}/redirect/2",
            "assert": {"status": 200},
        },
    )
    lines = out.splitlines()
    first = lines.index(
        f"      ↪ redirect 1: POST {server.url}/redirect/2 → 302, Location: /redirect/1"
    )
    second = lines.index(f"      ↪ redirect 2: GET {server.url}/redirect/1 → 302, Location: /json")
    response = next(i for i, line in enumerate(lines) if line.startswith("      < "))
    request = lines.index(f"      > POST {server.url}/redirect/2")
    assert request < first < second < response
    assert results[0]["exchange"]["redirects"] == [
        {
            "method": "POST",
            "url": f"{server.url}/redirect/2",
            "status": 302,
            "location": "/redirect/1",
        },
        {"method": "GET", "url": f"{server.url}/redirect/1", "status": 302, "location": "/json"},
    ]


def test_a_request_without_redirects_shows_no_chain(tmp_path: Path, server: LocalServer) -> None:
    out, results = _run(tmp_path, {"name": "plain", "url": f"{server.url}/json"})
    assert "↪" not in out
    assert results[0]["exchange"]["redirects"] == []


def test_a_secret_in_a_location_is_masked(tmp_path: Path, server: LocalServer) -> None:
    to = quote("/json?key=", safe="/") + "<<apiKey>>"
    out, results = _run(
        tmp_path,
        {"name": "away", "url": f"{server.url}/cookies/raw?to={to}", "assert": {"status": 200}},
    )
    assert "→ 302, Location: /json?key=***" in out
    assert results[0]["exchange"]["redirects"][0]["location"] == "/json?key=***"


def test_not_following_redirects_shows_no_chain(tmp_path: Path, server: LocalServer) -> None:
    out, _ = _run(
        tmp_path,
        {"name": "no", "url": f"{server.url}/redirect/2", "followRedirects": False,
         "assert": {"status": 302}},
    )  # fmt: skip
    assert "↪" not in out
    assert "      < Location: /redirect/1" in out


def test_verbose_prints_multipart_parts_not_bytes(tmp_path: Path, server: LocalServer) -> None:
    (tmp_path / "notes.txt").write_text("first line\nsecond line\n" + "x" * 400)
    (tmp_path / "blob.bin").write_bytes(b"\x00\xff\x10\x80")
    out, results = _run(
        tmp_path,
        {
            "name": "upload",
            "method": "POST",
            "url": f"{server.url}/echo",
            "body": {
                "multipart": {
                    "note": "hello parts",
                    "token": "<<apiKey>>",
                    "doc": {"file": "notes.txt"},
                    "blob": {"file": "blob.bin"},
                }
            },
            "assert": {
                "jsonpath": {"$.files.blob.filename": "blob.bin", "$.form.note": "hello parts"}
            },
        },
        args=("--curl",),
    )
    assert "      > multipart body, 4 parts:" in out
    assert "      >   'note', 11 bytes: 'hello parts'" in out
    assert f"      >   'token', {len(SECRET)} bytes: '***'" in out
    doc = next(line for line in out.splitlines() if line.startswith("      >   'doc'"))
    assert doc.startswith(
        "      >   'doc', file 'notes.txt', text/plain, 423 bytes: 'first line\\nsecond"
    )
    assert doc.endswith("…'")
    assert "      >   'blob', file 'blob.bin', application/octet-stream, 4 bytes (binary)" in out
    sent = [line for line in out.splitlines() if line.startswith("      > ")]
    assert not any("Content-Disposition" in line for line in sent)  # not the raw body
    assert "-F 'note=hello parts'" in out and "-F 'token=***'" in out
    assert "-F 'blob=@blob.bin;type=application/octet-stream'" in out
    parts = results[0]["exchange"]["request_parts"]
    assert [p["name"] for p in parts] == ["note", "token", "doc", "blob"]
    assert parts[3] == {
        "name": "blob",
        "filename": "blob.bin",
        "content_type": "application/octet-stream",
        "size": 4,
        "preview": None,
    }
    assert results[0]["exchange"]["request_body"] is None


def test_the_html_report_shows_the_chain_and_the_parts(tmp_path: Path, server: LocalServer) -> None:
    (tmp_path / "blob.bin").write_bytes(b"\x00\xff")
    coll = write_json(
        tmp_path / "c.json",
        {
            "name": "page",
            "items": [
                {"name": "hops", "url": f"{server.url}/redirect/1", "assert": {"status": 200}},
                {
                    "name": "upload",
                    "method": "POST",
                    "url": f"{server.url}/echo",
                    "body": {"multipart": {"token": "<<apiKey>>", "blob": {"file": "blob.bin"}}},
                    "assert": {"status": 200},
                },
            ],
        },
    )
    page = tmp_path / "r.html"
    result = run_cli("run", coll, "--html", page, "--var", f"apiKey={SECRET}")
    assert result.code == 0, result.text
    html = page.read_text()
    assert "<h4>Redirects</h4>" in html
    assert f"redirect 1: GET {server.url}/redirect/1 → 302, Location: /json" in html
    assert "multipart body, 2 part(s):" in html
    assert "file &#39;blob.bin&#39;, application/octet-stream, 2 bytes (binary)" in html
    assert SECRET not in html


def test_a_redirected_request_is_shown_as_it_was_first_sent(
    tmp_path: Path, server: LocalServer
) -> None:
    # The POST's own headers (its Content-Type and Content-Length), not the final GET's, with
    # its body; then the chain; then the request the response answered, and the response.
    item = {"name": "post away", "method": "POST", "url": f"{server.url}/redirect/2",
            "body": {"json": {"name": "Ada"}}, "assert": {"status": 200}}  # fmt: skip
    out, results = _run(tmp_path, item)
    lines = out.splitlines()
    start = lines.index(f"      > POST {server.url}/redirect/2")
    response = next(i for i, line in enumerate(lines) if line.startswith("      < "))
    shown = lines[start:response]
    assert "      > Content-Type: application/json" in shown
    assert "      > Content-Length: 15" in shown
    assert shown[-4:] == [
        "      > }",
        f"      ↪ redirect 1: POST {server.url}/redirect/2 → 302, Location: /redirect/1",
        f"      ↪ redirect 2: GET {server.url}/redirect/1 → 302, Location: /json",
        f"      ↪ final request: GET {server.url}/json",
    ]
    final = next(entry for entry in server.log if entry.path == "/json")
    assert "Content-Type" not in final.headers  # the GET sent none: not shown as the POST's
    exchange = results[0]["exchange"]
    assert exchange["method"] == "POST" and exchange["request_body"] == '{"name": "Ada"}'
    assert ["Content-Type", "application/json"] in exchange["request_headers"]
    assert exchange["final_request"] == {"method": "GET", "url": f"{server.url}/json"}
