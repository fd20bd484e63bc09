"""`runner import`: declarative fields, recognised test patterns, captures, token scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from postman_helpers import collection, request, write

from runner.errors import InputError
from runner.loader import import_environment, import_file

HERE = Path(__file__).parent
TOKEN_SCRIPT = (HERE.parent / "support" / "seed_token_script.js").read_text(encoding="utf-8")


def with_test(name: str, lines: str, **req: Any) -> dict[str, Any]:
    item = request(name, **req)
    item["event"] = [{"listen": "test", "script": {"exec": lines.splitlines()}}]
    return item


def imported(tmp_path: Path, *items: Any, **extra: Any) -> tuple[dict[str, Any], list[str]]:
    return import_file(write(tmp_path, "c.json", collection(*items, **extra)))


def first(doc: dict[str, Any]) -> dict[str, Any]:
    node = doc["items"][0]
    while "items" in node:
        node = node["items"][0]
    return node


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("pm.test('ok', function () { pm.response.to.have.status(200); });", {"status": 200}),
        ("pm.test('ok', () => { pm.expect(pm.response.code).to.eql(201); });", {"status": 201}),
        ('tests["Status code is 200"] = responseCode.code === 200;', {"status": 200}),
        ("pm.expect(pm.response.code).to.be.oneOf([200, 204]);", {"status": [200, 204]}),
        ("pm.response.to.be.success;", {"status": {"gte": 200, "lt": 300}}),
        (
            "pm.test('v', function () {\n  var jsonData = pm.response.json();\n"
            "  pm.expect(jsonData.a.b).to.eql(1);\n});",
            {"jsonpath": {"$.a.b": 1}},
        ),
        (
            "pm.expect(pm.response.json().value).to.be.an('array');",
            {"jsonpath": {"$.value": {"type": "array"}}},
        ),
        (
            "var d = pm.response.json();\npm.expect(d).to.have.property('id');",
            {"jsonpath": {"$.id": {"exists": True}}},
        ),
        (
            "pm.expect(pm.response.json()['@odata.nextLink']).to.not.exist;",
            {"jsonpath": {"$['@odata.nextLink']": {"exists": False}}},
        ),
        (
            "pm.response.to.have.header('Content-Type');",
            {"headers": {"Content-Type": {"exists": True}}},
        ),
        (
            "pm.expect(pm.response.headers.get('Content-Type')).to.include('json');",
            {"headers": {"Content-Type": {"contains": "json"}}},
        ),
        ("pm.expect(pm.response.responseTime).to.be.below(500);", {"responseTime": {"lt": 500}}),
        ("tests['fast'] = responseTime < 200;", {"responseTime": {"lt": 200}}),
        (
            'tests["has"] = responseBody.has("authenticated");',
            {"body": {"contains": "authenticated"}},
        ),
        (
            "var body = JSON.parse(responseBody);\ntests['c'] = 'foo' in body.cookies;",
            {"jsonpath": {"$.cookies.foo": {"exists": True}}},
        ),
        (
            "pm.expect(pm.response.json().id).to.eql(pm.environment.get('id'));",
            {"jsonpath": {"$.id": "<<id>>"}},
        ),
        (
            "pm.test('u', function () {\n  const {url, args} = pm.response.json();\n"
            "  pm.expect(url).to.equal('https://x.test/get');\n"
            "  pm.expect(args).to.have.property('a');\n});",
            {"jsonpath": {"$.url": "https://x.test/get", "$.args.a": {"exists": True}}},
        ),
        (
            "var text = pm.response.text();\npm.expect(text).to.include('POSTMAN');",
            {"body": {"contains": "POSTMAN"}},
        ),
    ],
)
def test_recognised_test_patterns_become_asserts(
    tmp_path: Path, script: str, expected: dict[str, Any]
) -> None:
    doc, warnings = imported(tmp_path, with_test("r", script))
    req = first(doc)
    assert req["assert"] == expected
    assert "scripts" not in req
    assert warnings == []


def test_several_body_contains_merge_into_one_pattern(tmp_path: Path) -> None:
    script = 'tests["a"] = responseBody.has("args");\ntests["b"] = responseBody.has("x.y");'
    doc, _ = imported(tmp_path, with_test("r", script))
    assert first(doc)["assert"] == {"body": {"matches": "(?s)^(?=.*?args)(?=.*?x\\.y)"}}


@pytest.mark.parametrize(
    ("script", "capture"),
    [
        ('pm.environment.set("x", pm.response.json().a.b);', {"x": "$.a.b"}),
        ('postman.setEnvironmentVariable("x", JSON.parse(responseBody).a);', {"x": "$.a"}),
        (
            'pm.collectionVariables.set("t", pm.response.json().access_token);',
            {"t": "$.access_token"},
        ),
        (
            'pm.globals.set("loc", pm.response.headers.get("Location"));',
            {"loc": {"header": "Location"}},
        ),
        ('pm.environment.set("code", pm.response.code);', {"code": {"status": True}}),
    ],
)
def test_setting_variables_from_the_response_becomes_capture(
    tmp_path: Path, script: str, capture: dict[str, Any]
) -> None:
    doc, warnings = imported(tmp_path, with_test("r", script))
    assert first(doc)["capture"] == capture
    assert warnings == []


def test_untranslated_statements_stay_as_scripts_with_one_warning_each(tmp_path: Path) -> None:
    script = (
        "var jsonData = pm.response.json();\n"
        "pm.test('status', function () { pm.response.to.have.status(200); });\n"
        "pm.test('loop', function () {\n"
        "  jsonData.items.forEach(function (i) { pm.expect(i.ok).to.be.true; });\n"
        "});\n"
        "postman.setNextRequest('Next');"
    )
    folder = {"name": "Users", "item": [with_test("Get user", script)]}
    doc, warnings = imported(tmp_path, folder)
    req = first(doc)
    assert req["assert"] == {"status": 200}
    kept = req["scripts"]["test"]
    # The alias stays because the kept code still uses it; recognised code is gone.
    assert kept.startswith("var jsonData = pm.response.json();")
    assert "forEach" in kept and "setNextRequest" in kept and "have.status" not in kept
    assert warnings == [
        "Users › Get user: test script line 1 kept as a script: var jsonData = pm.response.json();",
        "Users › Get user: test script line 3 kept as a script: pm.test('loop', function () {",
        "Users › Get user: test script line 6 kept as a script: postman.setNextRequest('Next');",
    ]


def test_a_partially_recognised_pm_test_stays_whole(tmp_path: Path) -> None:
    script = (
        "pm.test('mixed', function () {\n"
        "  pm.response.to.have.status(200);\n"
        "  pm.expect(Date.now()).to.be.above(0);\n"
        "});"
    )
    doc, warnings = imported(tmp_path, with_test("r", script))
    assert "assert" not in first(doc)
    assert first(doc)["scripts"]["test"] == script
    assert len(warnings) == 1


def test_contradicting_checks_keep_the_second_as_script(tmp_path: Path) -> None:
    script = "pm.response.to.have.status(200);\npm.response.to.have.status(201);"
    doc, warnings = imported(tmp_path, with_test("r", script))
    assert first(doc)["assert"] == {"status": 200}
    assert first(doc)["scripts"]["test"] == "pm.response.to.have.status(201);"
    assert len(warnings) == 1


def test_variables_convert_in_declarative_fields_but_not_in_scripts(tmp_path: Path) -> None:
    item = request(
        "r",
        method="POST",
        url="{{base}}/users/{{id}}",
        header=[{"key": "X-Trace", "value": "{{$guid}}"}],
        body={"mode": "raw", "raw": '{"n": "{{name}}"}', "options": {"raw": {"language": "json"}}},
        auth={"type": "bearer", "bearer": [{"key": "token", "value": "{{tok}}"}]},
    )
    item["event"] = [
        {"listen": "prerequest", "script": {"exec": ["pm.variables.set('x', '{{y}}');"]}}
    ]
    doc, warnings = imported(tmp_path, item, variable=[{"key": "base", "value": "{{host}}/v1"}])
    req = first(doc)
    assert doc["variables"] == {"base": "<<host>>/v1"}
    assert req["url"] == "<<base>>/users/<<id>>"
    assert req["headers"] == {"X-Trace": "<<$guid>>"}
    assert req["body"] == {"raw": '{"n": "<<name>>"}', "contentType": "application/json"}
    assert req["auth"] == {"type": "bearer", "token": "<<tok>>"}
    assert req["scripts"] == {"prerequest": "pm.variables.set('x', '{{y}}');"}
    assert warnings == [
        "r: prerequest script line 1 kept as a script: pm.variables.set('x', '{{y}}');"
    ]


def test_bodies_and_folders_in_native_shape(tmp_path: Path) -> None:
    form = request(
        "form",
        method="POST",
        body={"mode": "urlencoded", "urlencoded": [{"key": "a", "value": "{{v}}"}]},
    )
    multi = request(
        "multi",
        method="POST",
        body={
            "mode": "formdata",
            "formdata": [{"key": "f", "src": "x.csv", "type": "file"}, {"key": "k", "value": "v"}],
        },
    )
    folder = {
        "name": "F",
        "auth": {"type": "noauth"},
        "variable": [{"key": "q", "value": 1}],
        "item": [form, multi],
    }
    doc, warnings = imported(tmp_path, folder)
    f = doc["items"][0]
    # Newman never reads a folder's variables: the import leaves them out, and says so.
    assert (f["name"], f["auth"], "variables" in f) == ("F", {"type": "none"}, False)
    assert warnings[0] == (
        "F: the folder's variables are left out, as Newman leaves them out of a run; move "
        "them to the collection's variables if its requests need them"
    )
    assert f["items"][0]["body"] == {"form": {"a": "<<v>>"}}
    assert f["items"][1]["body"] == {"multipart": {"f": {"file": "x.csv"}, "k": "v"}}


def test_unusual_variable_names_are_warned_about(tmp_path: Path) -> None:
    _, warnings = imported(tmp_path, request("r", url="https://x.test/?a={{Global Foo}}"))
    assert any("'<<Global Foo>>'" in w and "rename" in w for w in warnings)


def test_environment_import(tmp_path: Path) -> None:
    env = write(
        tmp_path,
        "e.json",
        {
            "name": "dev",
            "values": [
                {"key": "base", "value": "https://{{host}}", "enabled": True},
                {"key": "pw", "value": "x", "type": "secret", "enabled": True},
                {"key": "off", "value": "1", "enabled": False},
            ],
        },
    )
    expected = {
        "name": "dev",
        "variables": {"base": "https://<<host>>", "pw": "x"},
        "secrets": ["pw"],
    }
    assert import_environment(env) == (expected, [])
    assert import_file(env) == (expected, [])


def test_import_rejects_v1_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="re-export"):
        import_file(write(tmp_path, "v1.json", {"id": "x", "order": [], "requests": []}))
    with pytest.raises(InputError, match="not a Postman"):
        import_file(write(tmp_path, "n.json", {"name": "native", "items": []}))


def test_kept_code_is_the_original_text_minus_translated_statements(tmp_path: Path) -> None:
    script = (
        "var count = 0; // keep me\n"
        "pm.response.to.have.status(200);\n"
        "\n"
        "tests['re'] = /^[0-9a-f]{8}-[0-9a-f]{4}$/i.test(pm.response.text()); count++;"
    )
    doc, _ = imported(tmp_path, with_test("r", script))
    assert first(doc)["scripts"]["test"] == (
        "var count = 0; // keep me\n"
        "\n"
        "tests['re'] = /^[0-9a-f]{8}-[0-9a-f]{4}$/i.test(pm.response.text()); count++;"
    )
