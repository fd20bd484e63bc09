"""Graph's authentication and permission answers, in Graph's words."""

from __future__ import annotations

from runner.emulator.audiences import GRAPH, GRAPH_APP_ID
from runner.emulator.bearer import BearerProblem, Caller, check_bearer
from runner.emulator.config import Tenant
from runner.emulator.errors import ApiError
from runner.emulator.messages import Request
from runner.emulator.state import EmulatorState

_MESSAGES = {
    "missing": "Access token is empty.",
    "malformed": "IDX14100: JWT is not well formed.",
    "signature": "Access token validation failure. Invalid signature.",
    "expired": "Access token has expired or is not yet valid.",
    "not_yet_valid": "Access token has expired or is not yet valid.",
    "audience": "Access token validation failure. Invalid audience.",
}


def graph_caller(state: EmulatorState, request: Request) -> tuple[Caller, Tenant]:
    """Return the caller and its directory, or raise Graph's 401."""
    try:
        caller = check_bearer(state, request, GRAPH)
        tenant = state.config.find_tenant(caller.tenant_id)
    except BearerProblem as problem:
        raise _unauthorized(request, _MESSAGES[problem.kind]) from None
    if tenant is None:
        raise _unauthorized(request, "Access token validation failure. Unknown tenant.")
    return caller, tenant


def _unauthorized(request: Request, message: str) -> ApiError:
    challenge = (
        f'Bearer realm="", authorization_uri="{request.base_url}/common/oauth2/authorize", '
        f'client_id="{GRAPH_APP_ID}"'
    )
    return ApiError(401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": challenge})


def require_permission(caller: Caller, accepted: tuple[str, ...]) -> None:
    """Raise 403 Authorization_RequestDenied unless the token holds one of ``accepted``."""
    held = {p.lower() for p in (caller.scopes if caller.delegated else caller.roles)}
    if not held & {p.lower() for p in accepted}:
        raise ApiError(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
