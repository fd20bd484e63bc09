"""Config sections that refer to others: subscriptions and role assignments."""

from __future__ import annotations

from runner.emulator.config import (
    ManagedIdentityConfig,
    ResourceGroup,
    RoleAssignment,
    Subscription,
    Tenant,
)
from runner.emulator.config_fields import Fields


def principal_index(
    tenants: tuple[Tenant, ...], managed: ManagedIdentityConfig | None
) -> dict[str, str]:
    """Return a map from every name of a principal (lower case) to its object id."""
    index: dict[str, str] = {}
    for tenant in tenants:
        for app in tenant.apps:
            for name in (app.client_id, app.sp_object_id):
                index[name.lower()] = app.sp_object_id
        for user in tenant.users:
            for name in (user.username, user.object_id):
                index[name.lower()] = user.object_id
    for identity in managed.identities if managed else ():
        for name in (identity.client_id, identity.object_id):
            index[name.lower()] = identity.object_id
    return index


def role_assignment(obj: Fields, index: dict[str, str]) -> RoleAssignment:
    """Return a role assignment whose principal is resolved to an object id."""
    principal = obj.text("principal")
    object_id = index.get(principal.lower())
    if object_id is None:
        raise ValueError(
            f"emulator config: '{obj.where('principal')}' names no app, user or identity"
        )
    scope = obj.text("scope")
    if not scope.startswith("/"):
        raise ValueError(f"emulator config: '{obj.where('scope')}' must start with '/'")
    return RoleAssignment(principal_object_id=object_id, role=obj.text("role"), scope=scope)


def subscription(obj: Fields, tenants: tuple[Tenant, ...]) -> Subscription:
    """Return a subscription with its resource groups; its tenant must be configured."""
    tenant_id = obj.text("tenantId")
    if tenant_id.lower() not in {t.id.lower() for t in tenants}:
        raise ValueError(f"emulator config: '{obj.where('tenantId')}' names no configured tenant")
    groups = []
    for group in obj.objects("resourceGroups"):
        tags = group.child("tags")
        groups.append(
            ResourceGroup(
                name=group.text("name"),
                location=group.text("location", "westeurope"),
                tags={} if tags is None else {k: tags.text(k) for k in tags.data},
            )
        )
    return Subscription(
        id=obj.text("subscriptionId"),
        display_name=obj.text("displayName", "Subscription"),
        tenant_id=tenant_id,
        resource_groups=tuple(groups),
    )
