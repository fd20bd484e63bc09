"""The script step: pre-request and test scripts of a request, through the JS engine.

Used alike for native `scripts` blocks and Postman events; the engine (runner.scripts)
is created once per run and compiled scripts are reused.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from runner.engine.options import RunOptions
from runner.errors import TransportError
from runner.model import Body, Collection, FilePart, Request, Script, Step, nearest_auth
from runner.records import record
from runner.resolve.variables import Renderer, Scope
from runner.results import AssertionResult, ItemResult
from runner.secrets import Masker, body_credentials, header_credentials
from runner.transport.cookies import cookies_for, jar_operation
from runner.transport.deadline import current_run_deadline
from runner.transport.http import HttpRequest, HttpResponse, Transport
from runner.values import JSON

if TYPE_CHECKING:
    from runner.scripts import ScriptEngine, ScriptOutcome


@record(hashable=False)
class Overrides:
    """What pre-request scripts changed in the request (None: unchanged), or a skip."""

    url: str | None = None
    method: str | None = None
    headers: list[tuple[str, str]] | None = None
    skip: bool = False


@record(hashable=False)
class Outcome:
    """A step's result plus flow control from scripts (setNextRequest)."""

    result: ItemResult
    next_request: JSON = None  # what setNextRequest named: a name, an id, or null to stop
    jump: bool = False


class StepScripts:
    """Runs the scripts around each request; one JS engine per run."""

    def __init__(
        self,
        collection: Collection,
        transport: Transport,
        masker: Masker,
        options: RunOptions,
        stop: threading.Event | None = None,
    ) -> None:
        self._stop = stop  # the run's: a script running when it is set ends there
        paths = [collection.base_dir, *(Path(p) for p in options.module_paths)]
        self._paths, self._script_timeout_ms = paths, options.script_timeout_ms
        self.collection = collection
        self.transport = transport
        self.masker = masker
        self.iterations = options.iterations or len(options.data or []) or 1
        self.timeout_s = (options.timeout_request_ms or 30_000) / 1000
        # One engine per script running at once (up to --parallel): a script waiting for
        # its sendRequest or a timer holds only its own engine, never a run-wide lock.
        self._engines: list[ScriptEngine] = []
        self._idle: list[ScriptEngine] = []
        self._most = max(1, options.parallel)
        self._free = threading.Condition()
        self._written = _source_text(collection.source)
        self._kept: set[str] = set()

    def _keep_written(self, name: str) -> None:
        """Keeps a test name from masking when the collection's file has it written out:
        it is what the collection says, not a value of the run (`pm.test('as admin')`)."""
        if name in self._kept:
            return
        self._kept.add(name)
        if name in self._written or json.dumps(name)[1:-1] in self._written:
            self.masker.keep([name])

    def close(self) -> None:
        """Releases the engines."""
        with self._free:
            for engine in self._engines:
                engine.close()

    @contextmanager
    def _engine(self) -> Iterator[ScriptEngine]:
        """Lends an idle engine (a new one while fewer than --parallel exist)."""
        from runner.scripts import ScriptEngine  # V8 is loaded only when a script runs

        with self._free:
            while not self._idle and len(self._engines) >= self._most:
                self._free.wait()
            if self._idle:
                engine = self._idle.pop()
            else:
                engine = ScriptEngine(
                    module_paths=self._paths, timeout_ms=self._script_timeout_ms, stop=self._stop
                )
                self._engines.append(engine)
        try:
            yield engine
        finally:
            with self._free:
                self._idle.append(engine)
                self._free.notify()

    def _request_dict(self, step: Step) -> dict[str, JSON]:
        """Returns pm.request's data: the request as written and its effective auth."""
        request = request_dict(step.request)
        spec = nearest_auth(step, self.collection)
        if spec is not None:
            # Postman calls "no auth" noauth; the parameters as written (templates kept).
            kind = "noauth" if spec.type == "none" else spec.type
            request["auth"] = {"type": kind, "params": [[k, v] for k, v in spec.params.items()]}
        return request

    def prerequest(self, step: Step, scope: Scope, outcome: Outcome) -> Overrides:
        """Runs the pre-request scripts; returns what they changed in the request."""
        scripts = self._chain(step, "prerequest")
        if not scripts:
            return Overrides()
        original = self._request_dict(step)
        current = dict(original)
        for script in scripts:
            if _run_over():
                break
            # As in Newman, a throwing script (the collection's, say) does not stop the next.
            result = self._execute(script, "prerequest", step, scope, current, None, outcome)
            current = result.request or current
            if result.skip_request:
                return Overrides(skip=True)
        return _overrides(original, current)

    def test(
        self,
        step: Step,
        scope: Scope,
        response: HttpResponse | None,
        http: HttpRequest | None,
        outcome: Outcome,
    ) -> None:
        """Runs the test scripts; their pm.test results become assertions of the request.

        `response` and `http` are None after a request error: the scripts run all the same
        (as in Newman), with no pm.response.
        """
        scripts = self._chain(step, "test")
        if not scripts:
            return
        request = self._request_dict(step)
        if http is not None:
            body = step.request.body
            request |= sent_dict(http, response, body is not None and body.kind in ("raw", "json"))
        seen = response_dict(response) if response is not None else None
        for script in scripts:
            if _run_over():
                break
            # As in Newman, a throwing script (the collection's, say) does not stop the next.
            self._execute(script, "test", step, scope, request, seen, outcome)

    def _chain(self, step: Step, event: str) -> list[Script]:
        nodes = [self.collection.scripts, *(f.scripts for f in step.folders), step.request.scripts]
        return [s for node in nodes for s in getattr(node, event)]

    def _execute(
        self,
        script: Script,
        event: str,
        step: Step,
        scope: Scope,
        request: dict[str, JSON],
        response: dict[str, JSON] | None,
        outcome: Outcome,
    ) -> ScriptOutcome:
        from runner.scripts import UNSET, ScriptContext

        result = outcome.result
        layers = scope.layers
        jar = getattr(self.transport, "cookies", None)
        if not isinstance(jar, CookieJar):
            jar = None
        ctx = ScriptContext(
            event=event,  # type: ignore[arg-type]
            globals=layers["globals"],
            collection=layers["collection"],
            environment=layers["environment"],
            data=layers["data"],
            locals=layers["runtime"],
            overrides=layers["cli"],
            # Newman leaves a Postman folder's variables out of scripts.
            folder=layers["folder"] if self.collection.dialect != "postman" else {},
            request=request,
            response=response,
            info={
                "requestName": step.request.name,
                "requestId": step.request.id,
                # pm.execution.location: the collection's name, the folders, the request.
                "location": [
                    self.collection.name,
                    *(f.name for f in step.folders),
                    step.request.name,
                ],
                "iteration": result.iteration - 1,
                "iterationCount": self.iterations,
                "eventName": event,
            },
            send_request=lambda item: self._send(item, scope, result),
            cookies=cookies_for(jar, str(request.get("url"))) if jar and event == "test" else [],
            cookie_jar=(lambda call: jar_operation(jar, call)) if jar is not None else None,
            console=lambda level, text: result.console.append(f"console.{level}: {text}"),
            script_name=f"{' › '.join(script.location.item_path) or 'collection'} ({event} script)",
        )
        with self._engine() as engine:
            began = time.perf_counter()
            try:
                done = engine.run(script.source, ctx)
            finally:
                # A script's time is part of its request's (one cut off by --timeout too).
                result.elapsed_ms += (time.perf_counter() - began) * 1000
        for test in done.tests:
            self._keep_written(test.name)
            result.assertions.append(
                AssertionResult(
                    test.name,
                    test.passed,
                    message=f"{test.name}: {test.error}" if test.error else "",
                    skipped=test.skipped,
                )
            )
        if done.error is not None:
            add_error(result, str(done.error))
        if done.next_request is not UNSET:
            outcome.jump, outcome.next_request = True, done.next_request
        return done

    def _send(self, item: JSON, scope: Scope, result: ItemResult) -> dict[str, JSON]:
        """Performs a pm.sendRequest; returns {"error", "response"} for the callback.

        As in Newman, a sendRequest that gets no response is also a request error of the
        item whose script sent it (the run fails), whatever the callback does with it.
        """
        renderer = Renderer(scope, "postman")
        try:
            http = script_request(item, renderer)
            http.timeout = self.timeout_s  # --timeout-request, as for the run's own requests
            response = self.transport.send(http)
        except TransportError as exc:
            add_error(result, f"pm.sendRequest: {exc.message}")
            return {"error": exc.message, "response": None}
        # What it sent and got is masked in every output, as an ordinary request's is: a
        # token fetched by the script (the token pre-request pattern) is a secret.
        data = http.data
        body = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        sent = response.request_headers or http.headers
        self.masker.add_all(header_credentials([*sent, *response.header_list]))
        self.masker.add_all(body_credentials(response.text))
        self.masker.add_all(body_credentials(body if isinstance(body, str) else None))
        return {"error": None, "response": response_dict(response)}


def _source_text(path: Path) -> str:
    """Returns the collection file's text ("" when it cannot be read)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def add_error(result: ItemResult, message: str) -> None:
    """Adds `message` to the request's error (a script error and a request error both show)."""
    result.error = message if result.error is None else f"{result.error}; {message}"


def sent_dict(http: HttpRequest, response: HttpResponse | None, raw: bool) -> dict[str, JSON]:
    """Returns what test scripts see of the request as sent: URL, method, every header
    (auth and transport ones included) and, when `raw`, the body with variables resolved."""
    sent = list((response.request_headers if response is not None else None) or http.headers)
    if not any(k.lower() == "host" for k, _ in sent):
        sent.insert(0, ("Host", urlsplit(http.url).netloc))
    out: dict[str, JSON] = {
        "url": http.url,
        "method": http.method,
        "headers": [list(h) for h in sent],
    }
    data = http.data
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if raw and isinstance(data, str):
        out["body"] = {"mode": "raw", "raw": data}
    return out


def request_dict(request: Request) -> dict[str, JSON]:
    """Returns the request as scripts see it (pm.request), templates as written."""
    url = request.url
    if request.query:
        url += ("&" if "?" in url else "?") + urlencode(list(request.query))
    return {
        "name": request.name,
        "id": request.id,
        "method": request.method,
        "url": url,
        "headers": [list(h) for h in request.headers],
        "body": _body_dict(request.body),
        "description": request.description,
    }


def _body_dict(body: Body | None) -> dict[str, JSON] | None:
    if body is None:
        return None
    if body.kind == "json":
        return {"mode": "raw", "raw": json.dumps(body.value)}
    if body.kind == "raw":
        return {"mode": "raw", "raw": body.value}
    if body.kind == "form":
        return {"mode": "urlencoded", "urlencoded": [list(p) for p in body.value]}
    if body.kind == "multipart":
        parts = [[k, v.path if isinstance(v, FilePart) else v] for k, v in body.value]
        return {"mode": "formdata", "formdata": parts}
    return {"mode": "file", "file": body.value}


def _overrides(original: Mapping[str, JSON], current: Mapping[str, JSON]) -> Overrides:
    changed = Overrides()
    if current.get("url") != original.get("url"):
        changed.url = str(current.get("url"))
    if current.get("method") != original.get("method"):
        changed.method = str(current.get("method"))
    if current.get("headers") != original.get("headers"):
        changed.headers = [(str(k), str(v)) for k, v in current.get("headers") or []]
    return changed


def response_dict(response: HttpResponse) -> dict[str, JSON]:
    """Returns the response as scripts see it (pm.response)."""
    return {
        "code": response.status,
        "status": response.reason,
        "headers": [list(h) for h in response.header_list],
        "body": response.text,
        "responseTime": round(response.elapsed_ms),
        "size": len(response.body),
    }


def _run_over() -> bool:
    """Returns True once the run's deadline (--timeout) has passed: scripts start no more
    (the request that was in flight then already says it was cut off)."""
    run = current_run_deadline()
    return run is not None and run.left() <= 0


def script_request(item: JSON, renderer: Renderer) -> HttpRequest:
    """Returns the HttpRequest for a pm.sendRequest argument (a URL or a request object)."""
    if isinstance(item, str):
        return HttpRequest("GET", _with_scheme(renderer.text(item)))
    url = item.get("url", "")
    if isinstance(url, dict):
        url = url.get("raw") or ""
    http = HttpRequest(
        str(item.get("method") or "GET").upper(),
        _with_scheme(renderer.text(str(url))),
        headers=[(renderer.text(k), renderer.text(v)) for k, v in _headers(item.get("header"))],
        timeout=30.0,
    )
    _script_body(http, item.get("body"), renderer)
    return http


def _with_scheme(url: str) -> str:
    return url if "://" in url.split("?", 1)[0] else "http://" + url


def _headers(raw: JSON) -> list[tuple[str, str]]:
    """Returns the headers of a pm.sendRequest: a dict, or what Postman files hold."""
    if isinstance(raw, dict):
        return [(str(k), str(v)) for k, v in raw.items()]
    from runner.postman.body import headers

    return list(headers(raw))


def _pairs(raw: JSON, renderer: Renderer) -> list[tuple[str, str]]:
    """Returns the enabled key/value entries of an urlencoded or formdata list, rendered."""
    from runner.postman.fields import entries, key_of, text

    return [
        (renderer.text(key_of(e)), renderer.text(text(e.get("value")))) for _, e in entries(raw)
    ]


def _text(value: JSON) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _script_body(http: HttpRequest, body: JSON, renderer: Renderer) -> None:
    if not isinstance(body, dict):
        return
    mode = body.get("mode")
    if mode == "urlencoded":
        http.data = urlencode(_pairs(body.get("urlencoded") or [], renderer))
        if http.header("Content-Type") is None:
            http.headers.append(("Content-Type", "application/x-www-form-urlencoded"))
    elif mode == "formdata":
        http.files = [(k, (None, v)) for k, v in _pairs(body.get("formdata") or [], renderer)]
    elif mode == "raw":
        http.data = renderer.text(_text(body.get("raw", ""))).encode("utf-8")
    elif mode == "graphql":
        graphql = body.get("graphql") or {}
        http.data = json.dumps(graphql).encode("utf-8")
        if http.header("Content-Type") is None:
            http.headers.append(("Content-Type", "application/json"))
