"""Azure clouds: login authorities, default ARM/Graph audiences, and scope ↔ resource.

The authority is `authorityHost`, else `AZURE_AUTHORITY_HOST`, else the `cloud`'s login host.
Plain `http://` is accepted only on loopback, so the local emulator works but a typo can
never send a client secret or assertion in clear text over a network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from runner.errors import AuthError, Location


@dataclass(frozen=True)
class Cloud:
    """One Azure cloud: where to sign in and its ARM and Graph audiences."""

    name: str
    authority: str
    arm: str
    graph: str


CLOUDS: dict[str, Cloud] = {
    "public": Cloud(
        "public",
        "https://login.microsoftonline.com",
        "https://management.azure.com/",
        "https://graph.microsoft.com/",
    ),
    "usgovernment": Cloud(
        "usgovernment",
        "https://login.microsoftonline.us",
        "https://management.usgovcloudapi.net/",
        "https://graph.microsoft.us/",
    ),
    "china": Cloud(
        "china",
        "https://login.chinacloudapi.cn",
        "https://management.chinacloudapi.cn/",
        "https://microsoftgraph.chinacloudapi.cn/",
    ),
}
# The names `az cloud list` and the SDKs use, so a value copied from there works too.
_ALIASES = {
    "azurecloud": "public",
    "azurepubliccloud": "public",
    "azureusgovernment": "usgovernment",
    "azureusgovernmentcloud": "usgovernment",
    "azurechinacloud": "china",
}
DEFAULT_SUFFIX = "/.default"


def cloud(name: str | None, location: Location | None = None) -> Cloud:
    """Returns the Cloud called `name` (case-insensitive; None means public).

    Raises:
        AuthError: the name is not a known cloud.
    """
    key = (name or "public").strip().lower()
    key = _ALIASES.get(key, key)
    if key not in CLOUDS:
        raise AuthError(
            f"unknown cloud '{name}'", location=location, hint="one of: " + ", ".join(CLOUDS)
        )
    return CLOUDS[key]


def arm_audience(name: str | None = None) -> str:
    """Returns the ARM resource URL of cloud `name`, e.g. https://management.azure.com/."""
    return cloud(name).arm


def graph_audience(name: str | None = None) -> str:
    """Returns the Microsoft Graph resource URL of cloud `name`."""
    return cloud(name).graph


def authority_host(
    explicit: str | None,
    environ: Mapping[str, str],
    cloud_name: str | None,
    location: Location | None = None,
) -> str:
    """Returns the authority base URL (no trailing slash) to sign in with.

    Raises:
        AuthError: the cloud is unknown, or the authority is http:// off loopback.
    """
    chosen = (
        explicit or environ.get("AZURE_AUTHORITY_HOST") or cloud(cloud_name, location).authority
    )
    chosen = chosen.strip().rstrip("/")
    if "://" not in chosen:
        chosen = "https://" + chosen  # the SDKs accept a bare host name
    require_https(chosen, "authorityHost", location)
    return chosen


def require_https(url: str, what: str, location: Location | None = None) -> None:
    """Returns when `url` is https, or http on a loopback host; raises AuthError otherwise."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return
    raise AuthError(
        f"{what} {url} must use https://",
        location=location,
        hint="plain http:// is accepted only on loopback (127.0.0.1, localhost, ::1), "
        "e.g. for the local emulator",
    )


def is_loopback(host: str) -> bool:
    """Returns True for localhost, 127.0.0.0/8 and ::1."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def to_resource(scope: str) -> str:
    """Returns the v1 resource for a v2 scope: `https://x/.default` → `https://x/`.

    Only the first scope counts (a resource is one audience); a scope without /.default keeps
    its origin, e.g. `https://graph.microsoft.com/User.Read` → `https://graph.microsoft.com/`.
    """
    first = scope.split()[0] if scope.split() else scope
    if first.endswith(DEFAULT_SUFFIX):
        return first[: -len(DEFAULT_SUFFIX)] + "/"
    parts = urlsplit(first)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/"
    return first


def to_scope(resource: str) -> str:
    """Returns the v2 scope for a v1 resource: `https://x/` → `https://x/.default`."""
    return resource.rstrip("/") + DEFAULT_SUFFIX
