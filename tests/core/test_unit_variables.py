"""Table-driven unit tests of variables (runner/resolve/variables.py): scope layering and
isolation, templates in both dialects, rendering as text and as typed values, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from runner.errors import Location, VariableError
from runner.resolve.variables import (
    LAYERS,
    Renderer,
    Scope,
    compile_template,
    js_text,
    to_text,
    undefined_error,
)
from runner.secrets import is_sensitive_name

HERE = Location("c.json", "/items/0/url", ("r",))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        ("", ""),
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-3, "-3"),
        (1.5, "1.5"),
        (1e20, "1e+20"),
        ([1, "a", None], '[1,"a",null]'),
        ({"k": "é", "n": [True]}, '{"k":"é","n":[true]}'),
        ({}, "{}"),
    ],
)
def test_values_as_text(value: Any, text: str) -> None:
    assert to_text(value) == text


@pytest.mark.parametrize(
    ("dialect", "source", "parts"),
    [
        ("native", "<<a>>", [("a", "<<a>>")]),
        ("native", "x<<a>>y<<b>>", ["x", ("a", "<<a>>"), "y", ("b", "<<b>>")]),
        ("native", "<< a >>", [("a", "<< a >>")]),  # whitespace around the name is allowed
        ("native", "<<\ta\n>>", [("a", "<<\ta\n>>")]),
        ("native", "<<a b>>", ["<<a b>>"]),  # a name has no whitespace: not a reference
        ("native", "<<>>", ["<<>>"]),
        ("native", "<< >>", ["<< >>"]),
        ("native", "<<<a>>", ["<", ("a", "<<a>>")]),
        ("native", "<<a>", ["<<a>"]),
        ("native", "<<$env.HOME>>", [("$env.HOME", "<<$env.HOME>>")]),
        ("native", "{{a}}", ["{{a}}"]),
        ("native", "", []),
        ("postman", "{{a}}", [("a", "{{a}}")]),
        ("postman", "{{ a }}", [(" a ", "{{ a }}")]),  # Postman looks names up as written
        ("postman", "<<a>>", ["<<a>>"]),
        ("postman", "{{a}}-{{$guid}}", [("a", "{{a}}"), "-", ("$guid", "{{$guid}}")]),
        ("postman", "{{}}", ["{{}}"]),
    ],
)
def test_templates_split_into_text_and_references(
    dialect: str, source: str, parts: list[Any]
) -> None:
    template = compile_template(source, dialect)
    shown = [p if isinstance(p, str) else (p.name, p.raw) for p in template.parts]
    assert shown == parts
    assert template.source == source
    refs = [p for p in parts if isinstance(p, tuple)]
    assert [(r.name, r.raw) for r in template.refs] == refs
    whole = template.whole
    assert (whole.name if whole else None) == (refs[0][0] if refs and parts == refs[:1] else None)


def test_every_layer_wins_over_the_ones_below_it() -> None:
    assert LAYERS == ("globals", "collection", "folder", "environment", "data", "cli", "runtime")
    for top in range(len(LAYERS)):
        scope = Scope({layer: {"v": layer} for layer in LAYERS[: top + 1]})
        assert scope.get("v") == LAYERS[top]
        assert scope.lookup("v") == LAYERS[top]
    scope = Scope({"globals": {"g": 1}, "runtime": {"r": 2}})
    assert (scope.get("g"), scope.get("r")) == (1, 2)


def test_scope_reads_writes_and_lists() -> None:
    scope = Scope({"collection": {"b": 1, "a": None}, "environment": {"b": 2}})
    assert scope.has("a") and scope.get("a", "default") is None  # null is a value
    assert not scope.has("zz") and scope.get("zz") is None and scope.get("zz", 7) == 7
    scope.set("c", [1])
    assert scope.layers["runtime"] == {"c": [1]}
    scope.set("b", 3, "globals")
    assert scope.get("b") == 2 and scope.layers["globals"] == {"b": 3}
    assert scope.names() == ["a", "b", "c"]
    assert list(scope.items()) == [("a", None), ("b", 2), ("c", [1])]
    assert set(Scope().layers) == set(LAYERS) and all(v == {} for v in Scope().layers.values())


def test_process_environment_and_dynamic_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNNER_UNIT_X", "from-env")
    monkeypatch.delenv("RUNNER_UNIT_MISSING", raising=False)
    scope = Scope({"collection": {"$env.SHADOW": "layer"}})
    monkeypatch.setenv("SHADOW", "process")
    assert scope.get("$env.RUNNER_UNIT_X") == "from-env"
    assert not scope.has("$env.RUNNER_UNIT_MISSING")
    assert scope.get("$env.SHADOW") == "layer"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}",
                        scope.get("$guid"))  # fmt: skip
    assert scope.get("$guid") != scope.get("$guid")
    assert 0 <= scope.get("$randomInt") <= 1000
    assert not scope.has("$noSuchDynamic") and not scope.has("env.X")


def test_copy_shares_nothing_writable() -> None:
    """Parallel iterations each start from base.copy(): nothing one writes reaches another."""
    base = Scope(
        {
            "collection": {"list": [1, {"deep": [2]}], "obj": {"k": "v"}, "n": 1},
            "environment": {"e": "x"},
        }
    )
    base.secret_names.add("e")
    one, two = base.copy(), base.copy()
    one.set("n", 2, "collection")
    one.set("new", 1)
    one.layers["collection"]["list"].append(3)
    one.layers["collection"]["list"][1]["deep"].append(4)
    one.layers["collection"]["obj"]["k"] = "changed"
    one.layers["environment"].clear()
    one.secret_names.add("n")
    for scope in (base, two):
        assert scope.layers["collection"] == {
            "list": [1, {"deep": [2]}],
            "obj": {"k": "v"},
            "n": 1,
        }
        assert scope.layers["environment"] == {"e": "x"}
        assert scope.layers["runtime"] == {}
        assert scope.secret_names == {"e"}
    assert one.secret_names == {"e", "n"}
    assert one.get("list") == [1, {"deep": [2, 4]}, 3]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("<<s>>", "text"),
        ("a<<s>>b", "atextb"),
        ("<< s >>", "text"),
        ("<<n>>/<<f>>/<<t>>/<<z>>", "1/1.5/true/null"),
        ("x=<<z>>", "x=null"),
        ("<<list>>", "[1,2]"),
        ("<<obj>>", '{"a":"b"}'),
        ("<<outer>>", "in-text-side"),  # a value naming another variable is rendered too
        ("no refs", "no refs"),
        ("<<a b>>", "<<a b>>"),
        ("<<$env.RUNNER_UNIT_Y>>", "yy"),
    ],
)
def test_native_text_rendering(source: str, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNNER_UNIT_Y", "yy")
    scope = Scope({"collection": VALUES})
    assert Renderer(scope).text(source, HERE) == text


VALUES: dict[str, Any] = {
    "s": "text",
    "n": 1,
    "f": 1.5,
    "t": True,
    "z": None,
    "list": [1, 2],
    "obj": {"a": "b"},
    "inner": "text",
    "outer": "in-<<inner>>-side",
}


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("<<n>>", 1),
        ("<< n >>", 1),
        ("<<t>>", True),
        ("<<z>>", None),
        ("<<list>>", [1, 2]),
        ("<<obj>>", {"a": "b"}),
        ("<<outer>>", "in-text-side"),
        ("<<n>> ", "1 "),  # not exactly one reference: text
        ("<<n>><<n>>", "11"),
    ],
)
def test_whole_reference_keeps_its_type(source: str, value: Any) -> None:
    assert Renderer(Scope({"runtime": VALUES})).value(source) == value


def test_json_values_render_keys_and_keep_types() -> None:
    renderer = Renderer(Scope({"runtime": VALUES}))
    doc = {"<<s>>": ["<<n>>", "<<s>>!", 2, None, {"k": "<<z>>"}], "plain": False}
    assert renderer.json(doc) == {"text": [1, "text!", 2, None, {"k": None}], "plain": False}
    assert renderer.text(5) == "5"  # type: ignore[arg-type]  # a non-string field


def test_undefined_native_variable_is_an_error_naming_it_and_where() -> None:
    renderer = Renderer(Scope({"collection": {"token": "t", "tenant": "x"}}))
    with pytest.raises(VariableError) as caught:
        renderer.text("a/<<tokn>>", HERE)
    error = caught.value
    assert error.name == "tokn" and error.location == HERE
    assert error.message == "undefined variable <<tokn>>"
    assert error.hint is not None
    assert error.hint.startswith("did you mean <<token>>? defined: tenant, token; define it")
    with pytest.raises(VariableError):
        renderer.value("<<missing>>")


# Expected texts are what Node's String(value) prints (checked with node -e).
@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        (None, "null"),
        (True, "true"),
        (7, "7"),
        (3.0, "3"),
        (1.0, "1"),
        (-1.0, "-1"),
        (0.0, "0"),
        (-0.0, "0"),
        (2.5, "2.5"),
        (0.1, "0.1"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1.2345e-7, "1.2345e-7"),
        (5e-324, "5e-324"),
        (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"),
        (1e21, "1e+21"),
        (-1.5e300, "-1.5e+300"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (float("nan"), "NaN"),
        ([1, [2, [3, None]], {"a": 1}, True, None, 2.0, "x"], "1,2,3,,[object Object],true,,2,x"),
        ([], ""),
        ({"a": 1}, "[object Object]"),
    ],
)
def test_postman_values_as_text_are_javascripts_string(value: Any, text: str) -> None:
    assert js_text(value) == text


def test_postman_numbers_as_text_agree_with_node_on_random_floats() -> None:
    # Node is the judge: String(x) for floats across every magnitude JavaScript lays out
    # differently (fixed, leading zeros, exponent on both sides).
    import json
    import random
    import shutil
    import subprocess

    from support.external import missing

    node = shutil.which("node")
    if node is None:
        missing("Node.js (node)", "is not installed (Newman needs it too)")
    rng = random.Random(7)
    values = [rng.random() * 10.0 ** rng.randint(-12, 25) for _ in range(400)]
    values += [-v for v in values[:50]] + [0.1 + 0.2, 1e21, 1e-7, 5e-324, 2.0**53]
    script = (
        "const v = JSON.parse(require('fs').readFileSync(0));"
        "process.stdout.write(JSON.stringify(v.map(String)))"
    )
    done = subprocess.run(
        [str(node), "-e", script], input=json.dumps(values), capture_output=True, text=True
    )
    expected = json.loads(done.stdout)
    assert [js_text(v) for v in values] == expected


def test_postman_dialect_substitutes_javascript_text_native_json_text() -> None:
    layers = {"runtime": {"list": [1, 2], "o": {"a": 1}, "f": 2.0}}
    postman = Renderer(Scope(layers), "postman")
    assert postman.text("{{list}}|{{o}}|{{f}}") == "1,2|[object Object]|2"
    assert Renderer(Scope(layers)).text("<<list>>|<<o>>|<<f>>") == '[1,2]|{"a":1}|2.0'


def test_postman_dialect_keeps_unknown_references_and_reports_them() -> None:
    renderer = Renderer(Scope({"environment": {"host": "h", "n": 1, "host.1": "one"}}), "postman")
    assert renderer.text("{{host}}/{{nope}}/{{ host }}") == "h/{{nope}}/{{ host }}"
    assert renderer.unresolved == {"nope", " host "}
    assert renderer.value("{{nope2}}") == "{{nope2}}"
    assert "nope2" in renderer.unresolved
    # The innermost reference first, as Postman does.
    assert renderer.text("{{host.{{n}}}}") == "one"
    assert renderer.text("{{host.{{zz}}}}") == "{{host.{{zz}}}}"


def test_reference_cycles_are_errors() -> None:
    renderer = Renderer(Scope({"collection": {"a": "<<b>>", "b": "x<<a>>"}}))
    with pytest.raises(VariableError) as caught:
        renderer.text("<<a>>", HERE)
    assert caught.value.name in ("a", "b")
    assert caught.value.message == (
        f"variable <<{caught.value.name}>> refers to itself (through other variables)"
    )
    assert caught.value.hint == "break the cycle between these variables"
    # Ten levels of indirection are fine, eleven are taken for a cycle; the count is per
    # reference, not per string.
    chain = {f"v{i}": f"<<v{i + 1}>>" for i in range(10)} | {"v10": "end"}
    longer = {f"w{i}": f"<<w{i + 1}>>" for i in range(11)} | {"w11": "end"}
    deep = Renderer(Scope({"collection": chain | longer}))
    assert deep.text("<<v0>>") == "end"
    assert deep.text("<<v0>>-<<v0>>-" * 6) == "end-end-" * 6
    for text in ("<<w0>>", "<<v0>><<w0>>"):
        with pytest.raises(VariableError):
            deep.text(text)


def test_undefined_error_lists_at_most_twelve_names() -> None:
    known = [f"name{i:02}" for i in range(14)]
    error = undefined_error("zzz", known, None, static=True)
    assert error.message == (
        "undefined variable <<zzz>> (not defined anywhere, nor captured by an earlier request)"
    )
    assert error.hint == (
        "defined: " + ", ".join(known[:12]) + " …; define it in the environment, the "
        "collection's variables, or with --var NAME=VALUE"
    )
    for count, more in ((12, ""), (13, " …")):
        names = [f"n{i:02}" for i in range(count)]
        hint = undefined_error("zzz", names, None).hint or ""
        assert hint.startswith("defined: " + ", ".join(names[:12]) + more + "; define it")
    assert undefined_error("a", [], None).hint == (
        "define it in the environment, the collection's variables, or with --var NAME=VALUE"
    )


ENV_HINT = (
    "set HOME_URL in the shell's environment (export HOME_URL=…) or in a .env file "
    "(./.env is read; --dotenv FILE for another); -e and --var define <<HOME_URL>>, "
    "not <<$env.HOME_URL>>"
)


@pytest.mark.parametrize(
    ("known", "static", "message", "hint"),
    [
        ([], False, "undefined variable <<$env.HOME_URL>>", ENV_HINT),
        (
            ["other"],
            True,
            "undefined variable <<$env.HOME_URL>> (not set in the process environment)",
            ENV_HINT,
        ),
        # A variable of that name exists: the reference may mean it.
        (
            ["HOME_URL"],
            False,
            "undefined variable <<$env.HOME_URL>>",
            f"did you mean <<HOME_URL>>? {ENV_HINT}",
        ),
        (
            ["base", "HOME_URI"],
            False,
            "undefined variable <<$env.HOME_URL>>",
            ENV_HINT,  # only the very name, not a near one: $env. reads the process only
        ),
    ],
)
def test_undefined_env_reference_says_where_the_process_environment_is_set(
    known: list[str], static: bool, message: str, hint: str
) -> None:
    error = undefined_error("$env.HOME_URL", known, None, static=static)
    assert (error.name, error.message, error.hint) == ("$env.HOME_URL", message, hint)


def test_a_did_you_mean_ends_its_sentence_before_the_defined_names() -> None:
    error = undefined_error("bse", ["base", "token"], None)
    assert error.hint == (
        "did you mean <<base>>? defined: base, token; define it in the environment, the "
        "collection's variables, or with --var NAME=VALUE"
    )


@pytest.mark.parametrize(
    ("name", "sensitive"),
    [
        ("clientSecret", True),
        ("PASSWORD", True),
        ("bearerToken", True),
        ("apiKey", True),
        ("monkey", True),  # substring match, deliberately broad
        ("tenantId", False),
        ("scope", False),
        ("", False),
    ],
)
def test_sensitive_names(name: str, sensitive: bool) -> None:
    assert is_sensitive_name(name) is sensitive


def test_errors_are_located_where_the_template_is() -> None:
    renderer = Renderer(Scope({"collection": {"a": "<<b>>", "b": "<<a>>"}}))
    for call in (
        lambda: renderer.value("<<missing>>", HERE),
        lambda: renderer.value("x<<missing>>", HERE),
        lambda: renderer.json({"k": ["<<missing>>"]}, HERE),
        lambda: renderer.json({"<<missing>>": 1}, HERE),
        lambda: renderer.json({"k": {"j": "<<missing>>"}}, HERE),
        lambda: renderer.value("<<a>>", HERE),  # a cycle
    ):
        with pytest.raises(VariableError) as caught:
            call()
        assert caught.value.location == HERE


def test_postman_whole_references_keep_their_type() -> None:
    renderer = Renderer(
        Scope({"runtime": {"n": 1, "o": {"a": [True]}, "p": "{{q}}", "q": "Q"}}), "postman"
    )
    assert renderer.value("{{n}}") == 1
    assert renderer.value("{{p}}") == "Q"  # a value naming another variable, Postman style
    assert renderer.json({"x": "{{o}}", "y": "<<n>>"}) == {"x": {"a": [True]}, "y": "<<n>>"}
