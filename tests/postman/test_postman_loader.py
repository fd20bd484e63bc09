"""Issue 5 point 1: what real Postman exports contain loads into the model as Newman reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from postman_helpers import collection, request, write

from runner.errors import InputError
from runner.loader.files import read_json
from runner.model import AuthSpec, Folder, Request, flatten
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
