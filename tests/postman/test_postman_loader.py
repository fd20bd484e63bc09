"""Issue 5 point 1: what real Postman exports contain loads into the model as Newman reads it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from postman_helpers import V20, collection, request, write

from runner.errors import InputError, InputErrors
from runner.loader.files import read_json
from runner.model import AuthSpec, Body, FilePart, Folder, Options, Request, flatten
from runner.postman import detect, load_collection, load_environment


def load(tmp_path: Path, doc: Any, encoding: str = "utf-8") -> Any:
    path = write(tmp_path, "c.postman_collection.json", doc, encoding)
    return load_collection(read_json(path), path)


def only(tmp_path: Path, **req: Any) -> Request:
    steps = flatten(load(tmp_path, collection(request(**req))).items)
    assert len(steps) == 1
    return steps[0].request


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16-le"])
def test_bom_and_utf16_files_load(tmp_path: Path, encoding: str) -> None:
    col = load(tmp_path, collection(request("ünïcode")), encoding)
    assert col.items[0].name == "ünïcode"
    env = write(tmp_path, "e.json", {"values": [{"key": "a", "value": "é"}]}, encoding)
    assert load_environment(read_json(env), env).values == {"a": "é"}


def test_detect_kinds() -> None:
    assert detect(collection()) == "collection"
    assert detect({"info": {"name": "x"}, "item": []}) == "collection"  # no schema
    assert detect({"item": []}) == "collection"  # Newman fixtures without info
    assert detect({"collection": collection()}) == "collection"
    assert detect({"id": "1", "name": "old", "order": [], "requests": []}) == "v1"
    assert detect({"values": []}) == "environment"
    assert detect({"values": [], "_postman_variable_scope": "globals"}) == "globals"
    assert detect([{"key": "a", "value": "1"}]) == "environment"
    assert detect({"name": "native", "items": []}) is None
    assert detect([1, 2]) is None


def test_envelope_missing_name_and_schema(tmp_path: Path) -> None:
    doc = {"collection": {"info": {}, "item": [{"request": "https://example.test/x"}]}}
    col = load(tmp_path, doc)
    assert col.name == "c.postman_collection"  # the file stem
    req = col.items[0]
    assert isinstance(req, Request)
    assert (req.name, req.method, req.url) == ("Untitled request", "GET", "https://example.test/x")
    assert req.location.pointer == "/collection/item/0"


def test_v1_is_rejected_with_a_located_reexport_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load(tmp_path, {"id": "1", "name": "old", "order": ["a"], "requests": []})
    assert "re-export it from Postman as Collection v2.1" in caught.value.message
    assert caught.value.location is not None
    assert caught.value.location.file.endswith("c.postman_collection.json")


def test_header_as_string_and_disabled_headers(tmp_path: Path) -> None:
    req = only(tmp_path, header="Content-Type: application/json\n//X-Off: 1\nX-Two: a: b\n")
    assert req.headers == (("Content-Type", "application/json"), ("X-Two", "a: b"))
    req = only(
        tmp_path,
        header=[
            {"key": "A", "value": "1"},
            {"key": "B", "value": "2", "disabled": True},
            {"key": "C", "value": "3", "enabled": False},
        ],
    )
    assert req.headers == (("A", "1"),)


def test_auth_object_v20_and_array_v21_give_the_same_spec(tmp_path: Path) -> None:
    v20 = {"type": "basic", "basic": {"username": "u", "password": "{{pw}}"}}
    v21 = {
        "type": "basic",
        "basic": [{"key": "username", "value": "u"}, {"key": "password", "value": "{{pw}}"}],
    }
    a = only(tmp_path, auth=v20).auth
    b = only(tmp_path, auth=v21).auth
    assert a is not None and b is not None
    assert (
        (a.type, dict(a.params))
        == (b.type, dict(b.params))
        == ("basic", {"username": "u", "password": "{{pw}}"})
    )


@pytest.mark.parametrize(
    ("block", "kind", "params"),
    [
        (
            {"type": "bearer", "bearer": [{"key": "token", "value": "{{t}}"}]},
            "bearer",
            {"token": "{{t}}"},
        ),
        (
            {
                "type": "apikey",
                "apikey": [
                    {"key": "key", "value": "X-Key"},
                    {"key": "value", "value": "v"},
                    {"key": "in", "value": "query"},
                ],
            },
            "apikey",
            {"in": "query", "name": "X-Key", "value": "v"},
        ),
        (
            {"type": "apikey", "apikey": {"key": "X-Key", "value": "v"}},
            "apikey",
            {"in": "header", "name": "X-Key", "value": "v"},
        ),
        ({"type": "noauth"}, "none", {}),
        (
            {
                "type": "oauth2",
                "oauth2": [
                    {"key": "accessToken", "value": "{{tok}}"},
                    {"key": "headerPrefix", "value": "JWT"},
                ],
            },
            "bearer",
            {"token": "{{tok}}", "prefix": "JWT"},
        ),
        (
            {
                "type": "oauth2",
                "oauth2": [
                    {"key": "accessToken", "value": "abc"},
                    {"key": "addTokenTo", "value": "queryParams"},
                ],
            },
            "apikey",
            {"in": "query", "name": "access_token", "value": "abc"},
        ),
        ({"type": "oauth2", "oauth2": [{"key": "accessToken", "value": ""}]}, "none", {}),
        (
            {"type": "digest", "digest": {"username": "u", "algorithm": "MD5"}},
            "digest",
            {"username": "u", "algorithm": "MD5"},
        ),
        ({"type": "ntlm", "ntlm": [{"key": "domain", "value": "d"}]}, "ntlm", {"domain": "d"}),
    ],
)
def test_auth_types(tmp_path: Path, block: Any, kind: str, params: Any) -> None:
    auth = only(tmp_path, auth=block).auth
    assert isinstance(auth, AuthSpec)
    assert (auth.type, dict(auth.params)) == (kind, params)
    assert auth.location.pointer == "/item/0/request/auth"


def test_missing_auth_inherits_and_folder_auth_is_kept(tmp_path: Path) -> None:
    folder = {
        "name": "F",
        "auth": {"type": "bearer", "bearer": {"token": "x"}},
        "item": [request("r")],
    }
    col = load(tmp_path, collection(folder, auth={"type": "noauth"}))
    assert col.auth is not None and col.auth.type == "none"
    assert isinstance(col.items[0], Folder) and col.items[0].auth is not None
    assert flatten(col.items)[0].request.auth is None


def test_url_string_and_object_forms(tmp_path: Path) -> None:
    assert only(tmp_path, url="{{base}}/get?a=1").url == "{{base}}/get?a=1"
    url = {
        "raw": "https://{{host}}:8080/users/:id/x?keep=1&drop=2&flag",
        "protocol": "https",
        "host": ["{{host}}"],
        "port": "8080",
        "path": ["users", ":id", "x"],
        "query": [
            {"key": "keep", "value": "1"},
            {"key": "drop", "value": "2", "disabled": True},
            {"key": "flag", "value": None},
        ],
        "variable": [{"key": "id", "value": "{{userId}}"}],
        "hash": "top",
    }
    req = only(tmp_path, url=url)
    assert req.url == "https://{{host}}:8080/users/{{userId}}/x?keep=1&flag#top"
    assert req.query == ()


def test_url_object_with_raw_only_substitutes_path_variables(tmp_path: Path) -> None:
    url = {"raw": "https://h/a/:b/c?q=:b", "variable": [{"key": "b", "value": "B"}]}
    assert only(tmp_path, url=url).url == "https://h/a/B/c?q=:b"


def test_url_host_list_with_protocol_inside_and_userinfo(tmp_path: Path) -> None:
    # Azure's oav tool writes the scheme into the first host label.
    oav = {"host": ["https://api", "example", "test"], "path": ["v1"]}
    assert only(tmp_path, url=oav).url == "https://api.example.test/v1"
    url = {
        "protocol": "https",
        "host": ["api", "example", "test"],
        "path": "/v1",
        "auth": {"user": "u", "password": "p"},
    }
    assert only(tmp_path, url=url).url == "https://u:p@api.example.test/v1"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"mode": "raw", "raw": '{"a": {{n}}}', "options": {"raw": {"language": "json"}}},
            Body("raw", '{"a": {{n}}}', "application/json"),
        ),
        (
            {"mode": "raw", "raw": "<a/>", "options": {"raw": {"language": "xml"}}},
            Body("raw", "<a/>", "application/xml"),
        ),
        ({"mode": "raw", "raw": "plain"}, Body("raw", "plain", None)),
        ({"mode": "raw", "raw": ""}, None),
        ({"mode": "raw", "raw": "x", "disabled": True}, None),
        (
            {
                "mode": "urlencoded",
                "urlencoded": [
                    {"key": "a", "value": "1"},
                    {"key": "b", "value": "2", "disabled": True},
                ],
            },
            Body("form", (("a", "1"),)),
        ),
        ({"mode": "file", "file": {"src": "data/x.bin"}}, Body("file", "data/x.bin")),
        ({"mode": "file", "file": {"src": None}}, None),
        ({"mode": "formdata", "formdata": []}, None),
    ],
)
def test_bodies(tmp_path: Path, body: Any, expected: Body | None) -> None:
    assert only(tmp_path, method="POST", body=body).body == expected


def test_raw_body_keeps_an_explicit_content_type_header(tmp_path: Path) -> None:
    req = only(
        tmp_path,
        method="POST",
        header=[{"key": "content-type", "value": "text/csv"}],
        body={"mode": "raw", "raw": "a,b", "options": {"raw": {"language": "json"}}},
    )
    assert req.body == Body("raw", "a,b", None)


def test_formdata_with_files(tmp_path: Path) -> None:
    body = {
        "mode": "formdata",
        "formdata": [
            {"key": "k", "value": "v", "type": "text"},
            {"key": "f", "src": "a.csv", "type": "file", "contentType": "text/csv"},
            {"key": "many", "src": ["b.bin", "c.bin"], "type": "file"},
            {"key": "none", "src": None, "type": "file"},
            {"key": "off", "value": "x", "disabled": True},
        ],
    }
    req = only(tmp_path, method="POST", body=body)
    assert req.body == Body(
        "multipart",
        (
            ("k", "v"),
            ("f", FilePart("a.csv", "text/csv")),
            ("many", FilePart("b.bin")),
            ("many", FilePart("c.bin")),
        ),
    )


def test_graphql_body_keeps_variables_for_rendering(tmp_path: Path) -> None:
    body = {
        "mode": "graphql",
        "graphql": {
            "query": "query($id: ID) { user(id: $id) { name } }",
            "variables": '{"id": "{{userId}}"}',
        },
    }
    req = only(tmp_path, method="POST", body=body)
    assert req.body is not None and req.body.content_type == "application/json"
    assert json.loads(req.body.value.replace("{{userId}}", "7")) == {
        "query": "query($id: ID) { user(id: $id) { name } }",
        "variables": {"id": "7"},
    }
    empty = only(tmp_path, method="POST", body={"mode": "graphql", "graphql": {"query": "{a}"}})
    assert empty.body is not None and json.loads(empty.body.value)["variables"] == {}


def test_variables_disabled_and_duplicates_last_wins(tmp_path: Path) -> None:
    doc = collection(
        {"name": "F", "variable": [{"key": "f", "value": 1}], "item": [request()]},
        variable=[
            {"key": "a", "value": "1"},
            {"key": "a", "value": "2"},
            {"key": "off", "value": "x", "disabled": True},
            {"key": "n", "value": 3},
        ],
    )
    col = load(tmp_path, doc)
    assert dict(col.variables) == {"a": "2", "n": 3}
    assert isinstance(col.items[0], Folder) and dict(col.items[0].variables) == {"f": 1}


def test_environment_values_secrets_and_duplicates(tmp_path: Path) -> None:
    doc = {
        "name": "dev",
        "_postman_variable_scope": "environment",
        "values": [
            {"key": "a", "value": "1", "enabled": True},
            {"key": "a", "value": "2", "enabled": True},
            {"key": "b", "value": "x", "enabled": False},
            {"key": "s", "value": "hush", "type": "secret", "enabled": True},
        ],
    }
    path = write(tmp_path, "dev.postman_environment.json", doc)
    env = load_environment(read_json(path), path)
    assert (env.name, dict(env.values), env.secrets) == (
        "dev",
        {"a": "2", "s": "hush"},
        frozenset({"s"}),
    )
    bare = write(tmp_path, "g.json", [{"key": "g", "value": "1", "enabled": True}])
    assert load_environment(read_json(bare), bare).name == "g"
    with pytest.raises(InputError):
        load_environment({"name": "x"}, path)


def test_protocol_profile_behavior_is_inherited_and_overridden(tmp_path: Path) -> None:
    item = request("r")
    item["protocolProfileBehavior"] = {"followRedirects": False, "maxRedirects": 3}
    folder = {"name": "F", "protocolProfileBehavior": {"strictSSL": False}, "item": [item]}
    col = load(
        tmp_path,
        collection(
            folder, protocolProfileBehavior={"disableCookies": True, "followRedirects": True}
        ),
    )
    assert flatten(col.items)[0].request.options == Options(
        follow_redirects=False, max_redirects=3, verify_tls=False, disable_cookies=True
    )


def test_events_on_every_level_skip_disabled(tmp_path: Path) -> None:
    item = request("r")
    item["event"] = [
        {"listen": "prerequest", "script": {"exec": ["a();", "b();"]}},
        {"listen": "test", "script": {"exec": "c();"}},
        {"listen": "test", "disabled": True, "script": {"exec": ["off();"]}},
        {"listen": "test", "script": {"exec": ["", "  "]}},
    ]
    folder = {
        "name": "F",
        "event": [{"listen": "test", "script": {"exec": ["f();"]}}],
        "item": [item],
    }
    col = load(
        tmp_path,
        collection(folder, event=[{"listen": "prerequest", "script": {"exec": ["top();"]}}]),
    )
    assert [s.source for s in col.scripts.prerequest] == ["top();"]
    step = flatten(col.items)[0]
    assert [s.source for s in step.folders[0].scripts.test] == ["f();"]
    req = step.request
    assert [s.source for s in req.scripts.prerequest] == ["a();\nb();"]
    assert [s.source for s in req.scripts.test] == ["c();"]
    assert req.scripts.test[0].location.pointer == "/item/0/item/0/event/1/script/exec"


def test_ids_are_kept_or_stable(tmp_path: Path) -> None:
    given = request("a")
    given["id"] = "given-id"
    first = flatten(load(tmp_path, collection(given, request("b"))).items)
    again = flatten(load(tmp_path, collection(given, request("b"))).items)
    assert first[0].request.id == "given-id"
    assert first[1].request.id == again[1].request.id != ""


def test_v20_method_default_and_description_object(tmp_path: Path) -> None:
    item = {"name": "r", "request": {"url": "https://x.test", "description": {"content": "d"}}}
    req = flatten(load(tmp_path, collection(item, schema=V20)).items)[0].request
    assert (req.method, req.description) == ("GET", "d")


def test_malformed_items_are_reported_together(tmp_path: Path) -> None:
    doc = collection(
        request("ok"), {"name": "lost"}, "junk", {"name": "F", "item": [{"name": "deep"}]}
    )
    with pytest.raises(InputErrors) as caught:
        load(tmp_path, doc)
    errors = caught.value.errors
    assert len(errors) == 3
    assert [e.location.pointer for e in errors if e.location] == [
        "/item/1",
        "/item/2",
        "/item/3/item/0",
    ]
    assert "neither `request` nor `item`" in errors[0].message
    assert errors[2].location is not None and errors[2].location.item_path == ("F", "deep")


def test_a_lone_event_object_counts_as_a_list(tmp_path: Path) -> None:
    item = request("r")
    item["event"] = {"listen": "test", "script": {"exec": ["t();"]}}
    assert [s.source for s in only_item(tmp_path, item).scripts.test] == ["t();"]


def only_item(tmp_path: Path, item: Any) -> Request:
    return flatten(load(tmp_path, collection(item)).items)[0].request


def test_structured_query_and_userinfo_are_encoded_where_they_would_break_the_url(
    tmp_path: Path,
) -> None:
    url = {
        "protocol": "https",
        "auth": {"user": "us@r", "password": "p@ss/word"},
        "host": ["h", "test"],
        "path": ["get"],
        "query": [
            {"key": "q", "value": "a&b#c{{x&y}}"},
            {"key": "b#a&r=", "value": None},
            {"key": None, "value": None},
        ],
    }
    assert only(tmp_path, url=url).url == (
        "https://us%40r:p%40ss%2Fword@h.test/get?q=a%26b%23c{{x&y}}&b%23a%26r%3D&"
    )
