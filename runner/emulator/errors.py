"""Error bodies in the shapes Entra ID, ARM and Graph send."""

from __future__ import annotations

from runner.emulator.messages import Request, Response, iso, new_id, utc_now

# Entra ID answers invalid_client with 401 and every other OAuth error with 400.
_STATUS_BY_ERROR = {"invalid_client": 401, "temporarily_unavailable": 429}


class EntraError(Exception):
    """An OAuth error to answer from a token endpoint, carrying its AADSTS code."""

    def __init__(self, code: int, error: str, message: str) -> None:
        super().__init__(f"AADSTS{code}: {message}")
        self.code = code
        self.error = error
        self.message = message

    def response(self, headers: dict[str, str] | None = None) -> Response:
        """Return the error JSON exactly as Entra ID shapes it."""
        now = utc_now()
        stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
        trace_id, correlation_id = new_id(), new_id()
        description = (
            f"AADSTS{self.code}: {self.message}\r\nTrace ID: {trace_id}\r\n"
            f"Correlation ID: {correlation_id}\r\nTimestamp: {stamp}"
        )
        body = {
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }
        return Response(_STATUS_BY_ERROR.get(self.error, 400), body, dict(headers or {}))


class ApiError(Exception):
    """An ARM or Graph error: HTTP status, code, message and extra headers."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def arm_error(exc: ApiError) -> Response:
    """Return ARM's ``{"error": {"code", "message"}}``."""
    body = {"error": {"code": exc.code, "message": exc.message}}
    return Response(exc.status, body, exc.headers)


def graph_error(exc: ApiError, request: Request, request_id: str) -> Response:
    """Return Graph's error with its ``innerError`` block."""
    inner = {
        "date": iso(utc_now()),
        "request-id": request_id,
        "client-request-id": request.header("client-request-id") or request_id,
    }
    body = {"error": {"code": exc.code, "message": exc.message, "innerError": inner}}
    return Response(exc.status, body, exc.headers)


NOT_EMULATED = "NotEmulated"


class NotEmulated(Exception):
    """A request, or a part of it (a query option), that the emulator does not emulate."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def not_emulated(request: Request, what: str | None = None) -> Response:
    """Return 501 for what the emulator does not emulate.

    Never an error shaped like Azure's: a green or red run must not be mistaken for what
    Azure would have answered.
    """
    message = (
        f"runner emulator: {what or f'{request.method} {request.path}'} is not emulated. "
        "The emulator serves Entra ID token, device code and discovery endpoints, managed "
        "identity, ARM subscriptions and resource groups, and Graph users, me, applications "
        "and servicePrincipals; see runner.emulator's documentation."
    )
    return Response(501, {"error": {"code": NOT_EMULATED, "message": message}})
