"""The in-memory model every loader builds and the run loop executes.

Native collections and Postman files both become these frozen dataclasses, so the run
loop never asks where a collection came from. Strings inside are *templates*: they may
hold variable references in the collection's dialect (`<<name>>` or `{{name}}`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from runner.errors import Location
from runner.records import record
from runner.values import JSON

Pairs = tuple[tuple[str, str], ...]
"""Ordered name/value pairs: headers, query, form fields (names may repeat)."""

Dialect = Literal["native", "postman"]


@record
class FilePart:
    """A multipart field whose value is a file, path relative to the collection."""

    path: str
    content_type: str | None = None


@record
class Body:
    """A request body.

    kind json: `value` is any JSON; form: Pairs; multipart: tuple of (name, str | FilePart);
    raw: str; file: path string.
    """

    kind: Literal["json", "form", "multipart", "raw", "file"]
    value: JSON
    content_type: str | None = None


@record
class AuthSpec:
    """An auth block: its type and its (templated) fields, as written."""

    type: str
    params: Mapping[str, JSON]
    location: Location


@dataclass(frozen=True, eq=False)
class Schema:
    """A JSON Schema a `schema` assertion checks against: the document, the file it came from
    as written (`""` when inline), and the URI its relative `$ref`s resolve against.

    Compared by identity: every request naming one file shares one Schema, compiled once.
    """

    document: JSON
    name: str
    base_uri: str

    @property
    def shown(self) -> str:
        """Returns how messages name it: the file, or `inline schema`."""
        return self.name or "inline schema"


@record
class Check:
    """One assertion: subject (status, headers, jsonpath, body, responseTime, cookies,
    schema), operator, expected (a Schema for the `schema` operator)."""

    subject: str
    target: str | None
    op: str
    expected: JSON
    location: Location

    @property
    def label(self) -> str:
        """Returns a short, stable name such as `jsonpath $.value type`."""
        if self.op == "schema":
            where = "body" if self.target is None else f"{self.subject} {self.target}"
            name = self.expected.name if isinstance(self.expected, Schema) else ""
            return f"{where} matches schema {name}".rstrip()
        parts = [self.subject]
        if self.target is not None:
            parts.append(self.target)
        parts.append(self.op)
        return " ".join(parts)


@record
class Capture:
    """Where a variable's value comes from: jsonpath, header, cookie, regex on the body, or
    status."""

    name: str
    source: Literal["jsonpath", "header", "cookie", "regex", "status"]
    expr: str | None
    location: Location
    group: int = 1


@record
class Script:
    """A JavaScript source and where it came from (for error messages)."""

    source: str
    location: Location


@record
class Scripts:
    """The pre-request and test scripts attached to a collection, folder or request."""

    prerequest: tuple[Script, ...] = ()
    test: tuple[Script, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.prerequest or self.test)


@record
class Options:
    """Per-request transport options (Postman's protocolProfileBehavior and friends)."""

    follow_redirects: bool | None = None
    max_redirects: int | None = None
    verify_tls: bool | None = None
    disable_cookies: bool | None = None
    follow_original_method: bool | None = None
    remove_referer_on_redirect: bool | None = None


@record
class Certificate:
    """A client certificate for mutual TLS (`certificate` on a request, folder or
    collection): PEM (`key` for a separate key file) or PKCS#12. The paths are relative to
    the collection and, with `password`, templates rendered before the run."""

    cert: str
    key: str | None
    password: str | None
    location: Location


@record
class Request:
    """A request item."""

    name: str
    method: str
    url: str
    location: Location
    id: str = ""
    query: Pairs = ()
    headers: Pairs = ()
    body: Body | None = None
    auth: AuthSpec | None = None
    checks: tuple[Check, ...] = ()
    captures: tuple[Capture, ...] = ()
    scripts: Scripts = Scripts()
    timeout_ms: int | None = None
    skip: bool = False
    retry: bool | None = None
    repeat: Repeat | None = None
    lro: LongRunning | None = None
    options: Options = Options()
    description: str = ""
    tags: tuple[str, ...] = ()
    #: The nearest `certificate` setting: None for the run's (--cert), False for none.
    certificate: Certificate | Literal[False] | None = None


@record
class Repeat:
    """`retry: {count, intervalMs, until}`: send again until the checks hold (polling)."""

    count: int
    interval_ms: int = 1000
    until: tuple[Check, ...] = ()  # empty: the request's own assertions


@record
class LongRunning:
    """`lro`: follow an Azure long-running operation (201/202 with Azure-AsyncOperation,
    Operation-Location or Location) until it ends; the checks apply to its final response."""

    timeout_ms: int = 600_000  # the whole wait, polls included
    interval_ms: int = 1000  # between polls when the server sends no Retry-After


@record
class Folder:
    """A folder of items with its own auth, variables and scripts."""

    name: str
    items: tuple[Item, ...]
    location: Location
    id: str = ""
    auth: AuthSpec | None = None
    variables: Mapping[str, JSON] = field(default_factory=dict)
    scripts: Scripts = Scripts()
    description: str = ""
    tags: tuple[str, ...] = ()


Item = Request | Folder


@record
class Collection:
    """A whole collection, ready to run."""

    name: str
    items: tuple[Item, ...]
    source: Path
    dialect: Dialect = "native"
    auth: AuthSpec | None = None
    variables: Mapping[str, JSON] = field(default_factory=dict)
    scripts: Scripts = Scripts()
    description: str = ""

    @property
    def base_dir(self) -> Path:
        """Returns the folder that relative file paths in the collection start from."""
        return self.source.parent


@record
class Environment:
    """Variables from an environment or globals file, and which of them are secret."""

    name: str
    values: Mapping[str, JSON]
    secrets: frozenset[str] = frozenset()
    source: Path | None = None
    # A Postman file's disabled entries, as they came: the run does not use them, but
    # --export-environment / --export-globals write them back, as Newman does.
    disabled: tuple[Mapping[str, JSON], ...] = ()


@record
class Step:
    """A request in run order, with the folders above it (outermost first)."""

    request: Request
    folders: tuple[Folder, ...]

    @property
    def path(self) -> tuple[str, ...]:
        """Returns the folder names above the request."""
        return tuple(f.name for f in self.folders)

    @property
    def tags(self) -> tuple[str, ...]:
        """Returns the request's tags and those of the folders above it (outermost first)."""
        found = [t for f in self.folders for t in f.tags] + list(self.request.tags)
        return tuple(dict.fromkeys(found))


def flatten(items: tuple[Item, ...], folders: tuple[Folder, ...] = ()) -> list[Step]:
    """Returns the requests of `items` depth first, in document order."""
    steps: list[Step] = []
    for item in items:
        if isinstance(item, Folder):
            steps.extend(flatten(item.items, (*folders, item)))
        else:
            steps.append(Step(item, folders))
    return steps


def nearest_auth(step: Step, collection: Collection) -> AuthSpec | None:
    """Returns the auth for `step`: request, then folders inward-out, then collection."""
    spec = step.request.auth
    if spec is not None and spec.type != "inherit":
        return spec
    for folder in reversed(step.folders):
        spec = folder.auth
        if spec is not None and spec.type != "inherit":
            return spec
    spec = collection.auth
    return spec if spec is not None and spec.type != "inherit" else None


def quote_name(name: str) -> str:
    """Returns `name` as one segment of a `--folder` path (`/` and `\\` escaped)."""
    return name.replace("\\", "\\\\").replace("/", "\\/")


def step_path(step: Step) -> str:
    """Returns the step's anchored `--folder` path, e.g. `/Users/Create user`."""
    return "/" + "/".join(quote_name(n) for n in (*step.path, step.request.name))
