"""The resources the emulator issues tokens for, and v1 ``resource`` / v2 ``scope`` parsing."""

from __future__ import annotations

from dataclasses import dataclass

from runner.emulator.config import ARM_ALIAS, GRAPH_ALIAS
from runner.emulator.errors import EntraError

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
ARM_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})


@dataclass(frozen=True)
class Resource:
    """An API that accepts the emulator's tokens."""

    alias: str
    canonical: str
    identifiers: frozenset[str]
    app_id: str
    # Azure issues v1 tokens for ARM, Graph and other first-party resources whichever
    # endpoint (v1 or v2.0) the client used; only apps that opt in get v2 tokens.
    token_version: str = "1.0"


ARM = Resource(
    ARM_ALIAS,
    "https://management.azure.com/",
    frozenset({"https://management.azure.com", "https://management.core.windows.net"}),
    ARM_APP_ID,
)
GRAPH = Resource(
    GRAPH_ALIAS,
    "https://graph.microsoft.com",
    frozenset({"https://graph.microsoft.com", GRAPH_APP_ID}),
    GRAPH_APP_ID,
)
RESOURCES = (ARM, GRAPH)


@dataclass(frozen=True)
class Audience:
    """What a token request asked for: the API, the ``aud`` claim and the permissions."""

    resource: Resource
    aud: str
    scopes: tuple[str, ...]
    offline: bool = False


def find_resource(identifier: str) -> Resource | None:
    """Return the resource for an identifier in any accepted spelling, or None."""
    key = identifier.strip().rstrip("/").lower()
    return next((r for r in RESOURCES if key in r.identifiers), None)


def unknown_resource(identifier: str, tenant: str) -> EntraError:
    """Return AADSTS500011 for an audience that is not in the tenant."""
    return EntraError(
        500011,
        "invalid_resource",
        f"The resource principal named {identifier} was not found in the tenant named "
        f"{tenant}. This can happen if the application has not been installed by the "
        "administrator of the tenant or consented to by any user in the tenant.",
    )


def parse_resource(resource: str, tenant: str) -> Audience:
    """Return the Audience of a v1 ``resource`` parameter."""
    found = find_resource(resource)
    if found is None:
        raise unknown_resource(resource, tenant)
    return Audience(found, resource, (".default",), offline=True)


def parse_scope(scope: str, tenant: str) -> Audience:
    """Return the Audience of a v2 ``scope`` parameter (one resource per request)."""
    words = scope.split()
    if not words:
        raise EntraError(
            70011, "invalid_scope", "The provided request must include a 'scope' input parameter."
        )
    offline = "offline_access" in words
    pairs = [_split_scope(word) for word in words if word not in OIDC_SCOPES]
    identifiers = {identifier.rstrip("/").lower() for identifier, _ in pairs}
    if not pairs:
        return Audience(GRAPH, GRAPH_APP_ID, (), offline)
    if len(identifiers) > 1:
        raise EntraError(
            70011,
            "invalid_scope",
            f"The provided value for the input parameter 'scope' is not valid. The scope "
            f"{scope} contains more than one resource.",
        )
    identifier = pairs[0][0]
    found = find_resource(identifier)
    if found is None:
        raise unknown_resource(identifier, tenant)
    return Audience(found, identifier, tuple(name for _, name in pairs), offline)


def _split_scope(word: str) -> tuple[str, str]:
    # A bare permission such as "User.Read" means Microsoft Graph, as in Entra ID.
    if "/" not in word:
        return GRAPH_APP_ID, word
    identifier, _, name = word.rpartition("/")
    return identifier, name


def require_default_scope(scope: str, audience: Audience) -> None:
    """Raise AADSTS1002012 unless a client-credentials scope is ``<resource>/.default``."""
    if audience.scopes != (".default",):
        raise EntraError(
            1002012,
            "invalid_scope",
            f"The provided value for scope {scope} is not valid. Client credential flows must "
            "have a scope value with /.default suffixed to the resource identifier "
            "(application ID URI).",
        )
