"""Issue 14 point 6: the shipped JSON Schemas accept exactly what runner accepts.

Every collection and environment of the suite goes through both: the bundled
`collections/` and `environments/`, every JSON file under `tests/`, and every native document
the tests write inline (found in their source by `support.fixture_corpus`, so new tests join
by themselves). The schema's verdict comes from the `jsonschema` library, runner's from
`runner validate`. They must agree, except where runner checks what no JSON Schema can see;
those exceptions are listed below, each with its reason, and match runner's own messages.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.fixture_corpus import inline_documents

from .conftest import run_cli, write_json

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"

#: runner's findings that a JSON Schema cannot express: a document the schema accepts may
#: still be refused for these (and only these) reasons.
BEYOND_A_SCHEMA = [
    (
        r"undefined variable <<",
        "whether a variable is defined depends on the environment, globals, --var, data rows "
        "and earlier captures, not on the collection alone",
    ),
    (r"variable <<[^>]+>> refers to itself", "variables' values come from other files too"),
    (r"(body )?file not found", "a file's presence is a fact of the disk, not of the document"),
    (r"JavaScript syntax error", "a schema cannot parse JavaScript (V8 compiles the scripts)"),
    (
        r"invalid regular expression",
        "the schema's patterns cannot judge whether a string is a valid regular expression "
        "('format: regex' is not asserted by validators by default)",
    ),
    (r"invalid JSONPath", "JSONPath has a grammar of its own, beyond a schema's patterns"),
    (
        r"is neither an ISO 8601 date-time nor an HTTP date",
        "dates (ISO 8601, HTTP dates, now+30d) are parsed, not matched by a pattern",
    ),
    (r"capture group \d+ does not exist", "the group count is a property of the expression"),
    (
        r"certificate\.(cert|key) \S+: |certificate \w+( '.*')? uses a variable known only",
        "a client certificate is read before the run: whether its file is there, holds a key "
        "and opens with its password is a fact of the disk and the variables",
    ),
    (
        r"invalid JSON Schema: |unresolvable \$ref: ",
        "a schema assertion's JSON Schema is checked against the metaschema of the draft its "
        'own "$schema" names (draft-07 without one), and its $refs name files: a schema cannot '
        "pick its check by a value inside the document, nor read files",
    ),
    (
        r"unsupported URL scheme|the (bearer token|API key value) is empty",
        "the schema refuses a literal ftp:// URL or blank credential; one that comes from a "
        "<<variable>> is known once variables resolve",
    ),
    (
        r"OAuth 1\.0 (privateKey cannot sign|signature method \S+ signs with privateKey)",
        "an RSA-signed oauth1 auth's privateKey is read before the run: whether the PEM text, "
        "often from a <<variable>>, is an unencrypted RSA key is no matter of the document's shape",
    ),
]

#: Postman files are read in Postman's format (found by their shape): the native schemas
#: do not describe them, so the schema refuses them and runner accepts them.
POSTMAN_REASON = "Postman format, read by runner's Postman reader, not by the native schema"

#: Disagreements found when this test was written, fixed in the schema: judged besides the
#: suite's fixtures, so the corpus always holds them. (name, the request's other keys)
FIXED: list[tuple[str, dict[str, Any]]] = [
    ("two bodies", {"body": {"json": {}, "raw": "x"}}),
    ("no body kind", {"body": {"contentType": "a/b"}}),
    ("auth key typo", {"auth": {"type": "bearer", "token": "t", "tokn": "x"}}),
    ("basic takes no token", {"auth": {"type": "basic", "token": "x"}}),
    ("inherit takes nothing", {"auth": {"type": "inherit", "token": "x"}}),
    ("apikey alias", {"auth": {"type": "apikey", "key": "k", "value": "v"}}),
    ("blank token", {"auth": {"type": "bearer", "token": " "}}),
    ("no token", {"auth": {"type": "bearer"}}),
    ("no key value", {"auth": {"type": "apikey", "name": "k"}}),
    ("ftp", {"url": "ftp://127.0.0.1/f"}),
    ("upper-case scheme", {"url": "HTTPS://127.0.0.1/f"}),
    ("schema on a header", {"assert": {"headers": {"X": {"schema": {"type": "string"}}}}}),
    ("schema on a path", {"assert": {"jsonpath": {"$.a": {"schema": {"type": "string"}}}}}),
]

#: Documents the schema accepts and runner refuses for a reason in BEYOND_A_SCHEMA: judged
#: besides the suite's fixtures, so the corpus always holds each. (name, the request's other
#: keys, what runner says)
BEYOND: list[tuple[str, dict[str, Any], str]] = [
    (
        "invalid inline schema",
        {"assert": {"schema": {"type": "nope"}}},
        "#/items/0/assert/schema/type (invalid inline schema): invalid JSON Schema: ",
    ),
    (
        "invalid schema on a path",
        {"assert": {"jsonpath": {"$.a": {"schema": {"minimum": "x"}}}}},
        '#/items/0/assert/jsonpath/$.a/schema/minimum (invalid schema on a path): invalid JSON '
        'Schema: "x" is not of type "number"',
    ),
    (
        # Valid under draft-04, which the schema does not say: read as draft-07, it is not.
        "draft-04 without its $schema",
        {"assert": {"schema": {"minimum": 1, "exclusiveMinimum": True}}},
        "#/items/0/assert/schema/exclusiveMinimum (draft-04 without its $schema): invalid JSON "
        'Schema: true is not of type "number"',
    ),
    (
        "RSA without privateKey",
        {"auth": {"type": "oauth1", "consumerKey": "k", "signatureMethod": "RSA-SHA1"}},
        "#/items/0/auth/privateKey (RSA without privateKey): OAuth 1.0 signature method "
        "RSA-SHA1 signs with privateKey, which is empty",
    ),
    (
        "missing $ref",
        {"assert": {"schema": {"$ref": "missing.schema.json"}}},
        "#/items/0/assert/schema (missing $ref): unresolvable $ref: cannot read ",
    ),
]  # fmt: skip


def _fixed(name: str) -> dict[str, Any]:
    """Returns the collection of the FIXED or BEYOND example `name`."""
    extra = (dict(FIXED) | {n: e for n, e, _ in BEYOND})[name]
    return {"name": "c", "items": [{"name": name, "url": "http://127.0.0.1:9/x", **extra}]}


def _schema(name: str) -> Draft202012Validator:
    text = resources.files("runner.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def _is_postman(doc: Any) -> bool:
    return isinstance(doc, dict) and bool({"info", "item", "values"} & set(doc))


def _cases() -> list[tuple[str, str, Any]]:
    """Returns (kind, origin, document) for every fixture: kind collection or environment."""
    cases: list[tuple[str, str, Any]] = []
    files = [
        *sorted((REPO / "collections").glob("*.json")),
        *sorted((REPO / "environments").glob("*.json")),
        *sorted(TESTS.rglob("*.json")),
    ]
    for path in files:
        doc = json.loads(path.read_text("utf-8"))
        environment = path.parent.name == "environments" or (
            "environment" in path.name or "globals" in path.name
        )
        cases.append(("environment" if environment else "collection", str(path), doc))
    cases.extend(("collection", f"FIXED {name}", _fixed(name)) for name, _ in FIXED)
    cases.extend(("collection", f"BEYOND {name}", _fixed(name)) for name, _, _ in BEYOND)
    for found in inline_documents(TESTS):
        if found.kind == "item":
            cases.append(("collection", found.origin, {"name": "c", "items": [found.doc]}))
        elif found.kind == "collection":
            cases.append(("collection", found.origin, found.doc))
            # The same node as a folder inside a collection (folders take fewer keys).
            cases.append(
                ("collection", f"{found.origin} as a folder", {"name": "c", "items": [found.doc]})
            )
        else:
            cases.append(("environment", found.origin, found.doc))
    return cases


def _runner_verdict(tmp_path: Path, kind: str, doc: Any) -> tuple[bool, list[str]]:
    """Returns whether `runner validate` accepts `doc`, and its error lines about it."""
    path = write_json(tmp_path / "doc.json", doc)
    if kind == "collection":
        result = run_cli("validate", path)
    else:
        empty = write_json(tmp_path / "empty.json", {"name": "e", "items": []})
        result = run_cli("validate", empty, "-e", path)
    assert result.code in (0, 2) and "Traceback" not in result.text, result.text
    errors = [ln for ln in result.err.splitlines() if ln.startswith(f"error: {path}")]
    assert result.code == 0 or errors, result.err
    return result.code == 0, errors


def _beyond_a_schema(line: str) -> bool:
    return any(re.search(pattern, line) for pattern, _ in BEYOND_A_SCHEMA)


def test_the_schemas_and_runner_agree_on_every_fixture(tmp_path: Path) -> None:
    validators = {name: _schema(name) for name in ("collection", "environment")}
    cases = _cases()
    tally: Counter[str] = Counter()
    disagreements = []
    for kind, origin, doc in cases:
        by_schema = validators[kind].is_valid(doc)
        by_runner, errors = _runner_verdict(tmp_path, kind, doc)
        if _is_postman(doc):
            tally["postman"] += 1
            if by_schema or not by_runner:
                disagreements.append((origin, POSTMAN_REASON, by_schema, by_runner, errors))
        elif by_schema == by_runner:
            tally["both accept" if by_schema else "both refuse"] += 1
        elif by_schema and all(_beyond_a_schema(line) for line in errors):
            tally["beyond a schema"] += 1
        else:
            disagreements.append((origin, json.dumps(doc)[:300], by_schema, by_runner, errors))
    report = "\n".join(
        f"{origin}: schema {'accepts' if s else 'refuses'}, runner {'accepts' if r else 'refuses'}"
        f"\n  {doc}\n  " + "\n  ".join(errors)
        for origin, doc, s, r, errors in disagreements
    )
    assert not disagreements, f"{len(disagreements)} disagreements:\n{report}"
    # The corpus is what the suite holds: a harvest that silently shrank would prove nothing.
    assert tally["both accept"] >= 150 and tally["both refuse"] >= 100, tally
    assert tally["postman"] >= 10 and tally["beyond a schema"] >= 50, tally


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("two bodies", "#/items/0/body (two bodies): a body needs exactly one of json, form, "),
        ("no body kind", "#/items/0/body (no body kind): a body needs exactly one of json, "),
        ("auth key typo", "#/items/0/auth/tokn (auth key typo): unknown key 'tokn' for auth "),
        ("basic takes no token", "unknown key 'token' for auth type 'basic'"),
        ("inherit takes nothing", "unknown key 'token' for auth type 'inherit'"),
        ("blank token", "#/items/0/auth/token (blank token): the bearer token is empty"),
        ("no token", "#/items/0/auth (no token): missing required key 'token'"),
        ("no key value", "#/items/0/auth (no key value): missing required key 'value'"),
        ("ftp", "#/items/0/url (ftp): unsupported URL scheme 'ftp://' in ftp://127.0.0.1/f"),
        (
            "schema on a header",
            "#/items/0/assert/headers/X/schema (schema on a header): the schema operator checks "
            "JSON values, not headers",
        ),
    ],
)
def test_what_the_schema_now_refuses_reads_as_runner_said_it(tmp_path, name, message):
    path = write_json(tmp_path / "c.json", _fixed(name))
    result = run_cli("validate", path)
    assert result.code == 2 and message in result.err, result.err
    # Said once: the schema's finding and the loader's are not both printed.
    assert result.err.count("#/items/0/") == 1, result.err


@pytest.mark.parametrize(("name", "message"), [(n, m) for n, _, m in BEYOND])
def test_what_only_runner_can_tell_is_refused_for_a_listed_reason(tmp_path, name, message):
    doc = _fixed(name)
    assert _schema("collection").is_valid(doc)
    by_runner, errors = _runner_verdict(tmp_path, "collection", doc)
    assert not by_runner and any(message in line for line in errors), errors
    assert all(_beyond_a_schema(line) for line in errors), errors


def test_the_same_schema_is_valid_under_the_draft_it_names(tmp_path):
    """Why the collection schema cannot judge it: validity depends on the draft named inside."""
    doc = _fixed("draft-04 without its $schema")
    doc["items"][0]["assert"]["schema"]["$schema"] = "http://json-schema.org/draft-04/schema#"
    assert _runner_verdict(tmp_path, "collection", doc) == (True, [])
