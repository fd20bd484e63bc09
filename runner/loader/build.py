"""Native collection documents → model objects (pure), with semantic checks."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple

from runner.checks.dates import parse_moment
from runner.checks.query import (
    COOKIE_ATTRIBUTES,
    compile_regex,
    jsonpath_error,
    parse_cookie_target,
    regex_error,
)
from runner.errors import InputError, Location, Problems
from runner.loader.files import read_json
from runner.loader.validate import BODY_KINDS
from runner.model import (
    AuthSpec,
    Body,
    Capture,
    Certificate,
    Check,
    Collection,
    FilePart,
    Folder,
    Item,
    LongRunning,
    Options,
    Repeat,
    Request,
    Schema,
    Script,
    Scripts,
)
from runner.suggest import did_you_mean
from runner.values import JSON

OPERATORS = (
    *("equals", "notEquals", "exists", "type", "contains", "matches", "in"),
    *("lt", "lte", "gt", "gte", "length", "before", "after"),
)


AUTH_KEYS: dict[str, tuple[str, ...]] = {
    "inherit": (),
    "none": (),
    "bearer": ("token", "prefix"),
    "basic": ("username", "password"),
    "apikey": ("in", "name", "value", "key"),
    "oauth2": (
        *("grantType", "tokenUrl", "clientId", "clientSecret", "scope", "resource"),
        *("refreshToken", "username", "password", "extraParams"),
    ),
    "azure": (
        *("credential", "tenantId", "clientId", "scope", "resource", "authorityHost", "cloud"),
        *("clientSecret", "certificateFile", "certificatePassword", "federatedTokenFile"),
    ),
}
"""Keys each native auth type takes; Postman-only types (digest, oauth1, hawk) take theirs."""


_DEFAULT_OPTIONS = Options()
_NO_SCRIPTS = Scripts()


class _Inherited(NamedTuple):
    """The settings a folder passes down to its items (the nearest one wins)."""

    cookies: bool | None
    certificate: Certificate | Literal[False] | None


class Builder:
    """Builds one native collection, collecting every semantic problem."""

    def __init__(self, doc: dict[str, JSON], path: Path) -> None:
        self.doc = doc
        self.path = path
        self.file = str(path)
        self.problems = Problems()
        # Schema files by resolved path: requests naming one file share one compiled Schema.
        self.schema_files: dict[Path, Schema | None] = {}
        # Why each JSONPath is invalid (None: valid), judged once per distinct expression:
        # the judgement evaluates it, and large collections repeat the same few paths.
        self.jsonpath_errors: dict[str, str | None] = {}

    def collection(self) -> Collection:
        """Returns the Collection; raises InputErrors listing every problem."""
        collection = self.build()
        self.problems.raise_if_any()
        return collection

    def build(self) -> Collection:
        """Returns the Collection, recording semantic problems in `self.problems`."""
        # Locations are built top-down (parent pointer + child, parent item path + name):
        # one small object per node instead of a walk from the root for each.
        root = Location(self.file)
        inherited = _Inherited(
            self.doc.get("cookies"), self._certificate(self.doc.get("certificate"), root, None)
        )
        items = self._items(self.doc.get("items", []), root.child("items"), inherited)
        collection = Collection(
            name=self.doc.get("name", self.path.stem),
            items=items,
            source=self.path,
            auth=self._auth(self.doc.get("auth"), root, "auth"),
            variables=dict(self.doc.get("variables", {})),
            scripts=self._scripts(self.doc.get("scripts"), root, "scripts"),
            description=self.doc.get("description", ""),
        )
        return collection

    def _items(self, raw: list[JSON], at: Location, inherited: _Inherited) -> tuple[Item, ...]:
        """Returns the items; `inherited` holds the nearest folder's (or collection's)
        settings."""
        built: list[Item] = []
        for index, node in enumerate(raw):
            name = node.get("name") if isinstance(node, dict) else None
            names = (*at.item_path, name) if isinstance(name, str) else at.item_path
            here = Location(at.file, f"{at.pointer}/{index}", names)
            settings = inherited
            if "cookies" in node or "certificate" in node:  # most items inherit both
                settings = _Inherited(
                    node.get("cookies", inherited.cookies),
                    self._certificate(node.get("certificate"), here, inherited.certificate),
                )
            if "items" in node:
                built.append(self._folder(node, here, settings))
            else:
                built.append(self._request(node, here, settings))
        return tuple(built)

    def _certificate(
        self, raw: JSON, at: Location, inherited: Certificate | Literal[False] | None
    ) -> Certificate | Literal[False] | None:
        """Returns the `certificate` setting written at `at`, else the inherited one."""
        if raw is False:
            return False
        if not isinstance(raw, dict) or not isinstance(raw.get("cert"), str):
            return inherited  # absent (or reported by the schema)
        key, password = raw.get("key"), raw.get("password")
        return Certificate(
            cert=raw["cert"],
            key=key if isinstance(key, str) else None,
            password=password if isinstance(password, str) else None,
            location=at.child("certificate"),
        )

    def _folder(self, node: dict[str, JSON], at: Location, inherited: _Inherited) -> Folder:
        return Folder(
            name=node["name"],
            items=self._items(node["items"], at.child("items"), inherited),
            location=at,
            id=at.pointer[1:],  # "items/0/items/3": item pointers hold no escaped characters
            auth=self._auth(node.get("auth"), at, "auth"),
            variables=dict(node.get("variables", {})),
            scripts=self._scripts(node.get("scripts"), at, "scripts"),
            description=node.get("description", ""),
            tags=tuple(node.get("tags", ())),
        )

    def _request(self, node: dict[str, JSON], at: Location, inherited: _Inherited) -> Request:
        cookies = inherited.cookies
        follow = node.get("followRedirects")
        retry = node.get("retry")
        options = _DEFAULT_OPTIONS
        if follow is not None or cookies is False:
            options = Options(follow_redirects=follow, disable_cookies=cookies is False or None)
        return Request(
            name=node["name"],
            method=node.get("method", "GET").upper(),
            url=node["url"],
            location=at,
            id=at.pointer[1:],
            query=_pairs(node.get("query", {})),
            headers=tuple((k, _scalar(v)) for k, v in node.get("headers", {}).items()),
            body=self._body(node.get("body"), at, "body"),
            auth=self._auth(node.get("auth"), at, "auth"),
            checks=self._checks(node.get("assert"), at, "assert"),
            captures=self._captures(node.get("capture"), at, "capture"),
            scripts=self._scripts(node.get("scripts"), at, "scripts"),
            timeout_ms=node.get("timeoutMs"),
            skip=bool(node.get("skip", False)),
            retry=retry if isinstance(retry, bool) else None,
            repeat=self._repeat(retry, at),
            lro=_long_running(node.get("lro")),
            options=options,
            description=node.get("description", ""),
            tags=tuple(node.get("tags", ())),
            certificate=inherited.certificate,
        )

    def _repeat(self, raw: JSON, at: Location) -> Repeat | None:
        """Returns the polling asked for by `retry: N` or `retry: {count, intervalMs, until}`."""
        if raw is None or isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return Repeat(raw)
        if not isinstance(raw, dict):
            return None  # the schema has reported it
        until = raw.get("until")
        return Repeat(
            count=int(raw.get("count", 1)),
            interval_ms=int(raw.get("intervalMs", 1000)),
            until=self._checks(until, at.child("retry"), "until") if until is not None else (),
        )

    # The section builders take their parent's location and their key, and make their own
    # location only when the section is there (most requests have no body, auth, scripts).
    def _body(self, raw: dict[str, JSON] | None, parent: Location, key: str) -> Body | None:
        if raw is None:
            return None
        at = parent.child(key)
        kinds = [k for k in BODY_KINDS if k in raw]
        if len(kinds) != 1:
            found = ", ".join(kinds) or "none"
            self.problems.add(
                f"a body needs exactly one of {', '.join(BODY_KINDS)} (found: {found})",
                at,
                "keep one body kind per request",
            )
            return None
        kind = kinds[0]
        ctype = raw.get("contentType")
        value = raw[kind]
        if kind == "form":
            return Body("form", tuple((k, _scalar(v)) for k, v in value.items()), ctype)
        if kind == "multipart":
            fields = tuple(
                (k, FilePart(v["file"], v.get("contentType")) if isinstance(v, dict) else v)
                for k, v in value.items()
            )
            return Body("multipart", fields, ctype)
        return Body(kind, value, ctype)  # type: ignore[arg-type]

    def _auth(self, raw: dict[str, JSON] | None, parent: Location, key: str) -> AuthSpec | None:
        if raw is None:
            return None
        at = parent.child(key)
        params = {k: v for k, v in raw.items() if k != "type"}
        allowed = AUTH_KEYS.get(raw["type"])
        if allowed is not None:
            for key in params:
                if key not in allowed and not key.startswith("$"):
                    guess = did_you_mean(key, allowed)
                    self.problems.add(
                        f"unknown key '{key}' for auth type '{raw['type']}'",
                        at.child(key),
                        f"did you mean '{guess}'?"
                        if guess
                        else "allowed: " + (", ".join(allowed) or "no other keys"),
                    )
        return AuthSpec(raw["type"], params, at)

    def _scripts(self, raw: dict[str, JSON] | None, parent: Location, key: str) -> Scripts:
        if not raw:
            return _NO_SCRIPTS
        at = parent.child(key)
        found: dict[str, tuple[Script, ...]] = {}
        for event in ("prerequest", "test"):
            source = raw.get(event)
            if source:
                text = "\n".join(source) if isinstance(source, list) else source
                found[event] = (Script(text, at.child(event)),)
        return Scripts(**found)

    def _checks(self, raw: dict[str, JSON] | None, parent: Location, key: str) -> tuple[Check, ...]:
        if not raw:
            return ()
        checks: list[Check] = []
        for subject, spec in raw.items():
            here = parent.child(key, subject)
            if subject == "status":
                checks.extend(self._status(spec, here))
            elif subject == "schema":
                schema = self._schema(spec, here)
                if schema is not None:
                    checks.append(Check("schema", None, "schema", schema, here))
            elif subject in ("headers", "jsonpath", "cookies"):
                for target, expected in spec.items():
                    if subject == "jsonpath":
                        self._check_jsonpath(target, here, target)
                    if subject == "cookies":
                        self._check_cookie(target, here.child(target))
                    checks.extend(self._matchers(subject, target, expected, here, target))
            else:
                checks.extend(self._matchers(subject, None, spec, here))
        return tuple(checks)

    def _status(self, spec: JSON, at: Location) -> list[Check]:
        if isinstance(spec, list):
            return [Check("status", None, "in", spec, at)]
        if isinstance(spec, dict):
            return self._matchers("status", None, spec, at)
        return [Check("status", None, "equals", spec, at)]

    def _matchers(
        self, subject: str, target: str | None, spec: JSON, parent: Location, *path: str
    ) -> list[Check]:
        """Returns the checks of one matcher spec at `parent` + `path` (one object per check)."""
        if not isinstance(spec, dict):
            return [Check(subject, target, "equals", spec, parent.child(*path))]
        checks = []
        for op, expected in spec.items():
            where = parent.child(*path, op)
            if op == "schema":
                schema = self._schema_operator(subject, expected, where)
                if schema is not None:
                    checks.append(Check(subject, target, op, schema, where))
                continue
            if op not in OPERATORS:
                guess = did_you_mean(op, OPERATORS)
                self.problems.add(
                    f"unknown assertion operator '{op}'",
                    where,
                    f"did you mean '{guess}'?" if guess else "operators: " + ", ".join(OPERATORS),
                )
                continue
            self._check_operand(op, expected, where)
            checks.append(Check(subject, target, op, expected, where))
        return checks

    def _schema_operator(self, subject: str, raw: JSON, where: Location) -> Schema | None:
        """Returns the Schema of a `schema` operator, which only JSON values can be checked by."""
        if subject == "jsonpath":
            return self._schema(raw, where)
        self.problems.add(
            f"the schema operator checks JSON values, not {subject}",
            where,
            'use it on a JSONPath ("jsonpath": {"$.user": {"schema": {...}}}) or check the '
            'whole body with "assert": {"schema": {...}}',
        )
        return None

    def _schema(self, raw: JSON, at: Location) -> Schema | None:
        """Returns the Schema written inline or named by `{"file": ...}` (relative to the
        collection), read and compiled now: a missing, malformed or invalid schema is a
        problem of the collection, reported before anything is sent."""
        if isinstance(raw, dict) and list(raw) == ["file"] and isinstance(raw["file"], str):
            return self._schema_file(raw["file"], at.child("file"))
        if not isinstance(raw, dict | bool):
            return None  # the collection schema has reported it
        schema = Schema(raw, "", self.path.resolve().as_uri())
        return schema if self._compiles(schema, at.file, at.pointer, at) else None

    def _schema_file(self, name: str, at: Location) -> Schema | None:
        path = (self.path.parent / name).resolve()
        if path in self.schema_files:
            return self.schema_files[path]  # read, compiled and reported once per file
        self.schema_files[path] = None
        try:
            document = read_json(path)
        except InputError as exc:
            self.problems.add(
                f"schema file {name}: {exc.message}",
                at,
                exc.hint
                if exc.hint != "check the path"
                else f"no file at {path}: the path is relative to the collection file",
            )
            return None
        schema = Schema(document, name, path.as_uri())
        if self._compiles(schema, str(path), "", at):
            self.schema_files[path] = schema
            return schema
        return None

    def _compiles(self, schema: Schema, file: str, pointer: str, used: Location) -> bool:
        """Returns True when `schema` compiles; else records why, located inside the schema."""
        from runner.checks.schema import SchemaProblem, validator

        try:
            validator(schema)
        except SchemaProblem as exc:
            where = Location(file, pointer + exc.pointer, used.item_path)
            used_at = "" if file == used.file else f" (used at {used.file}#{used.pointer})"
            self.problems.add(exc.message + used_at, where, exc.hint)
            return False
        return True

    def _check_operand(self, op: str, expected: JSON, where: Location) -> None:
        if op == "length" and isinstance(expected, dict):
            for inner in expected:
                if inner not in OPERATORS:
                    guess = did_you_mean(inner, OPERATORS)
                    self.problems.add(
                        f"unknown assertion operator '{inner}'",
                        where.child(inner),
                        f"did you mean '{guess}'?" if guess else 'e.g. {"length": {"gte": 1}}',
                    )
        if op == "matches" and isinstance(expected, str) and "<<" not in expected:
            problem = regex_error(expected)
            if problem:
                self.problems.add(f"invalid regular expression: {problem}", where)
        if op in ("before", "after") and isinstance(expected, str) and "<<" not in expected:
            try:
                parse_moment(expected)
            except ValueError as exc:
                self.problems.add(
                    str(exc), where, "use ISO 8601, an HTTP date, 'now', or 'now+30d'"
                )

    def _check_jsonpath(self, expr: str, parent: Location, *path: str) -> None:
        known = self.jsonpath_errors
        problem = known[expr] if expr in known else known.setdefault(expr, jsonpath_error(expr))
        if problem:
            self.problems.add(
                f"invalid JSONPath '{expr}': {problem}",
                parent.child(*path),
                "JSONPath starts with $, e.g. $.value[0].name or $['@odata.nextLink']",
            )

    def _check_cookie(self, target: str, where: Location) -> None:
        """Records a problem when `target` is not `name` or `name[Attribute]`."""
        parsed = parse_cookie_target(target)
        if parsed is not None and parsed[1] in COOKIE_ATTRIBUTES:
            return
        attrs = ", ".join(COOKIE_ATTRIBUTES)
        if parsed is None:
            self.problems.add(
                f"invalid cookie '{target}'", where, f"write name or name[Attribute] ({attrs})"
            )
            return
        guess = did_you_mean(parsed[1], COOKIE_ATTRIBUTES)
        self.problems.add(
            f"unknown cookie attribute '{parsed[1]}' in '{target}'",
            where,
            f"did you mean '{parsed[0]}[{guess}]'?" if guess else f"attributes: {attrs}",
        )

    def _captures(
        self, raw: dict[str, JSON] | None, parent: Location, key: str
    ) -> tuple[Capture, ...]:
        if not raw:
            return ()
        at = parent.child(key)
        captures = []
        for name, spec in raw.items():
            where = at.child(name)
            capture = _capture(name, spec, where)
            if capture.source == "jsonpath" and capture.expr:
                self._check_jsonpath(capture.expr, where)
            if capture.source == "cookie":
                self._check_cookie(capture.expr or "", where.child("cookie"))
            if capture.source == "regex" and capture.expr:
                problem = regex_error(capture.expr)
                if problem:
                    self.problems.add(f"invalid regular expression: {problem}", where)
                elif compile_regex(capture.expr).groups < capture.group:
                    groups = compile_regex(capture.expr).groups
                    self.problems.add(
                        f"capture group {capture.group} does not exist: the expression has "
                        f"{groups} group{'' if groups == 1 else 's'}",
                        where.child("group"),
                        "use group 0 for the whole match, 1 for the first (…) and so on",
                    )
            captures.append(capture)
        return tuple(captures)


def _capture(name: str, spec: JSON, where: Location) -> Capture:
    if isinstance(spec, str):
        return Capture(name, "jsonpath", spec, where)
    if "jsonpath" in spec:
        return Capture(name, "jsonpath", spec["jsonpath"], where)
    if "header" in spec:
        return Capture(name, "header", spec["header"], where)
    if "cookie" in spec:
        return Capture(name, "cookie", spec["cookie"], where)
    if "regex" in spec:
        return Capture(name, "regex", spec["regex"], where, spec.get("group", 1))
    return Capture(name, "status", None, where)


def _scalar(value: JSON) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _long_running(raw: JSON) -> LongRunning | None:
    """Returns how to follow a long-running operation (`lro: true` or `{timeoutMs, intervalMs}`),
    or None when the request does not ask for it."""
    if raw is True:
        return _DEFAULT_LRO
    if not isinstance(raw, dict):
        return None  # false, absent, or a wrong type the schema has reported
    return LongRunning(
        timeout_ms=int(raw.get("timeoutMs", _DEFAULT_LRO.timeout_ms)),
        interval_ms=int(raw.get("intervalMs", _DEFAULT_LRO.interval_ms)),
    )


_DEFAULT_LRO = LongRunning()


def _pairs(query: dict[str, JSON]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for key, value in query.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((key, _scalar(one)))
    return tuple(pairs)
