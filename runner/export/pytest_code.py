"""`runner export pytest`: a collection written as a readable pytest module.

One test function per request (folders become classes), in run order; plain `requests`
calls through a session fixture; assertions as plain `assert`s; captures stored in the
module's variables `v` for the tests after them; each oauth2/azure token a fixture that
gets it through `runner.get_token` (or azure-identity, `token_from="azure-identity"`).
Postman collections go through `runner import` first; script code that import could not
turn into assertions stays in the test as comments, with a warning.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from pprint import pformat
from typing import Any

from runner.checks.assertions import ELEMENTWISE
from runner.checks.query import is_multi, parse_cookie_target
from runner.model import (
    AuthSpec,
    Capture,
    Certificate,
    Check,
    Collection,
    Environment,
    Folder,
    Request,
    Schema,
    Step,
    nearest_auth,
)
from runner.resolve.variables import Ref, compile_template
from runner.secrets import is_sensitive_name

TOKEN_FROM = ("runner", "azure-identity")
_SIMPLE_PATH = re.compile(
    r"^\$((\.[A-Za-z_][A-Za-z0-9_]*)|(\[\d+\])|(\['[^'\]]*'\])|(\[\"[^\"\]]*\"\]))*$"
)
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^'\]]*)'\]|\[\"([^\"\]]*)\"\]")
_TYPES = {
    "string": "isinstance({x}, str)",
    "number": "isinstance({x}, int | float) and not isinstance({x}, bool)",
    "integer": "isinstance({x}, int) and not isinstance({x}, bool)",
    "boolean": "isinstance({x}, bool)",
    "array": "isinstance({x}, list)",
    "object": "isinstance({x}, dict)",
    "null": "{x} is None",
}
_COMPARE = {"equals": "==", "notEquals": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


@dataclass
class Exported:
    """The generated module's source and one warning per piece it could not translate."""

    code: str
    warnings: list[str] = field(default_factory=list)


def export_file(
    path: Path,
    *,
    environment: Environment | None = None,
    token_from: str = "runner",
    output: Path | None = None,
) -> Exported:
    """Returns the pytest module for the collection in `path` (native or Postman), to be
    written to `output` (None: printed, to be saved in the current folder): the files the
    collection names (bodies, certificates) are found from the module's own folder.

    Raises:
        InputError / InputErrors: the collection is invalid.
    """
    from runner.loader import load_collection

    warnings: list[str] = []
    collection = load_collection(path)
    if collection.dialect == "postman":
        from runner.loader import import_file
        from runner.loader.build import Builder

        doc, notes = import_file(path)
        warnings += notes
        builder = Builder(doc, path)
        collection = builder.build()
    module_dir = output.resolve().parent if output is not None else Path.cwd()
    files = os.path.relpath(path.resolve().parent, module_dir)
    writer = _Writer(collection, environment, token_from, str(path), Path(files).as_posix())
    code = writer.module()
    return Exported(code, warnings + writer.warnings)


class _Writer:
    """Writes the module; remembers which helpers and imports the tests used."""

    def __init__(
        self,
        collection: Collection,
        environment: Environment | None,
        token_from: str,
        source: str,
        files: str = ".",
    ) -> None:
        self.collection = collection
        self.files = files  # the collection's folder, relative to the module's
        self.environment = environment
        self.token_from = token_from
        self.source = source
        self.warnings: list[str] = []
        self.helpers: set[str] = set()
        self.tokens: dict[str, tuple[str, AuthSpec]] = {}  # key → (fixture name, spec)
        self.names: set[str] = set()
        self.schemas: dict[int, str] = {}  # id(Schema) → its module constant
        self.schema_blocks: list[str] = []

    # -- the module ---------------------------------------------------------------------

    def module(self) -> str:
        """Returns the whole module's source: top-level blocks two blank lines apart."""
        tests = self._items(self.collection.items, (), 0)
        files = []
        if any("FILES /" in t for t in tests):
            where = "" if self.files == "." else f" / {_quote(self.files)}"
            files = [
                "# The collection's folder: the files it names (bodies, certificates) are\n"
                f"# relative to it.\nFILES = Path(__file__).parent{where}"
            ]
        blocks = [
            *files,
            *self._variables_block(),
            *self.schema_blocks,
            *self._fixtures(),
            *self._helpers(),
            *tests,
        ]
        text = "\n\n\n".join(blocks)
        return "\n".join(self._head(text)) + "\n\n" + text.rstrip() + "\n"

    def _head(self, text: str) -> list[str]:
        title = self.collection.name
        lines = [
            f'"""Tests written by `runner export pytest` from {Path(self.source).name}.',
            "",
            f"{_docstring(title, 88)}. The tests run in file order and share",
            "the variables `v`: what a request captures is there for the requests after it",
            "(so do not reorder them or spread them over xdist workers). Every variable",
            "can be set by an environment variable of the same name.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
        ]
        used = [m for m in ("uuid", "time", "random") if re.search(rf"\b{m}\.", text)]
        plain = {"os", "re", *used}
        froms = ["from collections.abc import Iterator", "from typing import Any"]
        if "Path(" in text or "FILES /" in text:
            froms.append("from pathlib import Path")
        if "datetime" in self.helpers or "datetime.now(" in text:
            froms.append("from datetime import UTC, datetime, timedelta")
        elif "cookie" in self.helpers:  # an Expires date written as ISO 8601
            froms.append("from datetime import UTC, datetime")
        lines += [f"import {m}" for m in sorted(plain)]
        lines += sorted(froms, key=lambda line: line.split()[1])
        lines.append("")
        third = ["import pytest", "import requests"]
        if "jsonpath" in self.helpers:
            third.append("import jsonpath_ng.ext")
        if "schema" in self.helpers:
            third.append("import jsonschema")
        lines += sorted(third)
        runner_names = sorted(
            n for n in ("TokenCache", "get_token") if re.search(rf"(?<![.\w]){n}\(", text)
        )
        if runner_names:
            lines.append(f"from runner import {', '.join(runner_names)}")
        return lines

    def _variables_block(self) -> list[str]:
        lines = ["TIMEOUT = 30  # seconds, for every request", ""]
        defaults, secrets = self._variables()
        lines.append("DEFAULTS: dict[str, Any] = {")
        lines += [f"    {_quote(k)}: {_literal(val)}," for k, val in defaults.items()]
        lines.append("}")
        lines.append(
            '"""The collection\'s (and environment\'s) variables; secrets are not here."""'
        )
        lines.append(f"SECRETS = {_literal(sorted(secrets))}")
        lines.append('"""Variables to set in the environment: secrets, those defined nowhere."""')
        return ["\n".join(lines)]

    def _variables(self) -> tuple[dict[str, Any], set[str]]:
        values: dict[str, Any] = dict(self.collection.variables)
        for step in _steps(self.collection.items):
            for folder in step.folders:
                for name, value in folder.variables.items():
                    values.setdefault(name, value)
        secrets: set[str] = set()
        if self.environment is not None:
            for name, value in self.environment.values.items():
                if name in self.environment.secrets or _secret(name, value):
                    secrets.add(name)
                    values.pop(name, None)
                else:
                    values[name] = value
        for name in list(values):
            if _secret(name, values[name]) and "<<" not in str(values[name]):
                secrets.add(name)
                del values[name]
        # Used but defined nowhere (e.g. given with --var or -e when the collection runs).
        from runner.loader.preflight import used_names

        steps = list(_steps(self.collection.items))
        captured = {c.name for step in steps for c in step.request.captures}
        for step in steps:
            for name in used_names(step, self.collection):
                if name not in values and name not in captured and not name.startswith("$"):
                    secrets.add(name)
        return values, secrets

    def _fixtures(self) -> list[str]:
        variables = [
            '@pytest.fixture(scope="module")',
            "def v() -> Variables:",
            '    """Returns the variables: DEFAULTS and SECRETS, each from the environment',
            "    when set there, `<<name>>` references expanded; captures are added as the",
            '    tests run."""',
            "    values = {name: os.environ.get(name, value) for name, value in DEFAULTS.items()}",
            "    for name in SECRETS:",
            "        if name not in os.environ:",
            '            pytest.fail(f"set the environment variable {name}", pytrace=False)',
            "        values[name] = os.environ[name]",
            "    return Variables(expand(values))",
        ]
        http = [
            '@pytest.fixture(scope="module")',
            "def http() -> Iterator[requests.Session]:",
            '    """Returns the HTTP session every request goes through (connections reused)."""',
            "    with requests.Session() as session:",
            "        yield session",
        ]
        self.helpers.update(("expand", "variables"))
        blocks = ["\n".join(variables), "\n".join(http)]
        for name, spec in self.tokens.values():
            blocks += self._token_fixture(name, spec)
        return blocks

    def _token_fixture(self, name: str, spec: AuthSpec) -> list[str]:
        constant = name.upper()
        target = spec.params.get("scope") or spec.params.get("resource") or ""
        block = {"type": spec.type, **spec.params}
        constant_lines = [f"{constant} = {{"]
        constant_lines += [f"    {_quote(k)}: {_literal(val)}," for k, val in block.items()]
        constant_lines += [
            "}",
            '"""The collection\'s auth block; runner renders its <<variables>>."""',
        ]
        lines: list[str] = []
        azure = self._azure(spec)
        if self.token_from == "azure-identity" and not azure:
            self.warnings.append(
                f"{spec.location}: azure-identity cannot do this grant; the token comes from runner"
            )
        lines += [
            "@pytest.fixture",
            f"def {name}(v: Variables) -> str:",
            f'    """Returns an access token for {_docstring(str(target), 60)} (reused)."""',
        ]
        if azure:
            return ["\n".join([*lines, *_azure_identity_body(spec)])]
        lines.append(f"    return Secret(get_token({constant}, v, tokens=TOKENS))")
        return ["\n".join(constant_lines), "\n".join(lines)]

    def _helpers(self) -> list[str]:
        blocks: list[str] = []
        if self.tokens:
            blocks.append(_HELPERS["secret"].strip("\n"))
        if any(not self._azure(spec) for _, spec in self.tokens.values()):
            blocks.append('TOKENS = TokenCache()\n"""Tokens shared by the tests of this module."""')
        for name in ("variables", "expand", "jsonpath", "moment", "cookie", "schema", "operation"):
            if name in self.helpers:
                blocks.append(_HELPERS[name].strip("\n"))
        return blocks

    def _azure(self, spec: AuthSpec) -> bool:
        return self.token_from == "azure-identity" and _azure_identity_ok(spec)

    # -- tests --------------------------------------------------------------------------

    def _items(self, items: tuple[Any, ...], folders: tuple[Folder, ...], depth: int) -> list[str]:
        """Returns one block per item: a test function, or a class holding a folder's tests."""
        blocks: list[str] = []
        pad = "    " * depth
        for item in items:
            if isinstance(item, Folder):
                lines = [f"{pad}class {_class_name(item.name, self.names)}:"]
                lines.append(f'{pad}    """{_docstring(item.description or item.name)}"""')
                lines += self._scripts(
                    item.scripts, pad + "    ", " › ".join((*_names(folders), item.name))
                )
                inner = self._items(item.items, (*folders, item), depth + 1)
                blocks.append("\n".join(lines) + "\n\n" + "\n\n".join(inner))
            else:
                blocks.append("\n".join(self._test(Step(item, folders), pad, depth > 0)))
        return blocks

    def _test(self, step: Step, pad: str, method: bool) -> list[str]:
        request = step.request
        where = " › ".join((*step.path, request.name))
        auth = nearest_auth(step, self.collection)
        params = ["self"] if method else []
        params += ["http: requests.Session", "v: Variables"]
        headers: list[str] = []
        call_auth = ""
        if auth is not None:
            fixture, headers, call_auth = self._auth(auth, where)
            if fixture:
                params.append(f"{fixture}: str")
        name = _function_name(request.name, self.names)
        lines = []
        if request.skip:
            lines.append(f'{pad}@pytest.mark.skip(reason="skip: true in the collection")')
        lines += _fit(pad, f"def {name}(", params, ") -> None:")
        inner = pad + "    "
        lines.append(f'{inner}"""{_docstring(request.description or where)}"""')
        lines += self._scripts(request.scripts, inner, where, "prerequest")
        lines += self._call(request, inner, headers, call_auth)
        if request.lro is not None:
            # Wait for the Azure long-running operation, as `runner run` does with `lro`.
            self.helpers.add("operation")
            interval, limit = request.lro.interval_ms / 1000, request.lro.timeout_ms / 1000
            call = f"wait_for_operation(http, response, {interval:g}, {limit:g})"
            lines.append(f"{inner}response = {call}")
        uses_body = any(c.subject in ("jsonpath", "schema") for c in request.checks) or any(
            c.source == "jsonpath" for c in request.captures
        )
        for check in request.checks:
            if check.subject == "status":
                lines += [inner + line for line in self._check(check)]
        if uses_body:
            lines.append(f"{inner}body = response.json()")
        for check in request.checks:
            if check.subject != "status":
                lines += [inner + line for line in self._check(check)]
        for capture in request.captures:
            lines.append(inner + self._capture(capture))
        lines += self._scripts(request.scripts, inner, where, "test")
        return lines

    def _call(self, request: Request, pad: str, headers: list[str], auth: str) -> list[str]:
        method = request.method.upper()
        call = (
            f"http.{method.lower()}(" if method in _METHODS else f"http.request({_quote(method)}, "
        )
        args: list[Any] = [_expr(request.url)]
        if request.query:
            args.append(_pairs(request.query, "params="))
        all_headers = [f"{_expr(k)}: {_expr(val)}" for k, val in request.headers] + headers
        if all_headers:
            args.append(_Group("headers={", all_headers, "}"))
        if auth:
            args.append(auth)
        body = request.body
        if body is not None:
            args.append(self._body(body, request))
        if request.options.follow_redirects is False:
            args.append("allow_redirects=False")
        if request.certificate:
            args += self._certificate(request.certificate, request)
        timeout = "TIMEOUT"
        if request.timeout_ms is not None:  # its own; 0 is no limit, as in runner
            timeout = f"{request.timeout_ms / 1000:g}" if request.timeout_ms else "None"
        args.append(f"timeout={timeout}")
        return _fit(pad, f"response = {call}", args, ")")

    def _certificate(self, certificate: Certificate, request: Request) -> list[str]:
        """Returns requests' `cert=` argument for PEM files; a warning for what requests cannot
        read (PKCS#12, a password)."""
        if certificate.password is not None or certificate.cert.lower().endswith((".p12", ".pfx")):
            self.warnings.append(
                f"{request.location}: client certificate not translated: requests reads "
                "unencrypted PEM files only (openssl pkcs12 -in FILE -nodes gives them); "
                "add cert=(CERT, KEY) by hand"
            )
            return []
        cert = f"str(FILES / {_expr(certificate.cert)})"
        if certificate.key is None:
            return [f"cert={cert}"]
        return [f"cert=({cert}, str(FILES / {_expr(certificate.key)}))"]

    def _body(self, body: Any, request: Request) -> Any:
        if body.kind == "json":
            return _nested(body.value, "json=")
        if body.kind == "form":
            return _pairs(body.value, "data=")
        if body.kind == "raw":
            return f"data={_expr(str(body.value))}"
        if body.kind == "file":
            return f"data=(FILES / {_expr(str(body.value))}).read_bytes()"
        self.warnings.append(f"{request.location}: multipart body sent as form fields")
        fields = [(k, val) for k, val in body.value if isinstance(val, str)]
        return _pairs(tuple(fields), "data=")

    def _auth(self, spec: AuthSpec, where: str) -> tuple[str, list[str], str]:
        """Returns (token fixture, extra headers, extra call argument) for an auth block."""
        params = spec.params
        if spec.type in ("oauth2", "azure"):
            key = json.dumps([spec.type, params], sort_keys=True, default=str)
            if key not in self.tokens:
                self.tokens[key] = (_token_name(params, self.tokens), spec)
            fixture = self.tokens[key][0]
            return fixture, [f'"Authorization": f"Bearer {{{fixture}}}"'], ""
        if spec.type == "bearer":
            token = _expr(str(params.get("token", "")))
            return "", [f'"Authorization": "Bearer " + {token}'], ""
        if spec.type == "basic":
            user, password = (
                _expr(str(params.get("username", ""))),
                _expr(str(params.get("password", ""))),
            )
            return "", [], f"auth=({user}, {password})"
        if spec.type == "apikey":
            name, value = _expr(str(params.get("key", ""))), _expr(str(params.get("value", "")))
            if str(params.get("in", "header")) == "query":
                return "", [], f"params={{{name}: {value}}}"
            return "", [f"{name}: {value}"], ""
        if spec.type in ("none", "noauth"):
            return "", [], ""
        self.warnings.append(f"{where}: auth type '{spec.type}' is not translated; add it by hand")
        return "", [], ""

    def _scripts(self, scripts: Any, pad: str, where: str, which: str = "both") -> list[str]:
        lines: list[str] = []
        groups = []
        if which in ("prerequest", "both"):
            groups.append(("pre-request", scripts.prerequest))
        if which in ("test", "both"):
            groups.append(("test", scripts.test))
        for label, kept in groups:
            for script in kept:
                self.warnings.append(
                    f"{where}: {label} script kept as a comment in the test (translate it by hand)"
                )
                lines.append(f"{pad}# {label} script, not translated (Postman JavaScript):")
                lines += [f"{pad}#   {line}".rstrip() for line in script.source.splitlines()]
        return lines

    # -- assertions and captures --------------------------------------------------------

    def _subject(self, check: Check) -> str:
        if check.subject == "status":
            return "response.status_code"
        if check.subject == "headers":
            return f"response.headers.get({_quote(str(check.target))})"
        if check.subject == "body":
            return "response.text"
        if check.subject == "responseTime":
            return "response.elapsed.total_seconds() * 1000"
        if check.subject == "cookies":
            return self._cookie(str(check.target))
        return self._path(str(check.target))

    def _cookie(self, target: str) -> str:
        self.helpers.add("cookie")
        name, attr = parse_cookie_target(target) or (target, "Value")
        extra = "" if attr == "Value" else f", {_quote(attr)}"
        return f"cookie(http, response, {_quote(name)}{extra})"

    def _path(self, path: str) -> str:
        if _SIMPLE_PATH.match(path):
            return "body" + "".join(f"[{_py(_key(step))}]" for step in _STEP.finditer(path))
        self.helpers.add("jsonpath")
        return f"jsonpath(body, {_quote(path)})"

    def _check(self, check: Check) -> list[str]:
        x = self._subject(check)
        multi = check.subject == "jsonpath" and is_multi(str(check.target))
        expected = check.expected
        op = check.op
        if op == "exists":
            return [self._exists(check, bool(expected))]
        if op == "schema":
            return self._schema(check, "body" if check.subject == "schema" else x, multi)
        if multi and (op in ELEMENTWISE or op == "in"):
            test = self._test_expr(op, "item", expected)
            one = f"assert all({test} for item in {x})"
            if len(one) <= 80:
                return [one]
            return ["assert all(", f"    {test}", f"    for item in {x}", ")"]
        if multi and op == "length":
            return [f"assert {self._length(x, expected)}"]
        if multi and op == "contains":
            return [f"assert {_value(expected)} in {x}"]
        if op == "length":
            return [f"assert {self._length(x, expected)}"]
        if (
            check.subject == "headers"
            and op in ("equals", "notEquals")
            and not isinstance(expected, str)
        ):
            expected = json.dumps(expected)
        return [f"assert {self._test_expr(op, x, expected)}"]

    def _schema(self, check: Check, x: str, multi: bool) -> list[str]:
        """Returns the lines checking `x` against the check's JSON Schema, written into the
        module as a constant (one per schema) so the test needs no file of the collection."""
        schema = check.expected
        assert isinstance(schema, Schema)
        constant = self.schemas.get(id(schema))
        if constant is None:
            stem = re.sub(r"\W+", "_", Path(schema.name).name.split(".")[0]).strip("_").upper()
            constant = f"SCHEMA_{stem or len(self.schemas) + 1}"
            while constant in self.schemas.values():
                constant += "_"
            self.schemas[id(schema)] = constant
            text = pformat(schema.document, width=92, sort_dicts=False)
            if "\n" in text or len(text) > 70:
                text = "(\n" + textwrap.indent(text, "    ") + "\n)"
            self.schema_blocks.append(
                f'{constant}: Any = {text}\n"""{_docstring("JSON Schema " + schema.shown)}."""'
            )
        self.helpers.add("schema")
        if multi:
            return [f"for item in {x}:", f"    assert_schema(item, {constant})"]
        return [f"assert_schema({x}, {constant})"]

    def _test_expr(self, op: str, x: str, expected: Any) -> str:
        want = _value(expected)
        if op in ("equals", "notEquals") and isinstance(expected, bool):
            # JSON equality: true is not 1, and ruff (E712) asks for `is` too.
            return f"{x} is {'not ' if op == 'notEquals' else ''}{want}"
        if op in _COMPARE:
            if op not in ("equals", "notEquals") and isinstance(expected, str):
                want = f"float({want})"
            return f"{x} {_COMPARE[op]} {want}"
        if op == "type":
            return _TYPES[str(expected)].format(x=x)
        if op == "contains":
            return f"{want} in {x}"
        if op == "matches":
            return f"re.search({want}, {x})"
        if op == "in":
            return f"{x} in {want}"
        if op in ("before", "after"):
            self.helpers.add("moment")
            self.helpers.add("datetime")
            sign = "<" if op == "before" else ">"
            return f"moment({x}) {sign} moment({want})"
        raise ValueError(f"operator {op!r}")

    def _length(self, x: str, expected: Any) -> str:
        if isinstance(expected, dict):
            return " and ".join(
                self._test_expr(op, f"len({x})", want) for op, want in expected.items()
            )
        want = _value(expected)
        return f"len({x}) == {f'int({want})' if isinstance(expected, str) else want}"

    def _exists(self, check: Check, present: bool) -> str:
        negate = "" if present else "not "
        if check.subject == "cookies":
            return f"assert {self._subject(check)} is {'not ' if present else ''}None"
        if check.subject == "headers":
            return f"assert {_quote(str(check.target))} {negate}in response.headers"
        path = str(check.target)
        if check.subject == "jsonpath" and _SIMPLE_PATH.match(path):
            steps = [_key(step) for step in _STEP.finditer(path)]
            if steps and isinstance(steps[-1], str):
                parent = "body" + "".join(f"[{_py(s)}]" for s in steps[:-1])
                return f"assert {_py(steps[-1])} {negate}in {parent}"
        if check.subject == "jsonpath":
            self.helpers.add("jsonpath")
            return f"assert {negate}jsonpath(body, {_quote(path)})"
        return f"assert {self._subject(check)} is {negate}None".replace(
            "is not None", "is not None"
        )

    def _capture(self, capture: Capture) -> str:
        target = f"v[{_quote(capture.name)}]"
        if capture.source == "status":
            return f"{target} = response.status_code"
        if capture.source == "header":
            return f"{target} = response.headers[{_quote(str(capture.expr))}]"
        if capture.source == "cookie":
            return f"{target} = {self._cookie(str(capture.expr))}"
        if capture.source == "regex":
            found = f"re.search({_quote(str(capture.expr))}, response.text)"
            return f"{target} = {found}.group({capture.group})  # type: ignore[union-attr]"
        path = str(capture.expr)
        if _SIMPLE_PATH.match(path):
            return f"{target} = {self._path(path)}"
        return f"{target} = {self._path(path)}[0]"


# -- pieces of code ----------------------------------------------------------------------


def _secret(name: str, value: Any) -> bool:
    """Returns True for a value to keep out of the module: a secret-sounding name and a value
    long enough to be a credential (`secretWarningDays: 30` is not one)."""
    return is_sensitive_name(name) and len(str(value)) >= 6


def _steps(items: tuple[Any, ...], folders: tuple[Folder, ...] = ()) -> Iterator[Step]:
    for item in items:
        if isinstance(item, Folder):
            yield from _steps(item.items, (*folders, item))
        else:
            yield Step(item, folders)


def _names(folders: tuple[Folder, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in folders)


def _key(match: re.Match[str]) -> str | int:
    name, index, single, double = match.groups()
    if index is not None:
        return int(index)
    return name if name is not None else single if single is not None else double


def _ref(ref: Ref, inside: bool = False) -> str:
    """Returns the Python expression for one `<<name>>` reference (single quotes `inside` an
    f-string, double quotes elsewhere)."""
    name = ref.name
    q = repr if inside else _quote
    if name.startswith("$env."):
        return f"os.environ[{q(name[5:])}]"
    dynamic = {
        "$guid": "str(uuid.uuid4())",
        "$timestamp": "str(int(time.time()))",
        "$isoTimestamp": "datetime.now(UTC).isoformat()",
        "$randomInt": "str(random.randint(0, 1000))",
    }
    if name in dynamic:
        return dynamic[name]
    return f"v[{q(name)}]"


def _expr(text: str) -> str:
    """Returns a Python expression for a template string: a literal, `v['name']`, or an
    f-string."""
    template = compile_template(text, "native")
    if not template.refs:
        return _quote(text)
    whole = template.whole
    if whole is not None:
        return _ref(whole)
    pieces = []
    for part in template.parts:
        if isinstance(part, Ref):
            pieces.append("{" + _ref(part, inside=True) + "}")
        else:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            pieces.append(escaped.replace("{", "{{").replace("}", "}}"))
    return 'f"' + "".join(pieces) + '"'


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _py(value: str | int) -> str:
    return str(value) if isinstance(value, int) else _quote(value)


def _value(value: Any) -> str:
    """Returns a Python expression for a JSON value whose strings may hold `<<vars>>`."""
    if isinstance(value, str):
        return _expr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_quote(k)}: {_value(val)}" for k, val in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return _literal(value)


def _nested(value: Any, head: str = "") -> Any:
    """Returns a JSON value as groups inside groups, which `_fit` splits over lines as far as
    needed (a deep body on one line would be too long), else as one expression."""
    if isinstance(value, dict) and value:
        return _Group(head + "{", [_nested(v, f"{_quote(k)}: ") for k, v in value.items()], "}")
    if isinstance(value, list) and value:
        return _Group(head + "[", [_nested(item) for item in value], "]")
    return head + _value(value)


def _literal(value: Any) -> str:
    """Returns a Python literal for a JSON value."""
    if value is None or isinstance(value, bool):
        return {None: "None", True: "True", False: "False"}[value]
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_quote(k)}: {_literal(val)}" for k, val in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return repr(value)


def _pairs(pairs: Any, head: str = "") -> _Group:
    """Returns name/value pairs as a dict literal, or a list of tuples when a name repeats."""
    names = [k for k, _ in pairs]
    if len(set(names)) == len(names):
        return _Group(head + "{", [f"{_expr(k)}: {_expr(val)}" for k, val in pairs], "}")
    return _Group(head + "[", [f"({_expr(k)}, {_expr(val)})" for k, val in pairs], "]")


def _docstring(text: str, room: int = 80) -> str:
    """Returns the first line of `text` for a docstring: no `›` (ruff RUF002), cut to fit."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = first.replace(" › ", "/").replace("\\", "\\\\").replace('"""', "'''")
    return first if len(first) <= room else first[: room - 1].rstrip() + "…"


@dataclass
class _Group:
    """A bracketed list of items (`key={a, b}`, `[a, b]`) that can be laid out on one line or
    one item per line."""

    head: str
    items: list[Any]
    tail: str

    def __str__(self) -> str:
        return self.head + ", ".join(map(str, self.items)) + self.tail


def _fit(pad: str, head: str, items: list[Any], tail: str) -> list[str]:
    """Returns `head item, item tail` on one line when it fits in 100 columns, else one item
    per line with trailing commas, a nested group split the same way (as ruff format)."""
    one = f"{pad}{head}{', '.join(map(str, items))}{tail}"
    if len(one) <= 100 or not items:
        return [one]
    lines = [f"{pad}{head}"]
    for item in items:
        text = f"{pad}    {item},"
        if len(text) > 100 and isinstance(item, _Group):
            lines += _fit(pad + "    ", item.head, item.items, item.tail + ",")
        else:
            lines.append(text)
    return [*lines, f"{pad}{tail}"]


def _identifier(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text)
    return "_".join(w.lower() for w in words) or "request"


def _function_name(name: str, taken: set[str]) -> str:
    base = "test_" + _identifier(name)
    return _unique(base, taken)


def _class_name(name: str, taken: set[str]) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    base = "Test" + "".join(w[:1].upper() + w[1:] for w in words)
    return _unique(base, taken)


def _unique(base: str, taken: set[str]) -> str:
    name, number = base, 2
    while name in taken or keyword.iskeyword(name):
        name = f"{base}_{number}"
        number += 1
    taken.add(name)
    return name


def _token_name(params: Any, existing: dict[str, tuple[str, AuthSpec]]) -> str:
    target = str(params.get("scope") or params.get("resource") or "")
    base = "token"
    for host, label in (("graph", "graph"), ("management", "arm"), ("vault", "vault")):
        if host in target:
            base = f"{label}_token"
            break
    taken = {name for name, _ in existing.values()}
    return _unique(base, taken)


def _azure_identity_ok(spec: AuthSpec) -> bool:
    """Returns True when azure-identity can get this token (client secret, client credentials)."""
    params = spec.params
    if spec.type == "azure":
        return str(params.get("credential", "client_secret")) in ("client_secret", "<<credential>>")
    return str(params.get("grantType", "client_credentials")) == "client_credentials" and bool(
        params.get("scope")
    )


def _azure_identity_body(spec: AuthSpec) -> list[str]:
    params = spec.params
    scope = _expr(str(params.get("scope", "")))
    tenant = _expr(str(params.get("tenantId", "<<tenantId>>")))
    if spec.type == "oauth2":
        tenant = 'v["tenantId"]'
    return [
        "    from azure.identity import ClientSecretCredential",
        "",
        "    credential = ClientSecretCredential(",
        f"        tenant_id={tenant},",
        f"        client_id={_expr(str(params.get('clientId', '')))},",
        f"        client_secret={_expr(str(params.get('clientSecret', '')))},",
        f"        authority={_expr(str(params.get('authorityHost', '<<authorityHost>>')))},",
        "    )",
        f"    return Secret(credential.get_token({scope}).token)",
    ]


_HELPERS = {
    "secret": '''
class Secret(str):
    """A token: used as itself, shown as *** in pytest's failure output."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "\'***\'"
''',
    "variables": '''
class Variables(dict[str, Any]):
    """The variables; secret ones (and tokens) show as *** in pytest's failure output."""

    def __repr__(self) -> str:
        hidden = re.compile(r"secret|password|token|key|credential", re.IGNORECASE)
        shown = {k: "***" if k in SECRETS or hidden.search(k) else x for k, x in self.items()}
        return repr(shown)
''',
    "expand": '''
REFERENCE = re.compile(r"<<\\s*([^<>\\s]+?)\\s*>>")


def expand(values: dict[str, Any]) -> dict[str, Any]:
    """Returns `values` with `<<name>>` references to other values replaced."""
    for _ in range(10):
        changed = False
        for name, value in values.items():
            if isinstance(value, str) and "<<" in value:
                new = REFERENCE.sub(lambda m: str(values.get(m[1], m[0])), value)
                changed |= new != value
                values[name] = new
        if not changed:
            break
    return values
''',
    "jsonpath": '''
def jsonpath(document: Any, path: str) -> list[Any]:
    """Returns every value `path` selects in `document` (JSONPath with wildcards, filters)."""
    return [match.value for match in jsonpath_ng.ext.parse(path).find(document)]
''',
    "cookie": '''
def cookie(
    http: requests.Session, response: requests.Response, name: str, attribute: str = "Value"
) -> Any:
    """Returns cookie `name` (or its Domain, Path, Expires, Max-Age, Secure, HttpOnly,
    SameSite) as runner reads it: the one the response or a redirect before it set, else
    the session's (which has no Max-Age)."""
    found, max_age = None, None
    for answer in [*response.history, response]:
        found = next((c for c in answer.cookies if c.name == name), found)
        for header in answer.raw.headers.getlist("Set-Cookie"):  # requests keeps no Max-Age
            first, *attrs = [part.partition("=") for part in header.split(";")]
            if first[0].strip() == name:
                ages = [v for k, _, v in attrs if k.strip().lower() == "max-age"]
                max_age = int(ages[0]) if ages else None
    if attribute == "Max-Age":
        return max_age if found is not None else None  # the session's cookies have none
    found = found or next((c for c in http.cookies if c.name == name), None)
    if found is None:
        return None
    rest = {k.lower(): v for k, v in getattr(found, "_rest", {}).items()}
    if attribute == "Expires":
        if found.expires is None:
            return None
        return datetime.fromtimestamp(found.expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if attribute == "HttpOnly":
        return "httponly" in rest
    if attribute == "SameSite":
        return rest.get("samesite")
    fields = {"Value": "value", "Domain": "domain", "Path": "path", "Secure": "secure"}
    return getattr(found, fields[attribute])
''',
    "operation": '''
def wait_for_operation(
    http: requests.Session, response: requests.Response, interval: float, limit: float
) -> requests.Response:
    """Returns the final response of the Azure long-running operation `response` started
    (Azure-AsyncOperation / Operation-Location, else Location), or `response` if none did;
    polls as Retry-After asks (at most 10 s apart), fails the test after `limit` seconds."""
    started = response.request
    monitor = response.headers.get("Azure-AsyncOperation")
    monitor = monitor or response.headers.get("Operation-Location")
    location = response.headers.get("Location")
    if response.status_code not in (200, 201, 202, 204) or not (
        monitor or (location and response.status_code in (201, 202))
    ):
        return response
    url = str(monitor or location)
    skipped = ("content-type", "content-length")  # polls are bodiless GETs
    headers = {k: v for k, v in started.headers.items() if k.lower() not in skipped}
    ends = time.monotonic() + limit
    last = response
    while True:
        pause = last.headers.get("Retry-After", "")
        time.sleep(min(float(pause), 10.0) if pause.isdigit() else interval)
        if time.monotonic() > ends:
            pytest.fail(f"the operation did not end within {limit:g} s ({url})")
        last = http.get(url, headers=headers, timeout=TIMEOUT)
        if monitor is None:
            if last.status_code != 202:
                return last
            continue
        last.raise_for_status()
        state = str(last.json().get("status", "")).lower()
        if state in ("failed", "canceled", "cancelled"):
            pytest.fail(f"the operation ended {state}: {last.json().get('error')}")
        if state == "succeeded":
            break
    final = last.json().get("resourceLocation")
    if not final and started.method in ("PUT", "PATCH"):
        final = started.url
    elif not final and started.method == "POST":
        final = location
    return http.get(final, headers=headers, timeout=TIMEOUT) if final else last
''',
    "moment": '''
def moment(text: str) -> datetime:
    """Returns the date-time `text` names: ISO 8601, `now`, or `now+30d` / `now-2h`."""
    relative = re.fullmatch(r"now\\s*(?:([+-])\\s*(\\d+)\\s*([smhdw]))?", text.strip())
    if relative:
        sign, amount, unit = relative.groups()
        units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
        delta = timedelta(**{units[unit]: int(amount)}) if sign else timedelta()
        return datetime.now(UTC) + (delta if sign != "-" else -delta)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
''',
    "schema": """
def assert_schema(value: Any, schema: Any) -> None:
    \"\"\"Fails naming how `value` breaks `schema` (draft-07 unless it says otherwise).\"\"\"
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    checker = cls(schema, format_checker=cls.FORMAT_CHECKER)
    errors = list(checker.iter_errors(value))
    shown = [f"{e.json_path}: {e.message} ({e.validator})"[:200] for e in errors[:3]]
    more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
    assert not errors, f"{len(errors)} schema errors: " + "; ".join(shown) + more
""",
}
