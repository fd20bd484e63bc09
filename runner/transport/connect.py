"""`--connect-to`: send requests for HOST:PORT to another address, URL and Host unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import ConnectionPool

from runner.transport.deadline import POOL_CLASSES

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_header(url: str) -> str:
    """Returns the Host header for `url`: no user info, the port only when not the default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme):
        return host
    return f"{host}:{port}"


class ConnectToAdapter(HTTPAdapter):
    """An HTTPAdapter that opens connections to a mapped address, as curl's --connect-to."""

    def __init__(self, mapping: dict[tuple[str, int], tuple[str, int]], **kwargs: Any) -> None:
        self.mapping = mapping
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Creates the pool manager with connections a request deadline can cut."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """Returns the proxy's pool manager, with connections a request deadline can cut."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = POOL_CLASSES
        return manager

    def _target(self, url: str) -> tuple[str, tuple[str, int]] | None:
        """Returns (original host, (host2, port2)) when `url` is mapped, else None."""
        if not self.mapping:
            return None
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)
        target = self.mapping.get((host, port))
        return (host, target) if target else None

    def get_connection_with_tls_context(
        self,
        request: PreparedRequest,
        verify: bool | str | None,
        proxies: Mapping[str, str] | None = None,
        cert: tuple[str, str] | str | None = None,
    ) -> ConnectionPool:
        """Returns a pooled connection to the mapped address when the URL is mapped."""
        found = self._target(str(request.url))
        if found is None:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        host, (host2, port2) = found
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(
            request, True if verify is None else verify, cert
        )
        host_params = {**host_params, "host": host2, "port": port2}
        if host_params.get("scheme") == "https":
            # TLS still checks the certificate against the name in the URL.
            extra = {"server_hostname": host, "assert_hostname": host}
            pool_kwargs = {**pool_kwargs, **extra}  # type: ignore[typeddict-item]
        pool: ConnectionPool = self.poolmanager.connection_from_host(
            **host_params, pool_kwargs=pool_kwargs
        )
        return pool

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        """Sends `request`, keeping the Host header of the original URL when mapped."""
        url = str(request.url)
        if self._target(url) is not None and "Host" not in request.headers:
            request.headers["Host"] = host_header(url)
        return super().send(request, *args, **kwargs)
