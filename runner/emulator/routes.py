"""Sends each request to the emulated service that owns its path; 429s on demand."""

from __future__ import annotations

import re
from collections.abc import Callable

from runner.emulator.arm import handle_arm
from runner.emulator.devicecode import handle_devicecode
from runner.emulator.discovery import instance_discovery, openid_configuration, signing_keys
from runner.emulator.errors import ApiError, EntraError, arm_error, graph_error, not_emulated
from runner.emulator.grants import handle_token
from runner.emulator.graph import handle_graph
from runner.emulator.managed import handle_app_service, handle_imds
from runner.emulator.messages import Request, Response, new_id
from runner.emulator.state import EmulatorState
from runner.emulator.throttle import HEADER

Handler = Callable[[EmulatorState, Request], Response]
_OAUTH = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/(?P<v2>v2\.0/)?(?P<op>token|devicecode)/?$")
_KEYS = re.compile(r"^/(?P<tenant>[^/]+)/discovery/(?:v2\.0/)?keys/?$")
_OPENID = re.compile(r"^/(?P<tenant>[^/]+)/(?P<v2>v2\.0/)?\.well-known/openid-configuration$")
_INSTANCE = re.compile(r"^/common/discovery/instance/?$", re.IGNORECASE)


def route(state: EmulatorState, request: Request) -> Response:
    """Return the response of whichever service owns the request's path."""
    path = request.path
    if path.startswith("/_emulator/"):
        return _control(state, request)
    retry_after = state.throttle.retry_after(path, request.header(HEADER))
    if retry_after is not None:
        state.stats.event("throttled")
        return _throttled(request, retry_after)
    handler = _handler(path)
    if handler is not None:
        return handler(state, request)
    return _identity(state, request) or not_emulated(request)


def _handler(path: str) -> Handler | None:
    lowered = path.lower()
    if lowered.startswith("/subscriptions"):
        return handle_arm
    if lowered.startswith(("/v1.0/", "/beta/")):
        return handle_graph
    if lowered.rstrip("/") == "/msi/token":
        return handle_app_service
    if lowered.rstrip("/") == "/metadata/identity/oauth2/token":
        return handle_imds
    return None


def _identity(state: EmulatorState, request: Request) -> Response | None:
    match = _OAUTH.match(request.path)
    if match is not None:
        if request.method != "POST":
            error = EntraError(
                900561,
                "invalid_request",
                f"The endpoint only accepts POST, OPTIONS requests. Received a {request.method} "
                "request.",
            )
            return error.response()
        version = "2.0" if match["v2"] else "1.0"
        endpoint = handle_token if match["op"] == "token" else handle_devicecode
        return endpoint(state, request, match["tenant"], version)
    if request.method not in ("GET", "HEAD"):
        return None
    keys = _KEYS.match(request.path)
    if keys is not None:
        return signing_keys(state, keys["tenant"])
    if _INSTANCE.match(request.path):
        return instance_discovery(request)
    openid = _OPENID.match(request.path)
    if openid is not None:
        return openid_configuration(state, request, openid["tenant"], bool(openid["v2"]))
    return None


def _throttled(request: Request, seconds: int) -> Response:
    headers = {"Retry-After": str(seconds)}
    message = f"The request is being throttled. Retry after {seconds} seconds."
    problem = ApiError(429, "TooManyRequests", message, headers)
    lowered = request.path.lower()
    if lowered.startswith("/subscriptions"):
        response = arm_error(problem)
        response.headers["x-ms-request-id"] = new_id()
        return response
    if lowered.startswith(("/v1.0/", "/beta/")):
        return graph_error(problem, request, new_id())
    error = EntraError(90055, "temporarily_unavailable", "There are too many incoming requests.")
    return error.response(headers)


def _control(state: EmulatorState, request: Request) -> Response:
    if request.path == "/_emulator/stats" and request.method == "GET":
        return Response(200, state.stats.snapshot().to_json())
    if request.path == "/_emulator/reset" and request.method == "POST":
        state.reset()
        return Response(200, {"reset": True})
    return not_emulated(request)
