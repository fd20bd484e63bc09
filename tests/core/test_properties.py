"""Property tests: random and mutated collections never produce a traceback — `runner validate`
exits 0, or 2 with a located message; random strings through the variable renderer."""

from __future__ import annotations

import copy
import io
import json
import re
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.cli import main
from runner.errors import VariableError
from runner.resolve.variables import Renderer, Scope, compile_template

BASE: dict[str, Any] = {
    "name": "prop",
    "variables": {"base": "http://127.0.0.1:9", "n": 2, "tok": "c"},
    "auth": {"type": "bearer", "token": "<<tok>>"},
    "items": [
        {
            "name": "Folder",
            "variables": {"tok": "t"},
            "items": [
                {
                    "name": "get",
                    "url": "<<base>>/json",
                    "query": {"a": ["1", "2"]},
                    "headers": {"Accept": "application/json"},
                    "assert": {
                        "status": [200, 201],
                        "jsonpath": {"$.value[0].name": {"exists": True, "type": "string"}},
                        "headers": {"Content-Type": {"contains": "json"}},
                        "responseTime": {"lt": 1000},
                    },
                    "capture": {"first": "$.value[0]", "h": {"header": "ETag"}},
                }
            ],
        },
        {
            "name": "post",
            "method": "POST",
            "url": "<<base>>/echo",
            "body": {"json": {"x": "<<first>>", "n": "<<n>>"}},
            "assert": {"body": {"matches": "^\\{"}},
        },
    ],
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
KEYS = st.sampled_from(
    ["name", "url", "items", "method", "body", "assert", "capture", "auth", "query", "headers",
     "json", "form", "raw", "file", "multipart", "status", "jsonpath", "equals", "matches",
     "timeoutMs", "skip", "variables", "type", "zzz", "$.a[", "<<x>>", ""]
)  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _validate(tmp_path: Path, doc: Any, text: str | None = None) -> tuple[int, str]:
    path = tmp_path / "c.json"
    path.write_text(text if text is not None else json.dumps(doc), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(path)], stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


def _check(code: int, output: str, path: Path) -> None:
    assert "Traceback" not in output
    assert code in (0, 2), output
    if code == 2:
        # Located: every error names the file, and a JSON pointer when it is about a node.
        # Several errors come under an "error: N problems found" line.
        lines = [line.strip() for line in output.splitlines()]
        errors = [line for line in lines if line.startswith("error:")]
        assert errors and output.startswith("error:"), output
        if re.fullmatch(r"error: \d+ problems found", errors[0]):
            errors = errors[1:]
            assert len(errors) >= 2, output
        for line in errors:
            assert line.startswith((f"error: {path}: ", f"error: {path}#/")), output


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        target = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if not target:
            doc = draw(JSON) if action == "replace" else doc
            continue
        parent = doc
        for part in target[:-1]:
            parent = parent[part]
        last = target[-1]
        if action == "replace":
            parent[last] = draw(JSON)
        elif action == "delete":
            del parent[last]
        elif isinstance(parent[last], dict):
            parent[last][draw(KEYS)] = draw(JSON)
        elif isinstance(parent[last], list):
            parent[last].append(draw(JSON))
    return doc


PROPERTY = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_base_collection_is_valid(tmp_path):
    code, output = _validate(tmp_path, BASE)
    assert code == 0, output


@PROPERTY
@given(doc=mutated())
def test_mutated_collections_exit_0_or_located_2(tmp_path, doc):
    code, output = _validate(tmp_path, doc)
    _check(code, output, tmp_path / "c.json")


@PROPERTY
@given(doc=JSON)
def test_random_json_documents(tmp_path, doc):
    code, output = _validate(tmp_path, doc)
    _check(code, output, tmp_path / "c.json")
    assert code == 2 or (isinstance(doc, dict) and "items" in doc)


@PROPERTY
@given(data=st.data())
def test_truncated_and_garbled_text(tmp_path, data):
    text = json.dumps(BASE)
    cut = data.draw(st.integers(0, len(text) - 1))
    noise = data.draw(st.text(alphabet=string.printable, max_size=3))
    code, output = _validate(tmp_path, None, text[:cut] + noise)
    _check(code, output, tmp_path / "c.json")


@PROPERTY
@given(data=st.binary(max_size=40))
def test_random_bytes(tmp_path, data):
    path = tmp_path / "c.json"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(path)], stdout=out, stderr=err)
    _check(code, out.getvalue() + err.getvalue(), path)


TEMPLATE_TEXT = st.text(alphabet=st.sampled_from(list("<>${}. ab$-_é\n")), max_size=30)
NAMES = ["a", "b", "ab"]


@PROPERTY
@given(text=TEMPLATE_TEXT, values=st.dictionaries(st.sampled_from(NAMES), JSON))
def test_renderer_never_crashes(text, values):
    """Random text: either rendered, or an error naming a variable that is not defined."""
    renderer = Renderer(Scope({"collection": dict(values)}))
    try:
        rendered = renderer.text(text)
    except VariableError as exc:
        assert exc.name not in values
        assert exc.message == f"undefined variable <<{exc.name}>>"
        return
    if "<<" not in text:
        assert rendered == text


PLAIN_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(alphabet="xyz é{}:", max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet="kq", max_size=2), children, max_size=3)
    ),
    max_leaves=6,
)


def _as_text(value: Any) -> str:
    """The contract's text form of a value, written out independently of runner's to_text."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@PROPERTY
@given(
    parts=st.lists(
        st.tuples(
            st.sampled_from(["lit", "ref", "spaced"]), st.text(alphabet="xy -./é", max_size=4)
        ),
        max_size=6,
    ),
    values=st.fixed_dictionaries({name: PLAIN_JSON for name in NAMES}),
)
def test_rendering_replaces_every_reference_by_its_text(parts, values):
    """Text built from literals and references renders to the literals and the values'
    text, wherever the references sit (`<< a >>` with spaces too)."""
    source, expected = [], []
    for index, (kind, literal) in enumerate(parts):
        name = NAMES[index % len(NAMES)]
        if kind == "lit":
            source.append(literal)
            expected.append(literal)
        else:
            source.append(f"<< {name} >>" if kind == "spaced" else f"<<{name}>>")
            expected.append(_as_text(values[name]))
    renderer = Renderer(Scope({"environment": dict(values)}))
    assert renderer.text("".join(source)) == "".join(expected)


@PROPERTY
@given(text=TEMPLATE_TEXT)
def test_renderer_postman_dialect_keeps_unknown(text):
    """With nothing defined, Postman templates are sent exactly as written, and every
    reference is reported as unresolved."""
    postman = text.replace("<", "{").replace(">", "}")
    renderer = Renderer(Scope(), "postman")
    assert renderer.text(postman) == postman
    assert renderer.unresolved == {ref.name for ref in compile_template(postman, "postman").refs}


@PROPERTY
@given(value=JSON)
def test_whole_reference_keeps_type(value):
    renderer = Renderer(Scope({"runtime": {"v": value}}))
    assert renderer.json({"k": "<<v>>", "l": ["<<v>>"]}) == {"k": value, "l": [value]}


@PROPERTY
@given(doc=mutated())
def test_mutated_collections_run_without_traceback(tmp_path_factory, _server, doc):
    """Whatever validates also runs: exit 0, 1 or 2, never a traceback (real local server)."""
    tmp = tmp_path_factory.mktemp("run")
    if isinstance(doc, dict) and isinstance(doc.get("variables"), dict):
        doc["variables"]["base"] = _server.url
    path = tmp / "c.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    args = ["run", str(path), "--timeout-request", "2000", "--json", str(tmp / "r.json")]
    code = main(args, stdout=out, stderr=err)
    output = out.getvalue() + err.getvalue()
    assert "Traceback" not in output
    assert code in (0, 1, 2), output
    if code != 2:
        assert json.loads((tmp / "r.json").read_text())["summary"]["exit_status"] == code
