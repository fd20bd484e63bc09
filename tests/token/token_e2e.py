"""Helpers for the token-step end-to-end tests: the CLI in-process, report readers, the
emulator's sample identities, a recorder of the tokens it issues, and tiny stdlib servers
for what the emulator cannot do (misbehaving token endpoints, an API that rejects a token).

Everything talks HTTP to 127.0.0.1; nothing is mocked.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from runner.cli import main
from runner.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / "collections"
EMULATOR_ENV = REPO / "environments" / "emulator.json"

TENANT = "contoso.onmicrosoft.com"
TENANT_ID = "00000000-0000-0000-0000-0000000000aa"
SUBSCRIPTION = "00000000-0000-0000-0000-00000000005a"
APP = "11111111-2222-3333-4444-555555555555"
SECRET = "emulator-secret-valid-NOT-REAL"
LEGACY = "00000000-0000-0000-0000-0000000000c1"
EXPIRED_SECRET = "emulator-secret-expired-NOT-REAL"
EXPIRING_SECRET = "emulator-secret-expiring-NOT-REAL"
PUBLIC = "00000000-0000-0000-0000-0000000000c2"
NOPERM = "00000000-0000-0000-0000-0000000000c3"
NOPERM_SECRET = "emulator-secret-noperm-NOT-REAL"
USER = "adele.vance@contoso.onmicrosoft.com"
MFA_USER = "alex.wilber@contoso.onmicrosoft.com"
PASSWORD = "emulator-password-NOT-REAL"
ARM = "https://management.azure.com/"
ARM_DEFAULT = "https://management.azure.com/.default"
GRAPH = "https://graph.microsoft.com/"
GRAPH_DEFAULT = "https://graph.microsoft.com/.default"
ALL_LITERAL_SECRETS = (SECRET, EXPIRED_SECRET, EXPIRING_SECRET, NOPERM_SECRET, PASSWORD)


def cli(*args: str) -> tuple[int, str, str]:
    """Returns (exit status, stdout, stderr) of `runner ARGS` run in this process."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@dataclass
class Case:
    """One JUnit testcase: its outcome (pass, failure, error, skipped) and texts."""

    name: str
    classname: str
    outcome: str
    message: str
    text: str
    seconds: float = 0.0


@dataclass
class Run:
    """A finished `runner run`: exit status, console streams, JUnit and JSON reports."""

    code: int
    out: str
    err: str
    junit_text: str
    json_text: str
    cases: list[Case] = field(default_factory=list)

    @property
    def report(self) -> dict[str, Any]:
        """Returns the JSON report."""
        return dict(json.loads(self.json_text))

    @property
    def results(self) -> list[dict[str, Any]]:
        """Returns the JSON report's results, tokens and requests in order."""
        return list(self.report["results"])

    def requests(self) -> list[dict[str, Any]]:
        """Returns the JSON results of requests."""
        return [r for r in self.results if r["kind"] == "request"]

    def tokens(self) -> list[dict[str, Any]]:
        """Returns the JSON results of token acquisitions."""
        return [r for r in self.results if r["kind"] == "token"]

    def case(self, name: str) -> Case:
        """Returns the one JUnit testcase called `name`."""
        found = [c for c in self.cases if c.name == name]
        assert len(found) == 1, f"{name!r} not among {[c.name for c in self.cases]}"
        return found[0]

    @property
    def everything(self) -> str:
        """Returns every text the run produced: stdout, stderr, JUnit and JSON."""
        return "\n".join((self.out, self.err, self.junit_text, self.json_text))


def parse_junit(text: str) -> list[Case]:
    """Returns the testcases of a JUnit file in document order."""
    cases = []
    for node in ET.fromstring(text).iter("testcase"):
        outcome, message, body = "pass", "", ""
        for kind in ("failure", "error", "skipped"):
            child = node.find(kind)
            if child is not None:
                outcome, message, body = kind, child.get("message", ""), child.text or ""
        seconds = float(node.get("time") or 0)
        name, classname = node.get("name", ""), node.get("classname", "")
        cases.append(Case(name, classname, outcome, message, body, seconds))
    return cases


def run_cli(tmp_path: Path, collection: dict[str, Any] | Path, *args: str) -> Run:
    """Runs `runner run` with --junit and --json in `tmp_path`; returns everything it wrote.

    A dict is written to a file first (never named *.collection.json: the project's pytest
    plugin would collect it).
    """
    path = collection if isinstance(collection, Path) else write_json(tmp_path, collection)
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    for stale in (junit, report):
        stale.unlink(missing_ok=True)
    code, out, err = cli("run", str(path), "--junit", str(junit), "--json", str(report), *args)
    junit_text = junit.read_text(encoding="utf-8") if junit.exists() else ""
    json_text = report.read_text(encoding="utf-8") if report.exists() else ""
    return Run(code, out, err, junit_text, json_text, parse_junit(junit_text) if junit_text else [])


_counter = iter(range(1, 1_000_000))


def write_json(folder: Path, doc: Any, stem: str = "coll") -> Path:
    """Writes `doc` to a fresh `<stem>-N.json` in `folder`; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}-{next(_counter)}.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def bundled(name: str) -> dict[str, Any]:
    """Returns a bundled collection as a document, to run as it is or extended."""
    return dict(json.loads((COLLECTIONS / name).read_text(encoding="utf-8")))


def emulator_env(emulator: Emulator) -> tuple[str, ...]:
    """Returns the arguments that point the bundled emulator environment at `emulator`."""
    return ("-e", str(EMULATOR_ENV), "--var", f"emulatorUrl={emulator.url}")


def client_credentials(endpoint: str, **fields: Any) -> dict[str, Any]:
    """Returns a client-credentials oauth2 block using the emulator environment's variables."""
    auth = {
        "type": "oauth2",
        "grantType": "client_credentials",
        "tokenUrl": f"<<authorityHost>>/<<tenantId>>/oauth2/{endpoint}",
        "clientId": "<<clientId>>",
        "clientSecret": "<<clientSecret>>",
    }
    return {**auth, **fields}


def v1_auth(resource: str = ARM, **fields: Any) -> dict[str, Any]:
    """Returns a v1 client-credentials oauth2 block (`resource`)."""
    return client_credentials("token", resource=resource, **fields)


def v2_auth(scope: str = GRAPH_DEFAULT, **fields: Any) -> dict[str, Any]:
    """Returns a v2 client-credentials oauth2 block (`scope`)."""
    return client_credentials("v2.0/token", scope=scope, **fields)


def resource_groups(name: str = "List resource groups", **extra: Any) -> dict[str, Any]:
    """Returns an ARM request for the sample subscription's resource groups (200 expected)."""
    item = {
        "name": name,
        "url": "<<armHost>>/subscriptions/<<subscriptionId>>/resourcegroups",
        "query": {"api-version": "2020-09-01"},
        "assert": {"status": 200},
    }
    item.update(extra)
    return item


def users(name: str = "List users", **extra: Any) -> dict[str, Any]:
    """Returns a Graph request for users (200 expected)."""
    item = {"name": name, "url": "<<graphHost>>/v1.0/users", "assert": {"status": 200}}
    item.update(extra)
    return item


def collection(
    auth: dict[str, Any] | None, *items: dict[str, Any], name: str = "t"
) -> dict[str, Any]:
    """Returns a native collection."""
    doc: dict[str, Any] = {"name": name, "items": list(items)}
    if auth is not None:
        doc["auth"] = auth
    return doc


class Issued:
    """Records every access and refresh token an emulator issues (read from its side)."""

    def __init__(self, emulator: Emulator) -> None:
        self.access: list[str] = []
        self.refresh: list[str] = []
        state = emulator.state
        issue, refresh_issue = state.issuer.issue, state.refresh.issue

        def record_access(grant: Any) -> Any:
            issued = issue(grant)
            self.access.append(issued.token)
            return issued

        def record_refresh(record: Any) -> str:
            token = refresh_issue(record)
            self.refresh.append(token)
            return token

        state.issuer.issue = record_access  # type: ignore[method-assign]
        state.refresh.issue = record_refresh  # type: ignore[method-assign]

    @property
    def all(self) -> list[str]:
        """Returns every token issued so far."""
        return [*self.access, *self.refresh]


# --- tiny servers ---------------------------------------------------------------------

Reply = tuple[int, dict[str, str], bytes] | None
Handle = Callable[["Seen"], Reply]


@dataclass
class Seen:
    """One request a stub server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Stub:
    """A running stub server: its URL and the requests it got."""

    url: str
    port: int
    seen: list[Seen] = field(default_factory=list)


def json_reply(status: int, value: Any, headers: dict[str, str] | None = None) -> Reply:
    """Returns a JSON reply."""
    return (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(value).encode(),
    )


class _QuietServer(ThreadingHTTPServer):
    # A client that gave up (timeout, cut-off body) is expected: no traceback, no waiting.
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet."""


@contextmanager
def stub_server(handle: Handle) -> Iterator[Stub]:
    """Yields a server on 127.0.0.1 answering each request with `handle(seen)`.

    `handle` returns (status, headers, body), or None to close the connection unanswered.
    """
    lock = threading.Lock()

    class StubHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
            )
            with lock:
                stub.seen.append(seen)
            reply = handle(seen)
            if reply is None:
                self.close_connection = True
                return
            status, headers, body = reply
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        do_GET = do_POST = _any

    server = _QuietServer(("127.0.0.1", 0), StubHandler)
    port = int(server.server_address[1])
    stub = Stub(f"http://127.0.0.1:{port}", port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def wait_until(predicate: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Returns True once `predicate()` holds, False after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
