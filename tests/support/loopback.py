"""Only loopback: a guard that refuses, in this process, any connection elsewhere.

The corpus differential runs real-world collections whose URLs name real hosts; the
stand-ins answer for them, but a URL no rule or proxy covers (`http://google.com` in one
of Newman's suites) must fail at once, not be looked up or contacted. Inside
`loopback_only()` a name other than localhost or a loopback address fails to resolve,
as Node's preload in `newman_tools` does for Newman.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def is_loopback(host: object) -> bool:
    """Returns True for localhost and loopback addresses (IPv4 127/8, IPv6 ::1)."""
    text = host.decode() if isinstance(host, bytes) else str(host)
    if text.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(text.strip("[]")).is_loopback
    except ValueError:
        return False


@contextmanager
def loopback_only() -> Iterator[None]:
    """Makes `socket.getaddrinfo` refuse every host that is not loopback for the block."""
    original = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: tests contact loopback only")
        return original(host, *args, **kwargs)

    socket.getaddrinfo = guarded
    try:
        yield
    finally:
        socket.getaddrinfo = original
