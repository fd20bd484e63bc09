"""The emulator's configuration model.

The JSON file (bundled default: ``default_config.json``) has these top-level keys; every
key marked *optional* has a default:

``tenants`` — list of ``{"id": GUID, "domains": [...], "displayName"?, "apps": [...],
"users": [...]}``.

``apps[]`` — ``{"clientId", "displayName", "objectId"?, "servicePrincipalId"?,
"publicClient"? (no credential needed), "secrets"?: [{"keyId", "value", "displayName"?,
"startDateTime"?, "endDateTime"}], "certificates"?: [{"keyId", "displayName"?, "pem" |
"thumbprintSha256", "startDateTime"?, "endDateTime"?}], "federatedCredentials"?: [{"name",
"issuer", "subject", "audiences"? (default ["api://AzureADTokenExchange"])}], "graphRoles"?:
["User.Read.All", ...] (application permissions with admin consent), "delegatedScopes"?:
{"graph": ["User.Read", ...], "arm": ["user_impersonation"]}}``. A thumbprint-only
certificate can only be verified when the assertion carries the certificate in ``x5c``.

``users[]`` — ``{"username", "objectId"?, "password"? (no password: cannot sign in),
"displayName"?, "givenName"?, "surname"?, "jobTitle"?, "mfaRequired"?, "consentedScopes"?:
{"graph": [...]} (user consent, added to the app's), "deviceCode"?: "approve" | "decline" |
"expire" | "slow_down"}``.

Dates (``startDateTime``/``endDateTime``) are ISO 8601 (``2030-01-01T00:00:00Z``) or
relative to the emulator's start: ``"+5d"``, ``"-30d"``, ``"+12h"``, ``"+90m"``.

``subscriptions`` — ``[{"subscriptionId", "displayName", "tenantId", "resourceGroups":
[{"name", "location", "tags"?}]}]``.

``roleAssignments`` — ``[{"principal", "role", "scope"}]``: the principal is an app's client
id, a user's username, a managed identity's client id, or any object id; ``Reader``,
``Contributor`` and ``Owner`` allow reads at and below ``scope``.

``managedIdentity`` *optional* — ``{"identityHeader", "tenantId", "systemAssigned"?:
{"clientId", "objectId"?, "graphRoles"?}, "userAssigned"?: [same, plus "name"?]}``.

``deviceCode`` *optional* — ``{"approveAfterPolls": 1, "interval": 1, "expiresIn": 900,
"user": username, "clients": {clientId: "decline" | "expire" | "slow_down"}}``.

``throttle`` *optional* — ``[{"pathPrefix", "count", "retryAfter"?: 1}]``: the first
``count`` requests whose path starts with ``pathPrefix`` get 429.

``paging`` *optional* — ``{"arm": 2, "graph": 100}``: page sizes.

``operations`` *optional* — ``{"polls": 1, "retryAfter": 0}``: how many polls of a
long-running operation (resource group deletion) answer "still running", and the
``Retry-After`` seconds they carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GRAPH_ALIAS = "graph"
ARM_ALIAS = "arm"


@dataclass(frozen=True)
class Secret:
    """A client secret (password credential)."""

    key_id: str
    value: str
    display_name: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Certificate:
    """A registered certificate: its thumbprints and, when a PEM was given, its key."""

    key_id: str
    display_name: str
    sha256: bytes
    sha1: bytes | None
    public_key: Any
    start: datetime
    end: datetime


@dataclass(frozen=True)
class FederatedCredential:
    """A federated identity credential (workload identity federation)."""

    name: str
    issuer: str
    subject: str
    audiences: tuple[str, ...]


@dataclass(frozen=True)
class App:
    """An app registration with its service principal."""

    client_id: str
    object_id: str
    sp_object_id: str
    display_name: str
    public_client: bool
    secrets: tuple[Secret, ...]
    certificates: tuple[Certificate, ...]
    federated: tuple[FederatedCredential, ...]
    graph_roles: tuple[str, ...]
    delegated_scopes: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class User:
    """A directory user; also listed by Graph."""

    object_id: str
    username: str
    password: str | None
    display_name: str
    given_name: str | None
    surname: str | None
    job_title: str | None
    mfa_required: bool
    consented_scopes: dict[str, tuple[str, ...]]
    device_code: str


@dataclass(frozen=True)
class Tenant:
    """A directory: id, verified domains, apps and users."""

    id: str
    domains: tuple[str, ...]
    display_name: str
    apps: tuple[App, ...]
    users: tuple[User, ...]


@dataclass(frozen=True)
class ResourceGroup:
    """An ARM resource group."""

    name: str
    location: str
    tags: dict[str, str]


@dataclass(frozen=True)
class Subscription:
    """An ARM subscription in a tenant."""

    id: str
    display_name: str
    tenant_id: str
    resource_groups: tuple[ResourceGroup, ...]


@dataclass(frozen=True)
class RoleAssignment:
    """An ARM role assignment, principal resolved to an object id."""

    principal_object_id: str
    role: str
    scope: str


@dataclass(frozen=True)
class ManagedIdentity:
    """A system- or user-assigned managed identity."""

    client_id: str
    object_id: str
    name: str
    system_assigned: bool
    graph_roles: tuple[str, ...]


@dataclass(frozen=True)
class ManagedIdentityConfig:
    """Managed identity endpoints' settings."""

    identity_header: str
    tenant_id: str
    identities: tuple[ManagedIdentity, ...]


@dataclass(frozen=True)
class DeviceCodeConfig:
    """Device code flow behaviour."""

    approve_after_polls: int
    interval: int
    expires_in: int
    user: str | None
    clients: dict[str, str]


@dataclass(frozen=True)
class ThrottleRule:
    """Answer 429 to the first ``count`` requests under ``path_prefix``."""

    path_prefix: str
    count: int
    retry_after: int


@dataclass(frozen=True)
class EmulatorConfig:
    """The whole configuration, validated."""

    tenants: tuple[Tenant, ...]
    subscriptions: tuple[Subscription, ...]
    role_assignments: tuple[RoleAssignment, ...]
    managed: ManagedIdentityConfig | None
    device_code: DeviceCodeConfig
    throttle: tuple[ThrottleRule, ...] = ()
    arm_page_size: int = 2
    #: Long-running operations (resource group deletion): polls answered "still running"
    #: before the end, and the Retry-After (seconds) sent with each such answer.
    operation_polls: int = 1
    operation_retry_after: int = 0
    graph_page_size: int = 100
    started: datetime = field(default_factory=datetime.now)

    def find_tenant(self, name: str) -> Tenant | None:
        """Return the tenant with this id or verified domain, or None."""
        key = name.lower()
        for tenant in self.tenants:
            if tenant.id.lower() == key or key in (d.lower() for d in tenant.domains):
                return tenant
        return None

    def find_subscription(self, sub_id: str) -> Subscription | None:
        """Return the subscription with this id, or None."""
        return next((s for s in self.subscriptions if s.id.lower() == sub_id.lower()), None)


def find_app(tenant: Tenant, client_id: str) -> App | None:
    """Return the tenant's app with this client id, or None."""
    return next((a for a in tenant.apps if a.client_id.lower() == client_id.lower()), None)


def find_user(tenant: Tenant, name: str) -> User | None:
    """Return the tenant's user with this username or object id, or None."""
    key = name.lower()
    return next((u for u in tenant.users if key in (u.username.lower(), u.object_id.lower())), None)
