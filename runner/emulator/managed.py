"""Managed identity endpoints: App Service ``/msi/token`` and VM IMDS ``/metadata/identity``."""

from __future__ import annotations

from runner.emulator.audiences import GRAPH, find_resource, unknown_resource
from runner.emulator.config import ManagedIdentity, ManagedIdentityConfig
from runner.emulator.messages import Request, Response, new_id
from runner.emulator.state import EmulatorState
from runner.emulator.tokens import Grant, Issued
from runner.values import JSON

APP_SERVICE_VERSIONS = ("2019-08-01",)
IMDS_VERSIONS = ("2018-02-01", "2019-08-01", "2021-02-01", "2025-04-07")


class _Failure(Exception):
    def __init__(self, status: int, message: str, error: str = "invalid_request") -> None:
        super().__init__(message)
        self.status, self.message, self.error = status, message, error


def handle_app_service(state: EmulatorState, request: Request) -> Response:
    """Return an App Service style token, or its ``{statusCode, message}`` error."""
    settings = state.config.managed
    try:
        if settings is None:
            raise _Failure(404, "No managed identity is configured in the emulator.")
        if request.header("x-identity-header") != settings.identity_header:
            raise _Failure(401, "The X-IDENTITY-HEADER header is missing or wrong.")
        _require_version(request, APP_SERVICE_VERSIONS)
        issued, identity, resource = _issue(state, settings, request)
    except _Failure as failure:
        body = {"statusCode": failure.status, "message": failure.message}
        return Response(failure.status, {**body, "correlationId": new_id()})
    return Response(200, {**_common(issued, identity, resource)})


def handle_imds(state: EmulatorState, request: Request) -> Response:
    """Return a VM metadata style token, or its ``{error, error_description}`` error."""
    settings = state.config.managed
    try:
        if (request.header("metadata") or "").lower() != "true":
            raise _Failure(400, "Required metadata header not specified")
        if settings is None:
            raise _Failure(400, "Identity not found")
        _require_version(request, IMDS_VERSIONS)
        issued, identity, resource = _issue(state, settings, request)
    except _Failure as failure:
        body = {"error": failure.error, "error_description": failure.message}
        return Response(failure.status, body)
    lifetime = str(issued.lifetime)
    body = _common(issued, identity, resource)
    body.update(expires_in=lifetime, ext_expires_in=lifetime, not_before=str(issued.issued_at))
    return Response(200, body)


def _require_version(request: Request, accepted: tuple[str, ...]) -> None:
    version = request.query.get("api-version")
    if not version:
        raise _Failure(400, "Required query variable 'api-version' is missing")
    if version not in accepted:
        raise _Failure(400, f"Invalid version: '{version}'. Use one of {', '.join(accepted)}.")


def _issue(
    state: EmulatorState, settings: ManagedIdentityConfig, request: Request
) -> tuple[Issued, ManagedIdentity, str]:
    resource = request.query.get("resource", "")
    if not resource:
        raise _Failure(400, "Required query variable 'resource' is missing")
    identity = _pick(settings, request.query)
    found = find_resource(resource)
    label = found.canonical if found else resource
    state.stats.token_request(identity.client_id if identity else "", label, "managed_identity")
    if identity is None:
        raise _Failure(400, "Identity not found")
    if found is None:
        error = unknown_resource(resource, settings.tenant_id)
        state.stats.token_error(error.code)
        raise _Failure(400, str(error), "invalid_resource")
    roles = identity.graph_roles if found is GRAPH else ()
    grant = Grant(
        settings.tenant_id,
        resource,
        identity.client_id,
        identity.object_id,
        found.token_version,
        roles,
        acr="2",
    )
    return state.issuer.issue(grant), identity, resource


def _pick(settings: ManagedIdentityConfig, query: dict[str, str]) -> ManagedIdentity | None:
    client_id = query.get("client_id")
    object_id = query.get("object_id") or query.get("principal_id")
    if client_id or object_id:
        return next(
            (
                i
                for i in settings.identities
                if (client_id or "").lower() == i.client_id.lower()
                or (object_id or "").lower() == i.object_id.lower()
            ),
            None,
        )
    system = [i for i in settings.identities if i.system_assigned]
    users = [i for i in settings.identities if not i.system_assigned]
    # Without an id: the system-assigned identity, else the only user-assigned one.
    return system[0] if system else (users[0] if len(users) == 1 else None)


def _common(issued: Issued, identity: ManagedIdentity, resource: str) -> dict[str, JSON]:
    return {
        "access_token": issued.token,
        "expires_on": str(issued.expires_on),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": identity.client_id,
    }
