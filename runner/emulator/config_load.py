"""Reads and validates the emulator's JSON configuration (format: see ``config``)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from runner.emulator.config import (
    App,
    Certificate,
    DeviceCodeConfig,
    EmulatorConfig,
    FederatedCredential,
    ManagedIdentity,
    ManagedIdentityConfig,
    Secret,
    Tenant,
    ThrottleRule,
    User,
)
from runner.emulator.config_fields import Fields
from runner.emulator.config_parts import principal_index, role_assignment, subscription
from runner.values import JSON

DEVICE_CODE_ACTIONS = ("approve", "decline", "expire", "slow_down")
FEDERATION_AUDIENCE = "api://AzureADTokenExchange"


def default_config_dict() -> dict[str, JSON]:
    """Return the bundled default configuration as a fresh dict (safe to modify)."""
    text = resources.files("runner.emulator").joinpath("default_config.json").read_text("utf-8")
    data: dict[str, JSON] = json.loads(text)
    return data


def load_config(source: dict[str, JSON] | str | Path | EmulatorConfig | None) -> EmulatorConfig:
    """Return the validated config from a dict, a JSON file path, or the bundled default."""
    if isinstance(source, EmulatorConfig):
        return source
    if source is None:
        data: JSON = default_config_dict()
    elif isinstance(source, dict):
        data = source
    else:
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"emulator config: cannot read {source}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"emulator config: {source} is not valid JSON: {exc}") from None
    return build_config(Fields(data, ""), datetime.now(UTC).replace(microsecond=0))


def build_config(top: Fields, started: datetime) -> EmulatorConfig:
    """Return the EmulatorConfig for a parsed JSON object."""
    tenants = tuple(_tenant(t, started) for t in top.objects("tenants", required=True))
    if not tenants:
        raise ValueError("emulator config: 'tenants' must list at least one tenant")
    managed = _managed(top.child("managedIdentity"), tenants[0].id)
    index = principal_index(tenants, managed)
    paging = top.child("paging") or Fields({}, "paging")
    operations = top.child("operations") or Fields({}, "operations")
    config = EmulatorConfig(
        tenants=tenants,
        subscriptions=tuple(subscription(s, tenants) for s in top.objects("subscriptions")),
        role_assignments=tuple(role_assignment(r, index) for r in top.objects("roleAssignments")),
        managed=managed,
        device_code=_device_code(top.child("deviceCode") or Fields({}, "deviceCode")),
        throttle=tuple(_throttle(t) for t in top.objects("throttle")),
        arm_page_size=paging.number("arm", 2, minimum=1),
        graph_page_size=paging.number("graph", 100, minimum=1),
        operation_polls=operations.number("polls", 1, minimum=0),
        operation_retry_after=operations.number("retryAfter", 0, minimum=0),
        started=started,
    )
    top.reject_unknown()
    return config


def _tenant(obj: Fields, started: datetime) -> Tenant:
    tenant_id = obj.text("id")
    return Tenant(
        id=tenant_id,
        domains=obj.strings("domains"),
        display_name=obj.text("displayName", "Contoso"),
        apps=tuple(_app(a, started) for a in obj.objects("apps")),
        users=tuple(_user(u) for u in obj.objects("users")),
    )


def _app(obj: Fields, started: datetime) -> App:
    client_id = obj.text("clientId")
    return App(
        client_id=client_id,
        object_id=obj.object_id("objectId", client_id + ":application"),
        sp_object_id=obj.object_id("servicePrincipalId", client_id + ":servicePrincipal"),
        display_name=obj.text("displayName", client_id),
        public_client=obj.flag("publicClient"),
        secrets=tuple(_secret(s, started) for s in obj.objects("secrets")),
        certificates=tuple(_certificate(c, started) for c in obj.objects("certificates")),
        federated=tuple(_federated(f) for f in obj.objects("federatedCredentials")),
        graph_roles=obj.strings("graphRoles"),
        delegated_scopes=obj.string_map("delegatedScopes"),
    )


def _secret(obj: Fields, started: datetime) -> Secret:
    start = obj.date("startDateTime", started, started - timedelta(days=30))
    return Secret(
        key_id=obj.text("keyId"),
        value=obj.text("value"),
        display_name=obj.text("displayName", ""),
        start=start,
        end=obj.date("endDateTime", started, start + timedelta(days=730)),
    )


def _certificate(obj: Fields, started: datetime) -> Certificate:
    pem = obj.optional_text("pem")
    start = obj.date("startDateTime", started, started - timedelta(days=30))
    sha1: bytes | None = None
    key: Any = None
    if pem is not None:
        try:
            cert = x509.load_pem_x509_certificate(pem.encode())
        except ValueError:
            raise ValueError(
                f"emulator config: '{obj.where('pem')}' is not a PEM certificate"
            ) from None
        sha256, sha1 = cert.fingerprint(hashes.SHA256()), cert.fingerprint(hashes.SHA1())
        key = cert.public_key()
        default_end = cert.not_valid_after_utc
    else:
        sha256 = _thumbprint(obj)
        default_end = start + timedelta(days=365)
    return Certificate(
        key_id=obj.text("keyId"),
        display_name=obj.text("displayName", ""),
        sha256=sha256,
        sha1=sha1,
        public_key=key,
        start=start,
        end=obj.date("endDateTime", started, default_end),
    )


def _thumbprint(obj: Fields) -> bytes:
    raw = obj.optional_text("thumbprintSha256")
    if raw is None:
        raise ValueError(f"emulator config: {obj.path} needs 'pem' or 'thumbprintSha256'")
    try:
        if len(raw) == 64:
            return bytes.fromhex(raw)
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (ValueError, binascii.Error):
        raise ValueError(
            f"emulator config: '{obj.where('thumbprintSha256')}' is not hex/base64"
        ) from None


def _federated(obj: Fields) -> FederatedCredential:
    return FederatedCredential(
        name=obj.text("name", "federated"),
        issuer=obj.text("issuer"),
        subject=obj.text("subject"),
        audiences=obj.strings("audiences", (FEDERATION_AUDIENCE,)),
    )


def _user(obj: Fields) -> User:
    username = obj.text("username")
    action = obj.text("deviceCode", "approve")
    if action not in DEVICE_CODE_ACTIONS:
        raise ValueError(
            f"emulator config: '{obj.where('deviceCode')}' must be one of "
            f"{', '.join(DEVICE_CODE_ACTIONS)}"
        )
    return User(
        object_id=obj.object_id("objectId", username.lower()),
        username=username,
        password=obj.optional_text("password"),
        display_name=obj.text("displayName", username.split("@")[0]),
        given_name=obj.optional_text("givenName"),
        surname=obj.optional_text("surname"),
        job_title=obj.optional_text("jobTitle"),
        mfa_required=obj.flag("mfaRequired"),
        consented_scopes=obj.string_map("consentedScopes"),
        device_code=action,
    )


def _managed(obj: Fields | None, default_tenant: str) -> ManagedIdentityConfig | None:
    if obj is None:
        return None
    identities: list[ManagedIdentity] = []
    system = obj.child("systemAssigned")
    if system is not None:
        identities.append(_identity(system, True))
    identities.extend(_identity(u, False) for u in obj.objects("userAssigned"))
    return ManagedIdentityConfig(
        identity_header=obj.text("identityHeader"),
        tenant_id=obj.text("tenantId", default_tenant),
        identities=tuple(identities),
    )


def _identity(obj: Fields, system: bool) -> ManagedIdentity:
    client_id = obj.text("clientId")
    return ManagedIdentity(
        client_id=client_id,
        object_id=obj.object_id("objectId", client_id + ":managedIdentity"),
        name=obj.text("name", "system-assigned" if system else client_id),
        system_assigned=system,
        graph_roles=obj.strings("graphRoles"),
    )


def _device_code(obj: Fields) -> DeviceCodeConfig:
    clients = obj.child("clients")
    actions = {} if clients is None else {k: clients.text(k) for k in clients.data}
    for key, action in actions.items():
        if action not in DEVICE_CODE_ACTIONS:
            raise ValueError(f"emulator config: 'deviceCode.clients.{key}' is not an action")
    return DeviceCodeConfig(
        approve_after_polls=obj.number("approveAfterPolls", 1),
        interval=obj.number("interval", 1, minimum=1),
        expires_in=obj.number("expiresIn", 900, minimum=1),
        user=obj.optional_text("user"),
        clients={k.lower(): v for k, v in actions.items()},
    )


def _throttle(obj: Fields) -> ThrottleRule:
    return ThrottleRule(
        path_prefix=obj.text("pathPrefix"),
        count=obj.number("count", 1),
        retry_after=obj.number("retryAfter", 1),
    )
