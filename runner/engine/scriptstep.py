"""The script step: pre-request and test scripts of a request, through the JS engine.

Used alike for native `scripts` blocks and Postman events; the engine (runner.scripts)
is created once per run and compiled scripts are reused.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from runner.engine.options import RunOptions
from runner.errors import TransportError
from runner.model import Body, Collection, FilePart, Request, Script, Step
from runner.resolve.variables import Renderer, Scope
from runner.results import AssertionResult, ItemResult
from runner.secrets import Masker
from runner.transport.http import HttpRequest, HttpResponse, Transport
from runner.values import JSON

if TYPE_CHECKING:
    from runner.scripts import ScriptOutcome


@dataclass
class Overrides:
    """What pre-request scripts changed in the request (None: unchanged), or a skip."""

    url: str | None = None
    method: str | None = None
    headers: list[tuple[str, str]] | None = None
    skip: bool = False


@dataclass
class Outcome:
    """A step's result plus flow control from scripts (setNextRequest)."""

    result: ItemResult
    next_request: JSON = None  # what setNextRequest named: a name, an id, or null to stop
    jump: bool = False


class StepScripts:
    """Runs the scripts around each request; one JS engine per run."""

    def __init__(
        self, collection: Collection, transport: Transport, masker: Masker, options: RunOptions
    ) -> None:
        from runner.scripts import ScriptEngine

        paths = [collection.base_dir, *(Path(p) for p in options.module_paths)]
        self.engine = ScriptEngine(module_paths=paths, timeout_ms=options.script_timeout_ms)
        self.collection = collection
        self.transport = transport
        self.masker = masker
        self.iterations = options.iterations or len(options.data or []) or 1
        self.lock = threading.Lock()

    def close(self) -> None:
        """Releases the engine."""
        self.engine.close()

    def prerequest(self, step: Step, scope: Scope, outcome: Outcome) -> Overrides:
        """Runs the pre-request scripts; returns what they changed in the request."""
        scripts = self._chain(step, "prerequest")
        if not scripts:
            return Overrides()
        original = request_dict(step.request)
        current = dict(original)
        for script in scripts:
            result = self._execute(script, "prerequest", step, scope, current, None, outcome)
            current = result.request or current
            if outcome.result.error or result.skip_request:
                return Overrides(skip=bool(result.skip_request))
        return _overrides(original, current)

    def test(
        self, step: Step, scope: Scope, response: HttpResponse, http: HttpRequest, outcome: Outcome
    ) -> None:
        """Runs the test scripts; their pm.test results become assertions of the request."""
        scripts = self._chain(step, "test")
        if not scripts:
            return
        # Test scripts see what was really sent, auth and transport headers included.
        sent = list(response.request_headers or http.headers)
        if not any(k.lower() == "host" for k, _ in sent):
            sent.insert(0, ("Host", urlsplit(http.url).netloc))
        request = request_dict(step.request) | {
            "url": http.url,
            "method": http.method,
            "headers": [list(h) for h in sent],
        }
        for script in scripts:
            self._execute(script, "test", step, scope, request, response_dict(response), outcome)
            if outcome.result.error:
                return

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
        ctx = ScriptContext(
            event=event,  # type: ignore[arg-type]
            globals=layers["globals"],
            collection=layers["collection"],
            environment=layers["environment"],
            data=layers["data"],
            locals=layers["runtime"],
            request=request,
            response=response,
            info={
                "requestName": step.request.name,
                "requestId": step.request.id,
                "iteration": result.iteration - 1,
                "iterationCount": self.iterations,
                "eventName": event,
            },
            send_request=lambda item: self._send(item, scope),
            console=lambda level, text: result.console.append(f"console.{level}: {text}"),
            script_name=f"{' › '.join(script.location.item_path) or 'collection'} ({event} script)",
        )
        with self.lock:
            done = self.engine.run(script.source, ctx)
        for test in done.tests:
            result.assertions.append(
                AssertionResult(
                    test.name,
                    test.passed,
                    message=f"{test.name}: {test.error}" if test.error else "",
                    skipped=test.skipped,
                )
            )
        if done.error is not None:
            result.error = str(done.error)
        if done.next_request is not UNSET:
            outcome.jump, outcome.next_request = True, done.next_request
        return done

    def _send(self, item: JSON, scope: Scope) -> dict[str, JSON]:
        """Performs a pm.sendRequest; returns {"error", "response"} for the callback."""
        renderer = Renderer(scope, "postman")
        try:
            http = script_request(item, renderer)
            response = self.transport.send(http)
        except TransportError as exc:
            return {"error": exc.message, "response": None}
        return {"error": None, "response": response_dict(response)}


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
