"""Azure long-running operations: what a response says about one, as ARM's rules have it.

A request that starts an operation is answered 201 or 202 (sometimes 200) with a status
monitor to poll with GET:

- `Azure-AsyncOperation` (or `Operation-Location`): each poll's body says `status`, one of
  InProgress (or the service's own word, e.g. Running), Succeeded, Failed or Canceled; a
  failure carries `error: {code, message}`. After success the result is fetched: the body's
  `resourceLocation` if any, else the request's URL for PUT/PATCH, else the first response's
  `Location` for POST; for DELETE the last poll is the result.
- `Location`: each poll answers 202 while the operation runs; the first other answer is the
  result (an error status included: the request's own checks judge it).
- neither, but a PUT/PATCH answered 200/201 whose body's `properties.provisioningState` is
  not terminal (Creating, Updating, Accepted…): the resource itself is polled until its
  state is Succeeded, Failed or Canceled; the last poll is the result.

Waits between polls follow `Retry-After` (seconds or an HTTP date).
"""

from __future__ import annotations

from urllib.parse import urljoin

from runner.records import record
from runner.transport.http import HttpResponse
from runner.transport.retry import Wait, plan_wait, seconds
from runner.values import JSON

STATUS_HEADERS = ("Azure-AsyncOperation", "Operation-Location")
STARTED = frozenset({200, 201, 202, 204})
"""The statuses an operation may start with (a monitor header says whether one started)."""
TERMINAL = {"succeeded": "Succeeded", "failed": "Failed", "canceled": "Canceled"}
TERMINAL["cancelled"] = "Canceled"  # both spellings occur in Azure services


class OperationProblem(Exception):
    """A poll answered something that says nothing about the operation (why, in words)."""


@record
class Monitor:
    """Where an operation's progress is read, and how."""

    via: str  # "Azure-AsyncOperation", "Operation-Location" or "Location"
    url: str  # polled with GET
    location: str | None = None  # the first response's Location (a POST's result is there)


def monitor_of(method: str, url: str, response: HttpResponse) -> Monitor | None:
    """Returns the status monitor `response` names, or None when no operation started."""
    if response.status not in STARTED:
        return None
    headers = response.headers
    location = headers.get("Location")
    absolute = urljoin(url, location) if location else None
    for name in STATUS_HEADERS:
        value = headers.get(name)
        if value:
            return Monitor(name, urljoin(url, value), absolute)
    if absolute is not None and response.status in (201, 202):
        return Monitor("Location", absolute)
    # No monitor header, but the resource says it is still being made: poll the resource.
    state = _provisioning_state(response) if method in ("PUT", "PATCH") else None
    if response.status in (200, 201) and state and not is_terminal(_named(state)):
        return Monitor("provisioningState", url)
    return None


def state_of(monitor: Monitor, response: HttpResponse) -> str:
    """Returns the operation's state after a poll: InProgress, Succeeded, Failed, Canceled,
    or a non-terminal word of the service; raises OperationProblem when the poll is no answer.
    """
    if monitor.via == "Location":
        return "InProgress" if response.status == 202 else "Succeeded"
    if monitor.via == "provisioningState":
        if not 200 <= response.status < 300:
            raise OperationProblem(
                f"polling the resource got HTTP {response.status}{_error_suffix(response)}"
            )
        return _named(_provisioning_state(response) or "Succeeded")  # none: nothing to do
    if not 200 <= response.status < 300:
        raise OperationProblem(
            f"polling the operation status got HTTP {response.status}{_error_suffix(response)}"
        )
    body = _body(response)
    status = body.get("status") if isinstance(body, dict) else None
    if not isinstance(status, str) or not status:
        raise OperationProblem(
            f"the operation status from {monitor.via} has no 'status' field "
            f"(HTTP {response.status})"
        )
    return _named(status)


def is_terminal(state: str) -> bool:
    """Returns True for Succeeded, Failed and Canceled."""
    return state in TERMINAL.values()


def result_url(monitor: Monitor, method: str, url: str, last: HttpResponse) -> str | None:
    """Returns where the result of a succeeded operation is fetched, or None when the last
    poll is the result (Location; DELETE; a POST without Location)."""
    if monitor.via in ("Location", "provisioningState"):
        return None
    body = _body(last)
    resource = body.get("resourceLocation") if isinstance(body, dict) else None
    if isinstance(resource, str) and resource:
        return urljoin(monitor.url, resource)
    if method in ("PUT", "PATCH"):
        return url
    if method == "POST":
        return monitor.location
    return None


def operation_error(response: HttpResponse) -> str:
    """Returns a failed operation's error as `Code: message` (nested ARM errors: the first
    detail too), or a note that the service gave none."""
    body = _body(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "the service gave no error details"
    parts = [str(error.get("code") or "error"), str(error.get("message") or "").strip()]
    text = ": ".join(p for p in parts if p)
    details = error.get("details")
    if isinstance(details, list) and details and isinstance(details[0], dict):
        inner = details[0]
        text += f" ({inner.get('code', 'detail')}: {inner.get('message', '')})"
    return text


def next_wait(response: HttpResponse, interval_ms: float, cap_ms: float) -> Wait:
    """Returns the pause before the next poll: Retry-After (capped by --retry-max-wait),
    else the request's `intervalMs`."""
    wait = plan_wait(response.headers.get("Retry-After"), 0, cap_ms)
    if wait.asked_ms is None:
        return Wait(float(interval_ms))
    return wait


def describe_wait(wait: Wait) -> str:
    """Returns how long the run pauses before a poll, and why."""
    if wait.asked_ms is None:
        return f"{seconds(wait.ms)} (intervalMs)"
    return wait.describe()


def _named(state: str) -> str:
    """Returns a terminal state in its usual spelling (`succeeded` → Succeeded), else as is."""
    return TERMINAL.get(state.lower(), state)


def _provisioning_state(response: HttpResponse) -> str | None:
    """Returns the body's `properties.provisioningState`, or None."""
    body = _body(response)
    properties = body.get("properties") if isinstance(body, dict) else None
    state = properties.get("provisioningState") if isinstance(properties, dict) else None
    return state if isinstance(state, str) and state else None


def _body(response: HttpResponse) -> JSON:
    try:
        return response.json()
    except ValueError:
        return None


def _error_suffix(response: HttpResponse) -> str:
    body = _body(response)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return f": {operation_error(response)}"
    return ""
