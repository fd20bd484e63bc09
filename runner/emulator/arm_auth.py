"""ARM's authentication and authorization answers, in ARM's words."""

from __future__ import annotations

from datetime import UTC, datetime

from runner.emulator.audiences import ARM
from runner.emulator.bearer import BearerProblem, Caller, check_bearer
from runner.emulator.config import EmulatorConfig, Subscription
from runner.emulator.errors import ApiError
from runner.emulator.messages import Request
from runner.emulator.state import EmulatorState

READ_ROLES = frozenset({"reader", "contributor", "owner"})
WRITE_ROLES = frozenset({"contributor", "owner"})
ALLOWED_AUDIENCES = (
    "'https://management.core.windows.net/','https://management.core.windows.net',"
    "'https://management.azure.com/','https://management.azure.com'"
)
_MESSAGES = {
    "malformed": ("InvalidAuthenticationToken", "The access token is invalid."),
    "signature": ("InvalidAuthenticationToken", "The access token has an invalid signature."),
    "not_yet_valid": ("InvalidAuthenticationToken", "The access token is not yet valid."),
}


def arm_caller(state: EmulatorState, request: Request) -> Caller:
    """Return the caller, or raise ARM's 401 error."""
    try:
        return check_bearer(state, request, ARM)
    except BearerProblem as problem:
        code, message = _describe(problem)
        challenge = (
            f'Bearer authorization_uri="{request.base_url}/", error="invalid_token", '
            f'error_description="{message}"'
        )
        raise ApiError(401, code, message, {"WWW-Authenticate": challenge}) from None


def _describe(problem: BearerProblem) -> tuple[str, str]:
    if problem.kind == "missing":
        return (
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        )
    if problem.kind == "expired":
        expiry = _arm_time(datetime.fromtimestamp(int(problem.claims.get("exp", 0)), UTC))
        return (
            "ExpiredAuthenticationToken",
            f"The access token expiry UTC time '{expiry}' is earlier than current UTC time "
            f"'{_arm_time(datetime.now(UTC))}'.",
        )
    if problem.kind == "audience":
        return (
            "InvalidAuthenticationTokenAudience",
            f"The access token has been obtained for wrong audience or resource "
            f"'{problem.claims.get('aud')}'. It should exactly match with one of the allowed "
            f"audiences {ALLOWED_AUDIENCES}.",
        )
    return _MESSAGES[problem.kind]


def _arm_time(moment: datetime) -> str:
    return f"{moment.month}/{moment.day}/{moment.year} {moment.strftime('%I:%M:%S %p')}"


def check_tenant(caller: Caller, subscription: Subscription) -> None:
    """Raise InvalidAuthenticationTokenTenant when the token is from another tenant."""
    if caller.tenant_id.lower() == subscription.tenant_id.lower():
        return
    tid = subscription.tenant_id
    raise ApiError(
        401,
        "InvalidAuthenticationTokenTenant",
        f"The access token is from the wrong issuer '{caller.claims.get('iss')}'. It must match "
        f"the tenant 'https://sts.windows.net/{tid}/' associated with this subscription. "
        f"Please use the authority (URL) 'https://login.windows.net/{tid}' to get the token.",
    )


def can_read(config: EmulatorConfig, caller: Caller, scope: str) -> bool:
    """Return True when a read role is assigned to the caller at or above ``scope``."""
    return _has_role(config, caller, scope, READ_ROLES)


def can_write(config: EmulatorConfig, caller: Caller, scope: str) -> bool:
    """Return True when a role that may write (Contributor, Owner) is assigned at or above
    ``scope``."""
    return _has_role(config, caller, scope, WRITE_ROLES)


def _has_role(config: EmulatorConfig, caller: Caller, scope: str, roles: frozenset[str]) -> bool:
    wanted = scope.lower()
    return any(
        a.principal_object_id.lower() == caller.oid.lower()
        and a.role.lower() in roles
        and (wanted == a.scope.lower() or wanted.startswith(a.scope.lower().rstrip("/") + "/"))
        for a in config.role_assignments
    )


def forbidden(caller: Caller, action: str, scope: str) -> ApiError:
    """Return ARM's 403 AuthorizationFailed naming the principal, action and scope."""
    client = caller.claims.get("upn") or caller.oid
    return ApiError(
        403,
        "AuthorizationFailed",
        f"The client '{client}' with object id '{caller.oid}' does not have authorization to "
        f"perform action '{action}' over scope '{scope}' or the scope is invalid. If access "
        "was recently granted, please refresh your credentials.",
    )
