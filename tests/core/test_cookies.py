"""Cookies: the `cookies` assertion subject, the `cookie` capture, --no-cookies and
`"cookies": false`, and --cookie-jar (a Netscape cookies.txt read before and written after)."""

from __future__ import annotations

import signal
import subprocess
import time
from http.cookiejar import Cookie, MozillaCookieJar
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from support.external import require_tool
from support.local_server import LocalServer
from support.signals import interrupt_run

from core.conftest import run_cli, write_json

SESSION = "s3cr3t-session-value"


def _set(server: LocalServer, *lines: str, to: str | None = None) -> str:
    """Returns the URL of /cookies/raw answering with these Set-Cookie lines."""
    query = "&".join("h=" + quote(line) for line in lines)
    return f"{server.url}/cookies/raw?{query}" + (f"&to={quote(to)}" if to else "")


def _coll(tmp_path: Path, *items: dict[str, Any], **extra: Any) -> Path:
    return write_json(tmp_path / "c.json", {"name": "cookies", "items": list(items), **extra})


def _sent_cookies(server: LocalServer) -> list[str]:
    """Returns the Cookie header of every request the server got, in order."""
    return [seen.headers.get("Cookie", "") for seen in server.log]


def test_cookie_assertions_pass_on_what_the_response_set(
    tmp_path: Path, server: LocalServer
) -> None:
    url = _set(server, f"session={SESSION}; Path=/; HttpOnly; SameSite=Lax", "lang=en; Max-Age=600")
    checks = {
        "session": SESSION,
        "session[Value]": {"matches": "^s3cr3t"},
        "session[HttpOnly]": True,
        "session[Secure]": False,
        "session[SameSite]": "Lax",
        "session[Path]": "/",
        "session[Domain]": "127.0.0.1",
        "session[Expires]": {"exists": False},
        "lang[Expires]": {"after": "now+5m", "before": "now+11m"},
        "lang[Max-Age]": 600,  # a number, as sent (Hurl's cookie "lang[Max-Age]")
        "session[Max-Age]": {"exists": False},  # none was sent
        "absent": {"exists": False},
    }
    coll = _coll(tmp_path, {"name": "login", "url": url, "assert": {"cookies": checks}})
    result = run_cli("run", coll, "-v")
    assert result.code == 0, result.text
    assert "✔ cookies session[HttpOnly] equals" in result.out


def test_a_failed_cookie_assertion_says_what_it_got_masked(
    tmp_path: Path, server: LocalServer
) -> None:
    url = _set(server, f"session={SESSION}; Path=/")
    checks = {"session": "other-value", "session[HttpOnly]": True, "absent": {"exists": True}}
    coll = _coll(tmp_path, {"name": "login", "url": url, "assert": {"cookies": checks}})
    result = run_cli("run", coll, "--json", tmp_path / "r.json")
    assert result.code == 1
    assert "cookies session: expected equals 'other-value', got '***'" in result.out
    assert "cookies session[HttpOnly]: expected equals true, got false" in result.out
    assert "cookies absent: expected exists true, got nothing (absent)" in result.out
    assert SESSION not in result.text
    assert SESSION not in (tmp_path / "r.json").read_text()


def test_max_age_is_what_the_response_sent_captured_as_a_number(
    tmp_path: Path, server: LocalServer
) -> None:
    coll = _coll(
        tmp_path,
        {
            "name": "sets",
            "url": _set(server, "lang=en; Path=/; max-age=600", to="/json"),  # any case
            "assert": {"cookies": {"lang[Max-Age]": {"gt": 599, "lt": 601}}},
            "capture": {"age": {"cookie": "lang[Max-Age]"}},
        },
        {
            "name": "later",
            "url": f"{server.url}/echo",
            "headers": {"X-Age": "<<age>>"},
            # The jar's cookie: this response did not send it, so no Max-Age either.
            "assert": {"cookies": {"lang": "en", "lang[Max-Age]": {"exists": False}}},
        },
    )
    result = run_cli("run", coll, "-v")
    assert result.code == 0, result.text
    assert server.log[-1].headers["X-Age"] == "600"
    assert "✔ cookies lang[Max-Age] gt" in result.out
    bad = {"name": "bad", "url": f"{server.url}/json", "capture": {"x": {"cookie": "a[MaxAge]"}}}
    result = run_cli("run", _coll(tmp_path, bad))
    assert result.code == 2 and "#/items/0/capture/x" in result.err
    assert "Max-Age" in result.err  # the fix lists it among the attributes
    assert server.log[-1].path == "/echo"  # nothing more was sent


def test_a_cookie_set_before_a_redirect_is_seen_after_it(
    tmp_path: Path, server: LocalServer
) -> None:
    url = _set(server, f"session={SESSION}; Path=/", to="/json")
    check = {"status": 200, "cookies": {"session": {"exists": True}}}
    coll = _coll(tmp_path, {"name": "login", "url": url, "assert": check})
    assert run_cli("run", coll).code == 0


def test_a_cookie_the_response_removes_is_absent(tmp_path: Path, server: LocalServer) -> None:
    coll = _coll(
        tmp_path,
        {"name": "login", "url": _set(server, f"session={SESSION}; Path=/")},
        {
            "name": "logout",
            "url": _set(server, "session=; Path=/; Max-Age=0"),
            "assert": {"cookies": {"session": {"exists": False}}},
        },
        {
            "name": "after",
            "url": f"{server.url}/cookies",
            "assert": {"jsonpath": {"$.cookie": ""}},
        },
    )
    result = run_cli("run", coll)
    assert result.code == 0, result.text


def test_the_jar_sends_cookies_on_later_requests_and_answers_assertions(
    tmp_path: Path, server: LocalServer
) -> None:
    coll = _coll(
        tmp_path,
        {"name": "set", "url": f"{server.url}/cookies/set?flavour=oatmeal"},
        {
            "name": "later",
            "url": f"{server.url}/cookies",
            # Not set by this response: the jar's cookie for the URL.
            "assert": {
                "cookies": {"flavour": "oatmeal"},
                "jsonpath": {"$.cookie": "flavour=oatmeal"},
            },
        },
    )
    result = run_cli("run", coll)
    assert result.code == 0, result.text
    assert _sent_cookies(server) == ["", "flavour=oatmeal"]


def test_a_cookie_captured_into_a_variable_is_used_later(
    tmp_path: Path, server: LocalServer
) -> None:
    coll = _coll(
        tmp_path,
        {
            "name": "login",
            "url": _set(server, f"session={SESSION}; Path=/; Secure"),
            "capture": {"sid": {"cookie": "session"}, "secure": {"cookie": "session[Secure]"}},
        },
        {
            "name": "use",
            "url": f"{server.url}/echo",
            "headers": {"X-Session": "<<sid>>", "X-Secure": "<<secure>>"},
            "cookies": False,
        },
    )
    result = run_cli("run", coll, "-v")
    assert result.code == 0, result.text
    used = server.log[-1]
    assert used.headers["X-Session"] == SESSION
    assert used.headers["X-Secure"] == "true"
    # A Secure cookie is not sent over plain http, and this request uses no cookies anyway.
    assert "Cookie" not in used.headers
    assert SESSION not in result.text  # a cookie value is a credential wherever it shows


def test_capturing_a_cookie_that_is_not_there_is_an_error(
    tmp_path: Path, server: LocalServer
) -> None:
    coll = _coll(
        tmp_path,
        {"name": "none", "url": f"{server.url}/json", "capture": {"x": {"cookie": "nope"}}},
    )
    result = run_cli("run", coll)
    assert result.code == 1
    assert "capture x: no cookie 'nope' was set or is in the jar" in result.out


def _three(server: LocalServer, **second: Any) -> list[dict[str, Any]]:
    return [
        {"name": "set", "url": f"{server.url}/cookies/set?flavour=oatmeal"},
        {"name": "second", "url": f"{server.url}/cookies", **second},
        {"name": "third", "url": f"{server.url}/cookies"},
    ]


def test_no_cookies_keeps_no_jar(tmp_path: Path, server: LocalServer) -> None:
    items = _three(server, assert_={})
    items[0]["assert"] = {"cookies": {"flavour": "oatmeal"}}  # what the response set: seen
    items[1] = {
        "name": "second",
        "url": f"{server.url}/cookies",
        "assert": {"cookies": {"flavour": {"exists": False}}},
    }
    result = run_cli("run", _coll(tmp_path, *items), "--no-cookies")
    assert result.code == 0, result.text
    assert _sent_cookies(server) == ["", "", ""]
    # Without the flag the same collection fails: the jar holds the cookie.
    server.clear()
    assert run_cli("run", _coll(tmp_path, *items)).code == 1
    assert _sent_cookies(server) == ["", "flavour=oatmeal", "flavour=oatmeal"]


def test_a_request_with_cookies_false_neither_sends_nor_keeps(
    tmp_path: Path, server: LocalServer
) -> None:
    run = run_cli("run", _coll(tmp_path, *_three(server, cookies=False)))
    assert run.code == 0, run.text
    assert _sent_cookies(server) == ["", "", "flavour=oatmeal"]
    server.clear()
    items = _three(server)
    items[0]["cookies"] = False  # set, but not kept
    assert run_cli("run", _coll(tmp_path, *items)).code == 0
    assert _sent_cookies(server) == ["", "", ""]


def test_cookies_false_on_a_folder_or_collection_the_nearest_wins(
    tmp_path: Path, server: LocalServer
) -> None:
    items = [
        {"name": "set", "url": f"{server.url}/cookies/set?flavour=oatmeal", "cookies": True},
        {
            "name": "folder",
            "cookies": True,
            "items": [{"name": "in folder", "url": f"{server.url}/cookies"}],
        },
        {"name": "outside", "url": f"{server.url}/cookies"},
    ]
    result = run_cli("run", _coll(tmp_path, *items, cookies=False))
    assert result.code == 0, result.text
    assert _sent_cookies(server) == ["", "flavour=oatmeal", ""]


def _jar_file(path: Path, *cookies: tuple[str, str, float | None]) -> Path:
    jar = MozillaCookieJar()
    for name, value, expires in cookies:
        jar.set_cookie(
            Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False,
                   int(expires) if expires else None, expires is None, None, None, {})
        )  # fmt: skip
    jar.save(str(path), ignore_discard=True)
    return path


def test_cookie_jar_is_read_before_and_written_after_the_run(
    tmp_path: Path, server: LocalServer
) -> None:
    jar = _jar_file(tmp_path / "cookies.txt", ("loaded", "from-file", time.time() + 3600))
    coll = _coll(
        tmp_path,
        {"name": "sends", "url": f"{server.url}/cookies"},
        {"name": "sets", "url": _set(server, "fresh=new-value; Path=/; Max-Age=3600; HttpOnly")},
        {"name": "session", "url": _set(server, "visit=1; Path=/")},
    )
    result = run_cli("run", coll, "--cookie-jar", jar)
    assert result.code == 0, result.text
    assert _sent_cookies(server)[0] == "loaded=from-file"
    saved = MozillaCookieJar()
    saved.load(str(jar), ignore_discard=True, ignore_expires=True)  # expiry 0: no expiry
    found = {c.name: c for c in saved}
    assert found["loaded"].value == "from-file"
    assert found["fresh"].value == "new-value"
    assert found["fresh"].expires is not None and found["fresh"].expires > time.time() + 3000
    assert "\n#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t" in jar.read_text()  # as curl marks it
    assert found["visit"].expires == 0  # a session cookie is kept, as curl -c writes it


def test_cookie_jar_missing_is_created_even_when_the_run_fails(
    tmp_path: Path, server: LocalServer
) -> None:
    jar = tmp_path / "new" / "jar.txt"
    coll = _coll(
        tmp_path,
        {
            "name": "sets",
            "url": _set(server, f"session={SESSION}; Path=/"),
            "assert": {"status": 500},
        },
    )
    result = run_cli("run", coll, "--cookie-jar", jar)
    assert result.code == 1
    saved = MozillaCookieJar()
    saved.load(str(jar), ignore_discard=True, ignore_expires=True)  # expiry 0: no expiry
    assert [(c.name, c.value) for c in saved] == [("session", SESSION)]


def test_a_curl_jar_with_session_cookies_is_read(tmp_path: Path, server: LocalServer) -> None:
    jar = tmp_path / "curl.txt"
    jar.write_text(
        "# Netscape HTTP Cookie File\n# https://curl.se/docs/http-cookies.html\n\n"
        "127.0.0.1\tFALSE\t/\tFALSE\t0\tfromcurl\tyes\n"
        "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t1\tstale\tgone\n"
    )
    coll = _coll(tmp_path, {"name": "sends", "url": f"{server.url}/cookies"})
    assert run_cli("run", coll, "--cookie-jar", jar).code == 0
    assert _sent_cookies(server) == ["fromcurl=yes"]  # expiry 0: a session cookie


def _curl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Returns the run of the real curl (the outside judge of the cookies.txt format) on
    `args`, never through a proxy; skips without curl, except under CI=true where it fails."""
    found = require_tool("curl", "it judges --cookie-jar files")
    command = [found, "-s", "-S", "--noproxy", "*", "--max-time", "30", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_curl_reads_the_jar_runner_writes_session_cookies_included(
    tmp_path: Path, server: LocalServer
) -> None:
    jar = tmp_path / "jar.txt"
    jar.write_text(
        "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123XYZ\n"
    )
    url = _set(server, "visit=1; Path=/", "kept=2; Path=/; Max-Age=600; HttpOnly")
    assert (
        run_cli("run", _coll(tmp_path, {"name": "sets", "url": url}), "--cookie-jar", jar).code == 0
    )
    lines = jar.read_text().splitlines()
    assert "127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123XYZ" in lines  # as curl writes it
    assert "127.0.0.1\tFALSE\t/\tFALSE\t0\tvisit\t1" in lines
    server.clear()
    done = _curl("-b", jar, f"{server.url}/cookies")
    assert done.returncode == 0, done.stderr
    assert sorted(_sent_cookies(server)[0].split("; ")) == [
        "kept=2",
        "session=abc123XYZ",
        "visit=1",
    ]
    # And the other way: the session cookie curl -c writes (expiry 0) is sent by the run.
    written = tmp_path / "curl.txt"
    assert _curl("-c", written, _set(server, "fromcurl=yes; Path=/")).returncode == 0
    assert "\t0\tfromcurl\tyes" in written.read_text()
    server.clear()
    coll = _coll(tmp_path, {"name": "sends", "url": f"{server.url}/cookies"})
    assert run_cli("run", coll, "--cookie-jar", written).code == 0
    assert _sent_cookies(server) == ["fromcurl=yes"]


def test_a_malformed_cookie_jar_is_invalid_input(tmp_path: Path, server: LocalServer) -> None:
    jar = tmp_path / "bad.txt"
    jar.write_text(f"# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tsession\t{SESSION}\n")
    coll = _coll(tmp_path, {"name": "one", "url": f"{server.url}/json"})
    result = run_cli("run", coll, "--cookie-jar", jar)
    assert result.code == 2
    assert "line 2 has 5 tab-separated fields, not 7" in result.err
    assert "Netscape" in result.err
    assert SESSION not in result.text
    assert server.log == []
    assert "Traceback" not in result.text
    jar.write_text('{"not": "a cookies file"}')
    result = run_cli("run", coll, "--cookie-jar", jar)
    assert result.code == 2
    assert "is not a Netscape cookies file: line 1 has 1 tab-separated fields" in result.err
    assert server.log == []


def test_a_jar_without_the_netscape_first_line_is_read_as_curl_reads_it(
    tmp_path: Path, server: LocalServer
) -> None:
    jar = tmp_path / "plain.txt"
    jar.write_text(
        "127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123XYZ\r\n"
        "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tlater\tyes\r\n"
    )
    done = _curl("-b", jar, f"{server.url}/cookies")  # the judge: curl sends both
    assert done.returncode == 0, done.stderr
    coll = _coll(
        tmp_path,
        {
            "name": "sends",
            "url": f"{server.url}/cookies",
            "assert": {"cookies": {"later[HttpOnly]": True, "session[Expires]": {"exists": False}}},
        },
    )
    result = run_cli("run", coll, "--cookie-jar", jar)
    assert result.code == 0, result.text
    by_curl, by_runner = (sorted(sent.split("; ")) for sent in _sent_cookies(server))
    assert by_curl == by_runner == ["later=yes", "session=abc123XYZ"]
    # A line out of the format is still refused, by its number, whatever the first line is.
    jar.write_text(f"127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tok\nsession={SESSION}\n")
    server.clear()
    result = run_cli("run", coll, "--cookie-jar", jar)
    assert result.code == 2
    assert "line 2 has 1 tab-separated fields, not 7" in result.err
    assert SESSION not in result.text
    assert server.log == []


def test_cookie_jar_with_no_cookies_is_refused(tmp_path: Path, server: LocalServer) -> None:
    coll = _coll(tmp_path, {"name": "one", "url": f"{server.url}/json"})
    result = run_cli("run", coll, "--no-cookies", "--cookie-jar", tmp_path / "j.txt")
    assert result.code == 2
    assert "--cookie-jar and --no-cookies" in result.err
    assert server.log == []


def test_cookie_values_from_the_jar_file_are_masked_in_verbose(
    tmp_path: Path, server: LocalServer
) -> None:
    jar = _jar_file(tmp_path / "cookies.txt", ("sid", SESSION, None))
    coll = _coll(
        tmp_path,
        {"name": "echo", "url": f"{server.url}/echo"},
        {"name": "set", "url": _set(server, "other=another-secret-value; Path=/")},
    )
    result = run_cli("run", coll, "--cookie-jar", jar, "-v", "--curl")
    assert result.code == 0, result.text
    assert _sent_cookies(server)[0] == f"sid={SESSION}"
    assert SESSION not in result.text
    assert "another-secret-value" not in result.text
    assert "< Set-Cookie: ***" in result.out


def test_validate_rejects_bad_cookie_settings_with_pointer_and_fix(tmp_path: Path) -> None:
    coll = _coll(
        tmp_path,
        {
            "name": "one",
            "url": "http://127.0.0.1:9/json",
            "cookies": "no",
            "assert": {"cookies": {"session[Secur]": True}},
            "capture": {"x": {"cookie": "a[b][c]"}},
        },
    )
    result = run_cli("validate", coll)
    assert result.code == 2
    assert "#/items/0/cookies" in result.err
    assert "expected boolean, got string" in result.err
    assert "#/items/0/assert/cookies" in result.err
    assert "session[Secur]" in result.err
    assert "HttpOnly" in result.err  # the fix lists the attributes
    assert "#/items/0/capture/x" in result.err


def test_a_capture_of_two_kinds_or_none_is_one_error_at_its_pointer(
    tmp_path: Path, server: LocalServer
) -> None:
    captures = {
        "sid": {"header": "X-Sid", "cookie": "session"},
        "nothing": {},
        "typo": {"cookei": "session"},
    }
    coll = _coll(tmp_path, {"name": "one", "url": f"{server.url}/json", "capture": captures})
    kinds = "a capture takes one of jsonpath, header, regex, status, cookie"
    for command in ("validate", "run"):
        result = run_cli(command, coll)
        assert result.code == 2
        lines = result.err.splitlines()
        assert lines[0] == "error: 3 problems found"
        at = f"error: {coll}#/items/0/capture"
        found = lines.index(f"{at}/sid (one): {kinds} (found: header, cookie)")
        assert (
            lines[found + 1]
            == "  hint: keep one: a capture reads one value (write one capture for each)"
        )
        found = lines.index(f"{at}/nothing (one): {kinds} (found: none)")
        assert '{"cookie": "session"}' in lines[found + 1]  # the hint shows each kind
        found = lines.index(f"{at}/typo (one): {kinds} (found: none)")
        assert lines[found + 1] == "  hint: did you mean 'cookie'?"
        assert "unknown key" not in result.err and "missing required key" not in result.err
    assert server.log == []


def test_the_runner_names_the_attribute_it_meant(tmp_path: Path) -> None:
    from runner.errors import InputErrors
    from runner.loader.build import Builder

    doc = {
        "name": "c",
        "items": [
            {
                "name": "one",
                "url": "http://127.0.0.1:9/",
                "assert": {"cookies": {"sid[Secur]": True, "sid": "x"}},
                "capture": {"v": {"cookie": "sid[httponly]"}},
            }
        ],
    }
    try:
        Builder(doc, tmp_path / "c.json").collection()
    except InputErrors as exc:
        text = exc.render()
    else:
        raise AssertionError("no problem found")
    assert "unknown cookie attribute 'Secur' in 'sid[Secur]'" in text
    assert "did you mean 'sid[Secure]'?" in text
    assert "did you mean 'sid[HttpOnly]'?" in text
    assert "#/items/0/capture/v/cookie" in text


def test_postman_disable_cookies_runs_and_imports_as_cookies_false(
    tmp_path: Path, server: LocalServer
) -> None:
    postman = write_json(
        tmp_path / "p.postman_collection.json",
        {
            "info": {
                "name": "p",
                "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
            },
            "item": [
                {
                    "name": "set",
                    "request": {"method": "GET", "url": f"{server.url}/cookies/set?a=bcd"},
                },
                {
                    "name": "without",
                    "request": {"method": "GET", "url": f"{server.url}/cookies"},
                    "protocolProfileBehavior": {"disableCookies": True},
                },
                {"name": "with", "request": {"method": "GET", "url": f"{server.url}/cookies"}},
            ],
        },
    )
    assert run_cli("run", postman).code == 0
    assert _sent_cookies(server) == ["", "", "a=bcd"]
    native = tmp_path / "native.json"
    assert run_cli("import", postman, "-o", native).code == 0
    server.clear()
    assert run_cli("run", native).code == 0
    assert _sent_cookies(server) == ["", "", "a=bcd"]
    assert '"cookies": false' in native.read_text()


def test_cookie_checks_and_captures_export_to_a_green_pytest_module(
    tmp_path: Path, server: LocalServer
) -> None:
    import subprocess
    import sys

    url = _set(server, f"session={SESSION}; Path=/; HttpOnly; SameSite=Strict; Max-Age=60")
    coll = _coll(
        tmp_path,
        {
            "name": "login",
            "url": url,
            "assert": {
                "cookies": {
                    "session": SESSION,
                    "session[HttpOnly]": True,
                    "session[SameSite]": "Strict",
                    "session[Expires]": {"after": "now"},
                    "session[Max-Age]": 60,
                    "gone": {"exists": False},
                }
            },
            "capture": {"sid": {"cookie": "session"}},
        },
        {
            "name": "later",
            "url": f"{server.url}/echo",
            "headers": {"X-Sid": "<<sid>>"},
            "assert": {
                "cookies": {"session": {"exists": True}, "session[Max-Age]": {"exists": False}}
            },
        },
    )
    module = tmp_path / "test_exported.py"
    assert run_cli("export", "pytest", coll, "-o", module).code == 0
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", "/dev/null", "-p", "no:cacheprovider", "-q",
         "-p", "no:xdist", module.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    assert server.log[-1].headers["X-Sid"] == SESSION


def test_a_cookie_set_by_a_redirect_is_masked_too(tmp_path: Path, server: LocalServer) -> None:
    # Not sent on (cookies false) and not among the final response's headers: only the
    # redirect's Set-Cookie carried it.
    url = _set(server, f"session={SESSION}; Path=/", to="/json")
    check = {"cookies": {"session": "other-value"}}
    coll = _coll(tmp_path, {"name": "login", "url": url, "cookies": False, "assert": check})
    result = run_cli("run", coll, "-v")
    assert result.code == 1
    assert "cookies session: expected equals 'other-value', got '***'" in result.out
    assert SESSION not in result.text
    assert [seen.path for seen in server.log] == ["/cookies/raw", "/json"]
    assert "Cookie" not in server.log[1].headers  # not even within the redirect chain


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_cookie_jar_is_written_when_the_run_is_interrupted(
    tmp_path: Path, server: LocalServer, sent: signal.Signals
) -> None:
    jar = tmp_path / "jar.txt"
    items = [
        {"name": "sets", "url": _set(server, f"session={SESSION}; Path=/; Max-Age=600")},
        *({"name": f"slow {i}", "url": f"{server.url}/delay/300"} for i in range(8)),
    ]
    coll = _coll(tmp_path, *items)
    code, out, err = interrupt_run([str(coll), "--cookie-jar", str(jar)], server, sent, tmp_path)
    assert code == (130 if sent == signal.SIGINT else 143), (out, err)
    assert len(server.log) < len(items)  # it was cut short
    saved = MozillaCookieJar()
    saved.load(str(jar))
    assert [(c.name, c.value) for c in saved] == [("session", SESSION)]
    assert SESSION not in out + err


# --- A host name without a dot (localhost): as curl and browsers take it, not as NAME.local ---


def _localhost(server: LocalServer) -> tuple[str, tuple[str, str]]:
    """Returns the server's base URL as http://localhost:PORT and the --connect-to option
    that reaches it on 127.0.0.1 (whatever else `localhost` resolves to)."""
    rule = f"localhost:{server.port}:127.0.0.1:{server.port}"
    return f"http://localhost:{server.port}", ("--connect-to", rule)


def _curl_localhost(server: LocalServer, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Returns the run of curl on `args`, `localhost` resolved to 127.0.0.1 only."""
    return _curl("--resolve", f"localhost:{server.port}:127.0.0.1", *args)


_LOCALHOST_SET = (
    f"session={SESSION}; Path=/; HttpOnly",
    "pref=dark; Path=/; Max-Age=600",
    "dom=1; Path=/; Domain=localhost",
)


def test_localhost_cookies_are_kept_sent_and_read_under_localhost(
    tmp_path: Path, server: LocalServer
) -> None:
    base, connect = _localhost(server)
    url = _set(server, *_LOCALHOST_SET).replace(server.url, base)
    toobject = "JSON.stringify(Object.keys(pm.cookies.toObject()).sort())"
    coll = _coll(
        tmp_path,
        {
            "name": "sets",
            "url": url,
            "assert": {
                "cookies": {
                    "session[Domain]": "localhost",  # not http.cookiejar's localhost.local
                    "pref[Domain]": "localhost",
                    "dom": "1",
                }
            },
            "capture": {"where": {"cookie": "pref[Domain]"}},
        },
        {
            "name": "later",
            "url": f"{base}/cookies",
            "headers": {"X-Where": "<<where>>"},
            # From the jar now: the response set none.
            "assert": {"cookies": {"pref[Domain]": "localhost", "session": SESSION}},
            "scripts": {
                "test": [
                    f"pm.test('jar', () => pm.expect({toobject})"
                    '.to.equal(\'["dom","pref","session"]\'));',
                    "pm.test('domain', () => pm.expect("
                    "pm.cookies.one('session').domain).to.equal('localhost'));",
                ]
            },
        },
        {  # set before a redirect: the next hop gets it
            "name": "redirected",
            "url": _set(server, "hop=2; Path=/", to="/cookies").replace(server.url, base),
        },
    )
    result = run_cli("run", coll, *connect, "-v")
    assert result.code == 0, result.text
    assert "✔ jar" in result.out and "✔ domain" in result.out
    sent = _sent_cookies(server)
    assert sorted(sent[1].split("; ")) == ["dom=1", "pref=dark", f"session={SESSION}"]
    assert server.log[1].headers["X-Where"] == "localhost"
    assert "hop=2" in sent[3].split("; ")


def test_a_localhost_cookie_for_another_domain_is_refused_as_curl_refuses_it(
    tmp_path: Path, server: LocalServer
) -> None:
    base, connect = _localhost(server)
    url = _set(server, "wide=1; Path=/; Domain=local", "own=1; Path=/").replace(server.url, base)
    done = _curl_localhost(server, "-c", tmp_path / "curl.txt", url)  # the judge
    assert done.returncode == 0, done.stderr
    assert "\twide\t" not in (tmp_path / "curl.txt").read_text()
    checks = {"wide": {"exists": False}, "own[Domain]": "localhost"}
    coll = _coll(tmp_path, {"name": "sets", "url": url, "assert": {"cookies": checks}})
    result = run_cli("run", coll, *connect)
    assert result.code == 0, result.text


def test_curl_and_runner_share_a_jar_for_localhost(tmp_path: Path, server: LocalServer) -> None:
    base, connect = _localhost(server)
    url = _set(server, *_LOCALHOST_SET).replace(server.url, base)
    everything = ["dom=1", "pref=dark", f"session={SESSION}"]
    # runner writes, curl reads: the lines name localhost, as curl's own do.
    jar = tmp_path / "jar.txt"
    assert (
        run_cli(
            "run", _coll(tmp_path, {"name": "sets", "url": url}), *connect, "--cookie-jar", jar
        ).code
        == 0
    )
    lines = jar.read_text().splitlines()
    assert f"#HttpOnly_localhost\tFALSE\t/\tFALSE\t0\tsession\t{SESSION}" in lines
    assert ".local\t" not in jar.read_text()
    server.clear()
    done = _curl_localhost(server, "-b", jar, f"{base}/cookies")
    assert done.returncode == 0, done.stderr
    assert sorted(_sent_cookies(server)[0].split("; ")) == everything
    # curl writes, runner reads: every cookie goes out, and the assertions see them.
    written = tmp_path / "curl.txt"
    assert _curl_localhost(server, "-c", written, url).returncode == 0
    assert f"#HttpOnly_localhost\tFALSE\t/\tFALSE\t0\tsession\t{SESSION}" in (
        written.read_text().splitlines()
    )
    server.clear()
    check = {"cookies": {"session[Domain]": "localhost", "pref": "dark", "dom": "1"}}
    coll = _coll(tmp_path, {"name": "sends", "url": f"{base}/cookies", "assert": check})
    result = run_cli("run", coll, *connect, "--cookie-jar", written)
    assert result.code == 0, result.text
    assert sorted(_sent_cookies(server)[0].split("; ")) == everything


def test_a_host_only_cookie_goes_to_its_host_alone_not_its_subdomains(
    tmp_path: Path, server: LocalServer
) -> None:
    port = server.port
    hosts = ("localhost", "a.localhost", "example.test", "www.example.test")
    connect = [a for h in hosts for a in ("--connect-to", f"{h}:{port}:127.0.0.1:{port}")]
    url = _set(server, "own=1; Path=/").replace("127.0.0.1", "{host}")
    absent = {"cookies": {"own": {"exists": False}}}
    coll = _coll(
        tmp_path,
        {"name": "localhost sets", "url": url.format(host="localhost")},
        {"name": "subdomain", "url": f"http://a.localhost:{port}/cookies", "assert": absent},
        {"name": "dotted sets", "url": url.format(host="example.test")},
        {
            "name": "its subdomain",
            "url": f"http://www.example.test:{port}/cookies",
            "assert": absent,
        },
        {"name": "itself", "url": f"http://example.test:{port}/cookies"},
    )
    jar = tmp_path / "jar.txt"
    result = run_cli("run", coll, *connect, "--cookie-jar", jar)
    assert result.code == 0, result.text
    assert _sent_cookies(server) == ["", "", "", "", "own=1"]
    # The judge: curl, reading that jar, sends the same.
    server.clear()
    resolve = [a for h in hosts for a in ("--resolve", f"{h}:{port}:127.0.0.1")]
    for host in ("a.localhost", "www.example.test", "example.test"):
        done = _curl(*resolve, "-b", jar, f"http://{host}:{port}/cookies")
        assert done.returncode == 0, done.stderr
    assert _sent_cookies(server) == ["", "", "own=1"]


def test_a_cookie_a_script_sets_for_localhost_goes_out_and_is_written(
    tmp_path: Path, server: LocalServer
) -> None:
    base, connect = _localhost(server)
    setter = f"pm.cookies.jar().set('{base}/', 'fromjs', 'v1', function (err) {{}});"
    coll = _coll(
        tmp_path,
        {"name": "sets", "url": f"{base}/json", "scripts": {"prerequest": [setter]}},
        {"name": "sends", "url": f"{base}/cookies", "assert": {"cookies": {"fromjs": "v1"}}},
    )
    jar = tmp_path / "jar.txt"
    result = run_cli("run", coll, *connect, "--cookie-jar", jar)
    assert result.code == 0, result.text
    assert _sent_cookies(server) == ["fromjs=v1", "fromjs=v1"]
    assert "localhost\tFALSE\t/\tFALSE\t0\tfromjs\tv1" in jar.read_text().splitlines()
