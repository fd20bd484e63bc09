"""Issue 5 point 1, continued: bodies, variables, environments, options, scripts, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from postman_helpers import V20, collection, request, write

from runner.errors import InputError, InputErrors
from runner.loader.files import read_json
from runner.model import Body, FilePart, Folder, Options, Request, flatten
from runner.postman import load_collection, load_environment


def load(tmp_path: Path, doc: Any) -> Any:
    path = write(tmp_path, "c.postman_collection.json", doc)
    return load_collection(read_json(path), path)


def only(tmp_path: Path, **req: Any) -> Request:
    steps = flatten(load(tmp_path, collection(request(**req))).items)
    assert len(steps) == 1
    return steps[0].request


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
    # A folder's variables are not read: Newman never uses them (quirks collection).
    assert isinstance(col.items[0], Folder) and dict(col.items[0].variables) == {}


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
