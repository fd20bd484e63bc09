"""Bad input: exit 2 before any request, never a traceback; messages name the file, the JSON
pointer and the item path; all problems of a file together; --junit holds one <error>."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from .conftest import run_cli, write_json


def _collection(tmp_path, *items, **extra):
    """Writes a collection named c with `items` to tmp_path/c.json."""
    return write_json(tmp_path / "c.json", {"name": "c", "items": list(items), **extra})


def _invalid(server, *args):
    """Runs `runner run ARGS` and checks the invalid-input contract; returns stderr."""
    result = run_cli("run", *args)
    assert result.code == 2, result.text
    assert server.log == [], "nothing may be sent for invalid input"
    assert "Traceback" not in result.text
    assert result.out == ""
    return result.err


def test_malformed_json_names_file_line_and_column(tmp_path, server):
    path = tmp_path / "broken.json"
    path.write_text('{"name": "x",\n "items": [\n  {"name": "a", "url": "http://x",}\n ]\n}\n')
    err = _invalid(server, path)
    assert f"{path}: malformed JSON at line 3, column 35" in err
    assert "trailing comma" in err


@pytest.mark.parametrize(
    ("item", "pointer", "message"),
    [
        (
            {"name": "a", "url": "http://x", "headrs": {}},
            "/items/1/items/0/headrs",
            "unknown key 'headrs'\n  hint: did you mean 'headers'?",
        ),
        (
            {"name": "a", "url": "http://x", "timeoutMs": "5"},
            "/items/1/items/0/timeoutMs",
            "expected integer, got string",
        ),
        ({"name": "a"}, "/items/1/items/0", "missing required key 'url'"),
        (
            {"name": "a", "url": "http://x", "body": {"json": {}, "raw": "x"}},
            "/items/1/items/0/body",
            "a body needs exactly one of json, form, multipart, raw, file",
        ),
        (
            {"name": "a", "url": "http://x", "assert": {"status": {"equal": 200}}},
            "/items/1/items/0/assert/status/equal",
            "did you mean 'equals'?",
        ),
        (
            {"name": "a", "url": "http://x", "assert": {"jsonpath": {"$.a": {"matchez": "x"}}}},
            "/items/1/items/0/assert/jsonpath/$.a/matchez",
            "did you mean 'matches'?",
        ),
        (
            {"name": "a", "url": "http://x", "assert": {"body": {"matches": "(unclosed"}}},
            "/items/1/items/0/assert/body/matches",
            "invalid regular expression",
        ),
        (
            {"name": "a", "url": "http://x", "assert": {"jsonpath": {"$.a[": 1}}},
            "/items/1/items/0/assert/jsonpath/$.a[",
            "invalid JSONPath '$.a['",
        ),
        (
            {"name": "a", "url": "http://x", "assert": {"jsonpath": {"$.a & $.b": 1}}},
            "/items/1/items/0/assert/jsonpath/$.a & $.b",
            "invalid JSONPath '$.a & $.b': jsonpath-ng cannot evaluate it",
        ),
        (
            {"name": "a", "url": "http://x", "capture": {"v": "$..["}},
            "/items/1/items/0/capture/v",
            "invalid JSONPath '$..['",
        ),
        (
            {"name": "a", "url": "http://<<hots>>/x"},
            "/items/1/items/0/url",
            "undefined variable <<hots>>",
        ),
        (
            {"name": "a", "url": "http://x", "body": {"file": "nope.bin"}},
            "/items/1/items/0/body",
            "body file not found",
        ),
        (
            {"name": "a", "url": "http://x", "auth": {"type": "bearer", "tokn": "t"}},
            "/items/1/items/0/auth/tokn",
            "unknown key 'tokn' for auth type 'bearer'\n  hint: did you mean 'token'?",
        ),
    ],
)
def test_located_problem(tmp_path, server, item, pointer, message):
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "c",
            "variables": {"host": "h"},
            "items": [
                {"name": "first", "url": "http://x"},
                {"name": "Folder", "items": [item]},
            ],
        },
    )
    err = _invalid(server, path)
    assert f"{path}#{pointer} (Folder › a): " in err
    assert message in err


def test_wrong_type_at_top_level_and_unknown_top_key(tmp_path, server):
    path = write_json(tmp_path / "c.json", {"name": "c", "itemz": [], "items": {}})
    err = _invalid(server, path)
    assert f"{path}#/itemz: unknown key 'itemz'" in err and "did you mean 'items'?" in err
    assert f"{path}#/items: expected array, got object" in err
    assert "2 problems found" in err


def test_all_problems_of_a_file_reported_together(tmp_path, server):
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "c",
            "items": [
                {"name": "a", "url": "http://x", "body": {"json": 1, "raw": "x"}},
                {"name": "b", "url": "http://x", "assert": {"body": {"matches": "(("}}},
                {"name": "c", "url": "http://x", "assert": {"jsonpath": {"$[": 1}}},
            ],
        },
    )
    err = _invalid(server, path)
    assert "3 problems found" in err
    assert "#/items/0/body (a)" in err
    assert "#/items/1/assert/body/matches (b)" in err
    assert "#/items/2/assert/jsonpath/$[ (c)" in err


def test_undefined_variable_lists_names_and_suggests(tmp_path, server):
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "c",
            "variables": {"baseUrl": "http://x"},
            "items": [{"name": "a", "url": "<<baseUrl>>/<<tenantld>>"}],
        },
    )
    env = write_json(tmp_path / "e.json", {"variables": {"tenantId": "t"}})
    err = _invalid(server, path, "-e", env, "--var", "region=eu")
    assert "undefined variable <<tenantld>>" in err
    assert "did you mean <<tenantId>>?" in err
    assert "defined: baseUrl, region, tenantId" in err
    assert "#/items/0/url (a)" in err


def test_undefined_env_reference(tmp_path, server):
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "c",
            "items": [
                {"name": "a", "url": "http://x", "headers": {"X-Key": "<<$env.CORE_NOT_SET>>"}}
            ],
        },
    )
    err = _invalid(server, path)
    assert "#/items/0/headers/X-Key (a): undefined variable <<$env.CORE_NOT_SET>>" in err


def test_undefined_env_reference_hint_says_where_the_process_environment_is_set(
    tmp_path, server, monkeypatch
):
    """<<$env.NAME>> reads the process environment: --var and -e cannot define it, so the
    hint says to set it in the shell or in .env, and a did-you-mean reads as a sentence."""
    monkeypatch.setenv("CORE_PLAINVAR", "x")
    monkeypatch.delenv("CORE_PLAINVAR")  # unset now, and unset again after the test
    url = f"{server.url}/json?v=<<$env.CORE_PLAINVAR>>"
    path = write_json(tmp_path / "c.json", {"name": "c", "items": [{"name": "a", "url": url}]})
    fix = (
        "set CORE_PLAINVAR in the shell's environment (export CORE_PLAINVAR=…) or in a .env "
        "file (./.env is read; --dotenv FILE for another); -e and --var define "
        "<<CORE_PLAINVAR>>, not <<$env.CORE_PLAINVAR>>"
    )
    err = _invalid(server, path)
    assert "undefined variable <<$env.CORE_PLAINVAR>> (not set in the process environment)" in err
    assert f"  hint: {fix}\n" in err and "--var NAME=VALUE" not in err
    # --var defines <<CORE_PLAINVAR>>: offered as what may have been meant, once, no "?;".
    err = _invalid(server, path, "--var", "CORE_PLAINVAR=x")
    assert f"  hint: did you mean <<CORE_PLAINVAR>>? {fix}\n" in err
    assert "?;" not in err and "defined:" not in err
    # The fix the hint gives works: a .env file sets it.
    dotenv = tmp_path / "vars.env"
    dotenv.write_text("CORE_PLAINVAR=from-dotenv\n", encoding="utf-8")
    assert run_cli("validate", path, "--dotenv", dotenv).code == 0


def test_variable_captured_by_an_earlier_request_is_fine(tmp_path, server):
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "c",
            "items": [
                {"name": "a", "url": f"{server.url}/json", "capture": {"total": "$.total"}},
                {"name": "b", "url": f"{server.url}/echo", "query": {"t": "<<total>>"}},
            ],
        },
    )
    result = run_cli("validate", path)
    assert result.code == 0, result.err
    assert run_cli("run", path).code == 0
    assert server.log[-1].query == {"t": ["2"]}


def test_variable_captured_only_by_a_later_request_is_an_error(tmp_path, server):
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "c",
            "items": [
                {"name": "b", "url": f"{server.url}/echo", "query": {"t": "<<total>>"}},
                {"name": "a", "url": f"{server.url}/json", "capture": {"total": "$.total"}},
            ],
        },
    )
    err = _invalid(server, path)
    assert "undefined variable <<total>>" in err and "nor captured by an earlier request" in err


def test_capture_that_did_not_happen_is_a_runtime_error(tmp_path, server):
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "c",
            "items": [
                {"name": "a", "url": f"{server.url}/json", "capture": {"tok": "$.absent"}},
                {"name": "b", "url": f"{server.url}/echo", "query": {"t": "<<tok>>"}},
                {"name": "c", "url": f"{server.url}/json"},
            ],
        },
    )
    result = run_cli("run", path)
    assert result.code == 1
    errors = [ln.strip() for ln in result.out.splitlines() if ln.strip().startswith("error:")]
    assert len(errors) == 1 and "<<tok>>" in errors[0], result.out
    assert server.paths() == ["/json", "/json"]  # b was not sent, c still ran


@pytest.mark.parametrize("option", ["-e", "-g", "-d"])
def test_missing_input_files(tmp_path, server, option):
    path = _collection(tmp_path, {"name": "a", "url": "http://x"})
    err = _invalid(server, path, option, tmp_path / "absent.file")
    assert f"{tmp_path / 'absent.file'}: file not found" in err


def test_missing_collection_and_all_inputs_reported_together(tmp_path, server):
    err = _invalid(server, tmp_path / "c.json", "-e", tmp_path / "e.json", "-d", tmp_path / "d.csv")
    assert "3 problems found" in err


def test_missing_multipart_file(tmp_path, server):
    path = write_json(
        tmp_path / "c.json",
        {
            "name": "c",
            "items": [
                {
                    "name": "up",
                    "url": "http://x",
                    "body": {"multipart": {"f": {"file": "gone.txt"}}},
                }
            ],
        },
    )
    err = _invalid(server, path)
    assert "#/items/0/body (up): body file not found" in err and "gone.txt" in err


def test_ragged_csv(tmp_path, server):
    data = tmp_path / "rows.csv"
    data.write_text("a,b\n1,2\n3\n")
    path = _collection(tmp_path, {"name": "a", "url": "http://x"})
    err = _invalid(server, path, "-d", data)
    assert f"{data}#/1: row 3 has 1 values but the header has 2 columns" in err


def test_json_data_must_be_array_of_objects(tmp_path, server):
    data = write_json(tmp_path / "rows.json", [{"a": 1}, 5])
    path = _collection(tmp_path, {"name": "a", "url": "http://x"})
    err = _invalid(server, path, "-d", data)
    assert f"{data}#/1: each row must be an object" in err


def test_invalid_environment_file(tmp_path, server):
    env = write_json(tmp_path / "e.json", {"name": "e", "variables": {}, "secretz": []})
    path = _collection(tmp_path, {"name": "a", "url": "http://x"})
    err = _invalid(server, path, "-e", env)
    assert f"{env}#/secretz: unknown key 'secretz'" in err


def test_var_without_equals(tmp_path, server):
    path = _collection(tmp_path, {"name": "a", "url": "http://x"})
    err = _invalid(server, path, "--var", "region")
    assert "--var 'region' is not NAME=VALUE" in err


def test_junit_holds_one_error_testcase_for_invalid_input(tmp_path, server):
    path = _collection(tmp_path, {"name": "a", "url": "<<nope>>"})
    junit = tmp_path / "out" / "junit.xml"
    _invalid(server, path, "--junit", junit)
    cases = list(ET.parse(junit).iter("testcase"))
    assert len(cases) == 1
    error = cases[0].find("error")
    assert error is not None
    assert "undefined variable <<nope>>" in error.get("message")
    assert "#/items/0/url" in error.get("message")


def test_junit_error_testcase_lists_every_problem(tmp_path, server):
    path = _collection(tmp_path, {"name": "a"}, {"name": "b"})
    junit = tmp_path / "junit.xml"
    _invalid(server, path, "--junit", junit)
    error = ET.parse(junit).find(".//error")
    assert error is not None
    assert "#/items/0" in error.text and "#/items/1" in error.text


def test_validate_exits_2_for_each_kind_of_problem(tmp_path, server):
    path = _collection(tmp_path, {"name": "a", "url": "<<nope>>"})
    result = run_cli("validate", path)
    assert result.code == 2
    assert "undefined variable <<nope>>" in result.err
    assert server.log == []


def test_schema_reference_is_allowed_and_published(tmp_path, server):
    from importlib import resources

    schema = resources.files("runner.schemas").joinpath("collection.schema.json")
    assert schema.is_file()
    path = write_json(
        tmp_path / "c.json",
        {
            "$schema": str(schema),
            "name": "c",
            "items": [{"name": "a", "url": f"{server.url}/json"}],
        },
    )
    assert run_cli("validate", path).code == 0


def test_json_cut_after_a_newline(tmp_path, server):
    path = tmp_path / "c.json"
    path.write_text('{"name": "c",\n')
    err = _invalid(server, path)
    assert f"{path}: malformed JSON at line 2, column 1" in err


def test_odd_length_utf16_without_bom(tmp_path, server):
    path = tmp_path / "c.json"
    path.write_bytes(b"{\x00\x00")
    err = _invalid(server, path)
    assert f"{path}: not UTF-16 text" in err


def test_utf16_and_utf8_bom_files_are_read(tmp_path, server):
    doc = {"name": "bom", "items": [{"name": "a", "url": f"{server.url}/json"}]}
    text = json.dumps(doc)
    for encoding in ("utf-16", "utf-8-sig"):
        path = tmp_path / f"{encoding}.json"
        path.write_bytes(text.encode(encoding))
        result = run_cli("validate", path)
        assert result.code == 0, result.err


@pytest.mark.parametrize("flag", ["--junit", "--json"])
def test_unwritable_report_path_is_invalid_input(tmp_path, server, flag):
    (tmp_path / "afile").write_text("")
    (tmp_path / "adir").mkdir()
    path = _collection(tmp_path, {"name": "a", "url": "http://x"})
    err = _invalid(server, path, flag, tmp_path / "afile" / "report")
    assert f"{flag} {tmp_path / 'afile' / 'report'}: cannot create folder" in err
    err = _invalid(server, path, flag, tmp_path / "adir")
    assert f"{flag} {tmp_path / 'adir'}: is a folder" in err


def test_variable_cycle_is_invalid_input(tmp_path, server):
    path = write_json(tmp_path / "c.json", {
        "name": "c", "variables": {"a": "<<b>>", "b": "x<<a>>", "ok": "<<b2>>", "b2": "y"},
        "items": [{"name": "r", "url": f"{server.url}/<<ok>>/<<a>>"}],
    })  # fmt: skip
    err = _invalid(server, path)
    assert "#/items/0/url (r): variable <<a>> refers to itself: <<a>> → <<b>> → <<a>>" in err
    # A higher scope that breaks the cycle makes it valid.
    assert run_cli("validate", path, "--var", "b=1").code == 0
    data = write_json(tmp_path / "rows.json", [{"a": "1"}])
    assert run_cli("validate", path, "-d", data).code == 0


def test_misspelt_dynamic_value_is_invalid_input(tmp_path, server):
    path = _collection(tmp_path, {"name": "a", "url": f"{server.url}/<<$guidd>>"})
    err = _invalid(server, path)
    assert "#/items/0/url (a): undefined variable <<$guidd>>" in err
    assert "did you mean <<$guid>>?" in err


def test_json_data_that_is_an_object_is_invalid_input(tmp_path, server):
    """Issue 10 point 11: an object ran as one row, and {"rows": [...]} as one row without
    columns (a misleading "undefined variable")."""
    path = _collection(tmp_path, {"name": "a", "url": f"{server.url}/json?u=<<user>>"})
    one = write_json(tmp_path / "one.json", {"user": "ada"})
    err = _invalid(server, path, "-d", one)
    assert f"{one}: data file must be a JSON array of objects (one per iteration)" in err
    assert 'hint: for one iteration, put the object in an array: [{"user": "ada"}]' in err
    assert "undefined variable" not in err
    nested = write_json(tmp_path / "nested.json", {"rows": [{"user": "ada"}]})
    err = _invalid(server, path, "-d", nested)
    assert f"{nested}#/rows: data file must be a JSON array of objects, not an object" in err
    assert "hint: make the array under 'rows' the whole file" in err
    assert "undefined variable" not in err
    junit = tmp_path / "j.xml"
    assert run_cli("validate", path, "-d", nested).code == 2
    assert run_cli("run", path, "-d", nested, "--junit", junit).code == 2
    assert "#/rows" in ET.parse(junit).find(".//error").get("message")


def _postman(tmp_path, *items):
    doc = {
        "info": {"name": "pm", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
        "item": list(items),
    }
    return write_json(tmp_path / "pm.json", doc)


def test_non_http_url_is_invalid_input(tmp_path, server):
    """Issue 10 point 12: `runner validate` accepted an ftp:// URL (native and Postman, also
    when the scheme comes from a variable)."""
    native = _collection(
        tmp_path,
        {"name": "ok", "url": f"{server.url}/json"},
        {"name": "files", "url": "<<files>>/report.csv"},
        variables={"files": "ftp://127.0.0.1:21"},
    )
    result = run_cli("validate", native)
    assert result.code == 2, result.text
    assert (
        f"{native}#/items/1/url (files): unsupported URL scheme 'ftp://' in <<files>>/report.csv"
    ) in result.err
    assert "hint: runner sends HTTP requests: use an http:// or https:// URL" in result.err
    _invalid(server, native)
    postman = _postman(tmp_path, {"name": "ftp", "request": {"url": "FTP://127.0.0.1/f"}})
    result = run_cli("validate", postman)
    assert result.code == 2
    assert f"{postman}#/item/0/request/url (ftp): unsupported URL scheme 'FTP://'" in result.err


def test_script_syntax_error_is_invalid_input_with_the_scripts_line_and_column(tmp_path, server):
    """Issue 10 point 12: a script that is not JavaScript is invalid input before anything is
    sent, at the script's own line and column; it is compiled, never run."""
    lines = ["pm.test('a', function () {", "  if (pm.response.code {", "});"]
    postman = _postman(
        tmp_path,
        {"name": "F", "item": [{
            "name": "R", "request": {"url": f"{server.url}/json"},
            "event": [{"listen": "test", "script": {"exec": lines}}],
        }]},
        {"name": "ok", "request": {"url": f"{server.url}/json"},
         "event": [{"listen": "prerequest",
                    "script": {"exec": ["const x = await Promise.resolve(1);"]}}]},
    )  # fmt: skip
    result = run_cli("validate", postman)
    assert result.code == 2, result.text
    assert (
        f"{postman}#/item/0/item/0/event/0/script/exec (F › R): "
        "JavaScript syntax error at line 2, column 24: Unexpected token '{'"
    ) in result.err
    assert result.err.count("error:") == 1  # top-level await compiles as the engine runs it
    _invalid(server, postman)
    # Compiled, not run: text that tries to close the function body early runs nothing.
    native = _collection(
        tmp_path,
        {"name": "n", "url": f"{server.url}/json",
         "scripts": {"prerequest": ["var ok = 1;", "}); throw new Error('ran'); (function () {"]}},
    )  # fmt: skip
    err = _invalid(server, native)
    assert f"{native}#/items/0/scripts/prerequest (n): JavaScript syntax error" in err
    assert "ran" not in err
