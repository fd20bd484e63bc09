"""The statement splitter the importer reads scripts with."""

from __future__ import annotations

from runner.postman.jsplit import split_top, statements, string_value


def test_statement_splitter_respects_strings_comments_and_blocks() -> None:
    src = (
        "// leading comment\n"
        "var a = 'x;y' // trailing\n"
        "if (a) {\n  b();\n} else {\n  c();\n}\n"
        "pm.expect(1)\n  .to.eql(1);\n"
        "/* block; */ d(`t;${a}`);"
    )
    pieces = statements(src)
    assert [p.code for p in pieces] == [
        "var a = 'x;y'",
        "if (a) {\n  b();\n} else {\n  c();\n}",
        "pm.expect(1)\n  .to.eql(1);",
        "d(`t;${a}`);",
    ]
    assert [p.code_line for p in pieces] == [2, 3, 8, 10]


def test_splitter_knows_regex_literals_and_block_ends() -> None:
    src = (
        "tests['guid'] = /^[0-9a-f]{8}-[0-9a-f]{4}$/i.test(x);\n"
        "var u = /https?:\\/\\/[^;]+/.exec(y) // not a comment inside the regex\n"
        "var ratio = a / b / c;\n"
        "if (a) { b(); } else { c(); }\n"
        "d();"
    )
    assert [p.code for p in statements(src)] == [
        "tests['guid'] = /^[0-9a-f]{8}-[0-9a-f]{4}$/i.test(x);",
        "var u = /https?:\\/\\/[^;]+/.exec(y)",
        "var ratio = a / b / c;",
        "if (a) { b(); } else { c(); }",
        "d();",
    ]


def test_split_top_and_string_values() -> None:
    assert split_top('key: "a,b", value: f(1, [2, 3]), x: {y: 1}', ",") == [
        'key: "a,b"',
        "value: f(1, [2, 3])",
        "x: {y: 1}",
    ]
    assert string_value("'it\\'s'") == "it's"
    assert string_value('"a\\nb"') == "a\nb"
    assert string_value("`t${x}`") is None
    assert string_value("name") is None
