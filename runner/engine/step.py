"""One request of one iteration: scripts, render, auth, send (with retries), check, capture."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from pathlib import Path
from urllib.parse import urlsplit

from runner import auth as auth_mod
from runner.auth.apierrors import explain
from runner.auth.base import Emit, Token, TokenCache
from runner.auth.oauth2 import OAuth2Source
from runner.checks.assertions import evaluate, subject_value
from runner.checks.capture import extract
from runner.engine.scriptstep import Outcome, Overrides, StepScripts, add_error
from runner.errors import (
    AuthError,
    CaptureError,
    RequestError,
    RunnerError,
    TransportError,
    VariableError,
)
from runner.model import (
    Capture,
    Certificate,
    Check,
    Collection,
    LongRunning,
    Step,
    nearest_auth,
)
from runner.records import record
from runner.resolve.render import Settings, resolve
from runner.resolve.variables import Renderer, Scope
from runner.results import (
    BODY_LIMIT,
    Answer,
    AssertionResult,
    Attempt,
    BodyView,
    Exchange,
    ItemResult,
    Operation,
    Poll,
    Redirect,
    RequestLine,
    Sending,
    body_view,
    capped,
)
from runner.results import Part as ShownPart
from runner.secrets import Masker, body_credentials, header_credentials
from runner.transport.cert_list import CertificateRule, certificate_for
from runner.transport.deadline import current_run_deadline
from runner.transport.http import HttpRequest, HttpResponse, Part, Transport, is_reset
from runner.transport.operation import (
    Monitor,
    OperationProblem,
    describe_wait,
    is_terminal,
    monitor_of,
    next_wait,
    operation_error,
    result_url,
    state_of,
)
from runner.transport.retry import IDEMPOTENT, MAX_WAIT_MS, Wait, plan_wait, retry_delay
from runner.transport.signing import Digest

GIST_KEEP = 200
"""How much of a failed token's first line the requests that needed it repeat."""


@record(hashable=False)
class StepContext:
    """Everything shared by the steps of a run."""

    collection: Collection
    transport: Transport
    tokens: TokenCache
    settings: Settings
    retries: int = 0
    retry_max_wait_ms: float = MAX_WAIT_MS
    #: Tells the console what the run waits for (a retry's Retry-After), as it happens.
    notice: Callable[[str], None] | None = None
    scripts: StepScripts | None = None
    keep_exchange: bool = True
    #: The console shows bodies (--verbose): a body longer than the reports keep gets its
    #: view made while it is whole.
    body_views: bool = False
    masker: Masker | None = None
    captured_by: dict[str, str] = field(default_factory=dict)
    file_dirs: tuple[Path, ...] = ()
    #: Set when the run stops (--timeout, Ctrl-C under --parallel): long waits end at once.
    stop: threading.Event | None = None
    #: The collection's `certificate` settings, read into (certificate, key) PEM files.
    certificates: Mapping[Certificate, tuple[str, str]] = field(default_factory=dict)
    #: --ssl-client-cert-list: certificates chosen by the request's URL.
    certificate_list: Sequence[CertificateRule] = ()


def execute(ctx: StepContext, step: Step, scope: Scope, iteration: int, emit: Emit) -> Outcome:
    """Returns the outcome of running `step` once; never raises for request problems."""
    request = step.request
    result = ItemResult(name=request.name, path=step.path, iteration=iteration)
    result.started_at = time.time()
    result.method, result.url = request.method, request.url
    outcome = Outcome(result)
    renderer = Renderer(scope, ctx.collection.dialect)
    try:
        _perform(ctx, step, scope, renderer, outcome, emit)
    except VariableError as exc:
        source = ctx.captured_by.get(exc.name)
        if source is None:
            add_error(result, exc.message)
            result.hint = exc.hint
        else:
            add_error(
                result, f"<<{exc.name}>> has no value: '{source}' was to capture it and did not"
            )
            result.hint = f"see the failed capture of '{source}' above"
    except RunnerError as exc:
        add_error(result, exc.message)
        result.hint = exc.hint
    except Exception as exc:  # a bug must cost one request, not the run and its reports
        add_error(result, f"runner failed on this request: {type(exc).__name__}: {exc}")
        result.hint = "this is a bug in runner; please report it with the request that caused it"
    if renderer.unresolved:
        result.console.extend(
            f"warning: {{{{{name}}}}} is not defined; sent as written"
            for name in sorted(renderer.unresolved)
        )
    return outcome


def _perform(
    ctx: StepContext, step: Step, scope: Scope, renderer: Renderer, outcome: Outcome, emit: Emit
) -> None:
    request, result = step.request, outcome.result
    overrides = Overrides()
    if ctx.scripts is not None:
        overrides = ctx.scripts.prerequest(step, scope, outcome)
        if overrides.skip:
            result.skipped, result.skip_reason = True, "skipped by pre-request script"
            return
        # As in Newman, a failed pre-request script does not stop the request.
    try:
        plan, http, response = _exchange(ctx, step, scope, renderer, overrides, result, emit)
    except TransportError as exc:
        if ctx.scripts is None:
            raise
        # As in Newman, the test scripts run after a request error too (no response).
        add_error(result, exc.message)
        result.hint = exc.hint
        ctx.scripts.test(step, scope, None, None, outcome)
        return
    first = response
    if request.lro is not None:
        response = _follow(ctx, request.lro, plan, http, response, result, scope, emit)
    _record(ctx, result, http, response, first)
    mask = ctx.masker.mask if ctx.masker is not None else str
    _check(request.checks, request.captures, response, renderer, scope, result, mask)
    repeat = request.repeat
    tries = 0
    while repeat is not None and tries < repeat.count:
        pending = _not_yet(repeat.until, response, renderer, scope, result, mask)
        if pending is None:
            break
        # Polling: wait, send again, and judge the new answer from scratch.
        tries += 1
        result.attempts.append(
            Attempt(
                response.status,
                None,
                f"not yet ({pending}); sent again after {repeat.interval_ms} ms",
                float(repeat.interval_ms),
            )
        )
        _sleep(ctx, repeat.interval_ms / 1000, "to send it again")
        result.elapsed_ms += repeat.interval_ms
        _apply_token(ctx, plan, http, scope, result.iteration, emit)
        response = first = _send(ctx, request.retry, http, result)
        if request.lro is not None:
            response = _follow(ctx, request.lro, plan, http, response, result, scope, emit)
        _record(ctx, result, http, response, first)
        result.assertions.clear()
        _check(request.checks, request.captures, response, renderer, scope, result, mask)
    if result.failed and response.status >= 400:
        result.hint = explain(response, mask)
    if ctx.scripts is not None:
        ctx.scripts.test(step, scope, response, http, outcome)


def _exchange(
    ctx: StepContext,
    step: Step,
    scope: Scope,
    renderer: Renderer,
    overrides: Overrides,
    result: ItemResult,
    emit: Emit,
) -> tuple[auth_mod.AuthPlan, HttpRequest, HttpResponse]:
    """Returns the auth plan, the request as sent and its response: rendered, authorised,
    retried."""
    request = step.request
    spec = nearest_auth(step, ctx.collection)
    plan = auth_mod.prepare(
        spec,
        renderer.text,
        base_dir=ctx.collection.base_dir,
        retries=ctx.retries,
        dialect=ctx.collection.dialect,
    )
    if ctx.masker is not None:
        ctx.masker.add_all(plan.secrets)
    if ctx.settings.timeout_ms and isinstance(plan.source, OAuth2Source):
        # --timeout-request bounds the token request too, not only the API call.
        plan.source.timeout = ctx.settings.timeout_ms / 1000
    http = resolve(
        request,
        renderer,
        base_dirs=ctx.file_dirs,
        settings=ctx.settings,
        url=overrides.url,
        method=overrides.method,
        headers=overrides.headers,
        auth_headers=plan.headers,
        auth_query=plan.query,
        auth=plan.request_auth,
    )
    certificate = request.certificate
    if certificate is not None:  # the request's own setting, not the run's (--cert)
        http.client_cert = False if certificate is False else ctx.certificates[certificate]
    elif ctx.certificate_list:  # else the list's first match, else the run's (--cert)
        http.client_cert = certificate_for(ctx.certificate_list, http.url)
    result.method, result.url = http.method, http.url
    token = _apply_token(ctx, plan, http, scope, result.iteration, emit)
    response = _send(ctx, request.retry, http, result)
    if response.status == 401 and plan.source is not None and token is not None:
        # The token may have been revoked or expired early: get a fresh one, try once more.
        ctx.tokens.invalidate(plan.source, token)
        _apply_token(ctx, plan, http, scope, result.iteration, emit)
        result.attempts.append(Attempt(401, None, "401 with a token: renewed the token"))
        response = _send(ctx, request.retry, http, result)
    return plan, http, response


def _apply_token(
    ctx: StepContext,
    plan: auth_mod.AuthPlan,
    http: HttpRequest,
    scope: Scope,
    iteration: int,
    emit: Emit,
) -> Token | None:
    if plan.source is None:
        return None
    try:
        token = ctx.tokens.get(plan.source, emit, iteration)
    except AuthError as exc:
        # The token step reports the whole error and its hint, once; each request that
        # needed the token says it was not sent, with the gist (error and AADSTS code).
        from runner.auth.aad import token_error_gist

        gist = token_error_gist(exc.message)
        if ctx.masker is not None:
            gist = ctx.masker.shorten(gist, GIST_KEEP)
        raise AuthError(f"not sent: no token ({plan.source.label}): {gist}") from None
    if ctx.masker is not None:
        ctx.masker.add_all([token.value, token.refresh_token])
    http.set_header("Authorization", f"{plan.prefix} {token.value}")
    scope.set("bearerToken", token.value)
    scope.set("bearerTokenExpiresOn", str(int(token.expires_at)))
    return token


def _send(
    ctx: StepContext, allow: bool | None, http: HttpRequest, result: ItemResult
) -> HttpResponse:
    """Returns the response, retrying 429/503/resets as --retry allows.

    The request's time is the wall time of every attempt and of the waits between them,
    also when it ends in an error (a timeout shows how long it was waited for).
    """
    started = time.perf_counter()
    try:
        return _attempts(ctx, allow, http, result)
    finally:
        result.elapsed_ms += (time.perf_counter() - started) * 1000


def _attempts(
    ctx: StepContext, allow: bool | None, http: HttpRequest, result: ItemResult
) -> HttpResponse:
    retryable = allow if allow is not None else http.method in IDEMPOTENT
    retries = ctx.retries if retryable else 0
    cap = ctx.retry_max_wait_ms
    attempt = 0
    while True:
        try:
            response = ctx.transport.send(http)
        except TransportError as exc:
            if attempt < retries and is_reset(exc):
                wait = plan_wait(None, attempt, cap)
                _wait(ctx, result, wait, (attempt, retries), None, exc.message)
                attempt += 1
                continue
            raise
        delay = retry_delay(response, attempt, retries, cap)
        if delay is None:
            return response
        _wait(ctx, result, delay, (attempt, retries), response.status, None)
        attempt += 1


def _wait(
    ctx: StepContext,
    result: ItemResult,
    wait: Wait,
    count: tuple[int, int],
    status: int | None,
    error: str | None,
) -> None:
    """Records the retry, says what the run waits for, and waits (`count`: attempt, retries)."""
    got = f"HTTP {status}" if status is not None else "connection reset"
    result.attempts.append(Attempt(status, error, f"{got}, waited {wait.describe()}", wait.ms))
    if ctx.notice is not None and (wait.ms >= NOTICE_MS or wait.capped):
        attempt, retries = count
        ctx.notice(
            f"{result.display_name}: {got}; retry {attempt + 1} of {retries} after "
            f"{wait.describe()}"
        )
    _sleep(ctx, wait.ms / 1000, "to retry")


def _sleep(ctx: StepContext, seconds: float, why: str) -> None:
    """Waits `seconds`; raises RequestError when the run's deadline (--timeout) comes first,
    naming it as the other cut-offs do, or when the run stops meanwhile (Ctrl-C under
    --parallel, --bail): the wait would only delay the end."""
    run = current_run_deadline()
    cut = run is not None and run.left() < seconds
    if run is not None and cut:
        seconds = max(0.0, run.left())  # no later than the deadline, timer or not
    if ctx.stop is None:
        time.sleep(seconds)
        stopped = False
    else:
        stopped = ctx.stop.wait(seconds)
    if run is not None and (cut or (stopped and run.left() <= 0)):
        raise RequestError(f"cut off by the {run.label} while waiting {why}")
    if stopped:
        raise RequestError(f"the run stopped while waiting {why}")


NOTICE_MS = 1000
"""Waits this long or longer, and every wait the cap shortened, are announced as they start."""


def _follow(
    ctx: StepContext,
    lro: LongRunning,
    plan: auth_mod.AuthPlan,
    http: HttpRequest,
    response: HttpResponse,
    result: ItemResult,
    scope: Scope,
    emit: Emit,
) -> HttpResponse:
    """Returns the final response of the operation `response` started (itself if none did):
    polls its status monitor with GET until it ends, pausing as Retry-After asks, then fetches
    the result where ARM puts it. Each poll is recorded on `result.operation`."""
    monitor = monitor_of(http.method, http.url, response)
    result.operation = None
    if monitor is None:
        return response
    operation = result.operation = Operation(monitor.via, monitor.url, "InProgress")
    _learn(ctx, http, response)
    if ctx.keep_exchange:
        mask = ctx.masker.mask if ctx.masker is not None else str
        body = mask(response.text)
        headers = _masked_headers(ctx, response)
        view = _view(ctx, body)
        operation.first = Answer(response.status, response.reason, headers, capped(body), view)
    # The request's time is the wall time of the whole wait, polls and the work between
    # them included (the parts alone fall short of it on a busy machine).
    began, before = time.perf_counter(), result.elapsed_ms
    try:
        return _until_it_ends(
            ctx, lro, plan, http, monitor, operation, response, result, scope, emit
        )
    finally:
        result.elapsed_ms = before + (time.perf_counter() - began) * 1000


def _until_it_ends(
    ctx: StepContext,
    lro: LongRunning,
    plan: auth_mod.AuthPlan,
    http: HttpRequest,
    monitor: Monitor,
    operation: Operation,
    response: HttpResponse,
    result: ItemResult,
    scope: Scope,
    emit: Emit,
) -> HttpResponse:
    """Returns the operation's final response (see _follow), polling `monitor` within
    lro.timeoutMs."""
    ends = time.monotonic() + lro.timeout_ms / 1000
    last = response
    try:
        while True:
            wait = next_wait(last, lro.interval_ms, ctx.retry_max_wait_ms)
            pause = min(wait.ms / 1000, max(0.0, ends - time.monotonic()))
            if pause >= NOTICE_MS / 1000 and ctx.notice is not None:
                ctx.notice(
                    f"{result.display_name}: operation {operation.state}; next poll in "
                    f"{describe_wait(wait)}"
                )
            paused = time.perf_counter()
            try:
                _pause(ctx, pause, operation)
            finally:  # cut short by the run's end: the time waited still counts
                waited = (time.perf_counter() - paused) * 1000
                operation.waited_ms += waited
            if time.monotonic() >= ends:
                raise RequestError(
                    f"the operation did not end within lro.timeoutMs ({lro.timeout_ms} ms): still "
                    f"{_so_far(operation)}",
                    hint="raise lro.timeoutMs, or look at the operation's status URL: "
                    + monitor.url,
                )
            last = _poll(ctx, plan, http, monitor.url, result, scope, emit)
            try:
                state = state_of(monitor, last)
            except OperationProblem as exc:
                raise RequestError(str(exc), hint=f"the status URL was {monitor.url}") from None
            operation.polls.append(Poll(monitor.url, last.status, state, waited, last.elapsed_ms))
            operation.state = state
            if is_terminal(state):
                break
    except RequestError:
        # Cut short (lro.timeoutMs, the run's end, a status it cannot read): the status
        # column and the exchange show the last answer, not none.
        _record(ctx, result, http, last, response)
        raise
    if state != "Succeeded":
        operation.error = operation_error(last)
        return last
    final = result_url(monitor, http.method, http.url, last)
    if final is None:
        return last
    operation.final_url = final
    return _poll(ctx, plan, http, final, result, scope, emit)


def _poll(
    ctx: StepContext,
    plan: auth_mod.AuthPlan,
    http: HttpRequest,
    url: str,
    result: ItemResult,
    scope: Scope,
    emit: Emit,
) -> HttpResponse:
    """Returns the answer to a GET of `url` with the request's headers and auth (a fresh token
    if it expired while waiting); credentials go only to the request's own origin."""
    same_origin = _origin(url) == _origin(http.url)
    dropped = {"content-type", "content-length"}
    if not same_origin:
        dropped |= {"authorization", "cookie", *(k.lower() for k, _ in plan.headers)}
    poll = HttpRequest(
        "GET",
        url,
        headers=[(k, v) for k, v in http.headers if k.lower() not in dropped],
        timeout=http.timeout,
        follow_redirects=http.follow_redirects,
        max_redirects=http.max_redirects,
        verify=http.verify,
        auth=http.auth if same_origin else None,
        use_cookies=http.use_cookies,
        client_cert=http.client_cert,
    )
    if same_origin:
        _apply_token(ctx, plan, poll, scope, result.iteration, emit)
    return _send(ctx, None, poll, result)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _pause(ctx: StepContext, seconds: float, operation: Operation) -> None:
    """Waits `seconds` between polls; raises RequestError when the run stops meanwhile."""
    _sleep(ctx, seconds, f"for the operation: still {_so_far(operation)}")


def _so_far(operation: Operation) -> str:
    count = len(operation.polls)
    return f"{operation.state} after {count} poll{'' if count == 1 else 's'} ({operation.via})"


def _not_yet(
    until: tuple[Check, ...],
    response: HttpResponse,
    renderer: Renderer,
    scope: Scope,
    result: ItemResult,
    mask: Callable[[str], str],
) -> str | None:
    """Returns why polling goes on (the first condition that does not hold), or None."""
    if until:
        probe = ItemResult(result.name, result.path, result.iteration)
        _check(until, (), response, renderer, scope, probe, mask)
        failed = probe.assertions
    else:
        failed = result.assertions
    for assertion in failed:
        if not assertion.passed and not assertion.skipped:
            return assertion.message or assertion.name
    return None


def _learn(ctx: StepContext, http: HttpRequest, response: HttpResponse) -> None:
    """Tells the masker the credentials `http` and its `response` carried."""
    if ctx.masker is None:
        return
    body = http.data
    shown = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    sent = [*response.sent_headers, *(response.request_headers or http.headers)]
    ctx.masker.add_all(header_credentials([*sent, *response.header_list]))
    # Cookies a redirect set are in no header kept here, yet checks and captures see them.
    ctx.masker.add_all(cookie.value for cookie in response.set_cookies)
    # A token endpoint called as an ordinary request: its tokens are secrets too.
    ctx.masker.add_all(body_credentials(response.text))
    ctx.masker.add_all(body_credentials(shown if isinstance(shown, str) else None))


def _masked_headers(ctx: StepContext, response: HttpResponse) -> list[tuple[str, str]]:
    """Returns the response's headers, credentials masked."""
    if ctx.masker is None:
        return list(response.header_list)
    return ctx.masker.mask_headers(response.header_list)


def _record(
    ctx: StepContext,
    result: ItemResult,
    http: HttpRequest,
    response: HttpResponse,
    first: HttpResponse,
) -> None:
    """Records the response on `result`: its status and, when kept, the exchange: `http` as
    `first` (its answer) says it was sent, and `response`, the answer judged (an operation's
    final one when `first` started one)."""
    # elapsed_ms already holds every attempt's time and the waits (_send measures them).
    result.status, result.reason = response.status, response.reason
    _learn(ctx, http, response)
    if not ctx.keep_exchange:
        return
    body = http.data
    shown = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    # Masked before they are cut: a secret cut in two would no longer be recognised.
    mask = ctx.masker.mask if ctx.masker is not None else str
    sent_body = mask(shown) if isinstance(shown, str) else None
    received = mask(response.text)
    final = None
    if response is not first or response.redirects:
        final = RequestLine(response.method, response.url)
    result.exchange = Exchange(
        method=http.method,
        url=http.url,
        # The request as it was sent (its own headers), not as a redirect or a poll sent it.
        request_headers=list(first.sent_headers or first.request_headers or http.headers),
        request_body=capped(sent_body) if sent_body is not None else None,
        response_headers=list(response.header_list),
        response_body=capped(received),
        redirects=[Redirect(*hop) for hop in first.redirects],
        final_request=final,
        request_parts=[_part(name, part, mask) for name, part in http.files or ()],
        request_view=_view(ctx, sent_body),
        response_view=_view(ctx, received),
        sending=Sending(
            http.verify,
            http.client_cert,
            http.follow_redirects,
            http.max_redirects,
            http.keep_method_on_redirect,
            http.referer_on_redirect,
            http.auth.username if isinstance(http.auth, Digest) else None,
        ),
    )


def _view(ctx: StepContext, body: str | None) -> BodyView | None:
    """Returns --verbose's view of a body the reports cut (None when they keep it whole, or
    the console shows no bodies): made here, where the whole body still is."""
    if not ctx.body_views or body is None or len(body) <= BODY_LIMIT:
        return None
    return body_view(body)


PREVIEW = 200
"""How many characters of a text part reports show."""


def _part(name: str, part: Part, mask: Callable[[str], str]) -> ShownPart:
    """Returns a multipart part as reports show it: name, file name, type, size, and the
    start of its text (masked before it is cut) when it is text."""
    filename, content = part[0], part[1]
    ctype = part[2] if len(part) > 2 else None
    data = content.encode("utf-8") if isinstance(content, str) else content
    preview = None
    if _is_text(data, ctype):
        text = mask(data.decode("utf-8"))
        preview = text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"
    return ShownPart(name, filename, ctype, len(data), preview)


def _is_text(data: bytes, ctype: str | None) -> bool:
    """Returns True when a part is text to show: UTF-8 without control characters, and not
    declared as something else than text, JSON or XML."""
    if (
        ctype
        and not ctype.startswith("text/")
        and not any(
            kind in ctype for kind in ("json", "xml", "javascript", "x-www-form-urlencoded")
        )
    ):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\r\n" for c in text[: PREVIEW * 4])


def _check(
    checks: tuple[Check, ...],
    captures: tuple[Capture, ...],
    response: HttpResponse,
    renderer: Renderer,
    scope: Scope,
    result: ItemResult,
    mask: Callable[[str], str],
) -> None:
    """Evaluates status checks, then captures, then the other checks (all of them); when the
    operation the response ends failed, that is the one failure (the checks were written for
    a successful result)."""
    operation = result.operation
    if operation is not None and operation.state != "Succeeded":
        message = f"the operation ended {operation.state}: {operation.error}"
        failed = AssertionResult(
            "operation succeeded", False, "Succeeded", operation.state, message
        )
        result.assertions.append(failed)
        return
    status_checks = [c for c in checks if c.subject == "status"]
    for check in status_checks:
        result.assertions.append(_assert(check, response, renderer, mask))
    for capture in captures:
        try:
            value = extract(capture, response, mask)
        except CaptureError as exc:
            result.assertions.append(
                AssertionResult(f"capture {capture.name}", False, message=exc.message)
            )
            continue
        scope.set(capture.name, value)
        result.captures[capture.name] = value
    for check in checks:
        if check.subject != "status":
            result.assertions.append(_assert(check, response, renderer, mask))


def _assert(
    check: Check, response: HttpResponse, renderer: Renderer, mask: Callable[[str], str]
) -> AssertionResult:
    try:
        expected = renderer.json(check.expected, check.location)
    except VariableError as exc:
        return AssertionResult(check.label, False, check.expected, None, exc.message)
    # A jsonpath check on a non-JSON body raises RequestError: an error of the request.
    return evaluate(check, subject_value(check, response, mask), expected, mask)
