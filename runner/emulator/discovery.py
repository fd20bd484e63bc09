"""OpenID Connect discovery as Entra ID serves it: the v1 and v2 documents, instance discovery.

Endpoints in the documents use the scheme and host the client addressed (so they lead back
to the emulator), while ``issuer`` is the real Microsoft issuer of each version, exactly the
``iss`` of the tokens that version signs: ``https://sts.windows.net/{tid}/`` (v1 documents,
and every access token for ARM and Graph) and ``https://login.microsoftonline.com/{tid}/v2.0``
(v2 documents and id tokens).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from runner.emulator.config import Tenant
from runner.emulator.errors import EntraError
from runner.emulator.messages import Request, Response
from runner.emulator.state import EmulatorState
from runner.emulator.token_endpoint import MULTI_TENANT
from runner.emulator.tokens import V1_ISSUER, V2_ISSUER
from runner.values import JSON

_CLAIMS = (
    "sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
    "name", "tid", "ver", "at_hash", "c_hash", "email",
)  # fmt: skip
# Host names the emulator answers for in instance discovery (besides the one addressed).
_KNOWN_INSTANCES = ("127.0.0.1", "localhost", "::1", "login.microsoftonline.com")


def unknown_tenant(name: str) -> EntraError:
    """Return AADSTS90002 as the discovery endpoints word it."""
    return EntraError(
        90002,
        "invalid_tenant",
        f"Tenant '{name}' not found. Check to make sure you have the correct tenant ID and are "
        "signing into the correct cloud. Check with your subscription administrator, this may "
        "happen if there are no active subscriptions for the tenant.",
    )


def _tenant(state: EmulatorState, name: str) -> tuple[str, Tenant | None]:
    """Return (path segment and issuer tenant, the tenant or None for common-style names)."""
    if name.lower() in MULTI_TENANT:
        return name, None
    tenant = state.config.find_tenant(name)
    if tenant is None:
        raise unknown_tenant(name)
    return tenant.id, tenant


def openid_configuration(state: EmulatorState, request: Request, name: str, v2: bool) -> Response:
    """Return the v1 or v2 OpenID configuration, or AADSTS90002 for an unknown tenant."""
    try:
        segment, tenant = _tenant(state, name)
    except EntraError as exc:
        return exc.response()
    # Like Entra ID: a domain name resolves to the tenant id; common-style names keep the
    # placeholder in the issuer.
    tid = tenant.id if tenant is not None else "{tenantid}"
    base = f"{request.base_url}/{segment}"
    oauth = f"{base}/oauth2/v2.0" if v2 else f"{base}/oauth2"
    body: dict[str, JSON] = {
        "token_endpoint": f"{oauth}/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{base}/discovery/v2.0/keys" if v2 else f"{base}/discovery/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": V2_ISSUER.format(tid=tid) if v2 else V1_ISSUER.format(tid=tid),
        "request_uri_parameter_supported": False,
        "authorization_endpoint": f"{oauth}/authorize",
        "device_authorization_endpoint": f"{oauth}/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{oauth}/logout",
        "claims_supported": list(_CLAIMS),
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    }
    if tenant is not None:
        body["tenant_region_scope"] = "EU"
    if not v2:
        body["check_session_iframe"] = f"{oauth}/checksession"
    return Response(200, body)


def signing_keys(state: EmulatorState, name: str) -> Response:
    """Return the JWK set (one key for every tenant), or AADSTS90002 for an unknown tenant."""
    try:
        _tenant(state, name)
    except EntraError as exc:
        return exc.response()
    return Response(200, state.issuer.jwks())


def instance_discovery(request: Request) -> Response:
    """Return ``/common/discovery/instance``: where the authority's OpenID document lives.

    The authority in ``authorization_endpoint`` may have lost its port (MSAL sends the host
    name only), so the document's address is built from the Host the client addressed.
    """
    endpoint = request.query.get("authorization_endpoint", "")
    if not endpoint:
        return EntraError(
            90014,
            "invalid_request",
            "The required field 'authorization_endpoint' is missing from the request.",
        ).response()
    parts = urlsplit(endpoint)
    addressed = urlsplit(request.base_url).hostname or ""
    segments = [s for s in parts.path.split("/") if s]
    if (
        parts.scheme != "https"
        or (parts.hostname or "").lower() not in {*_KNOWN_INSTANCES, addressed.lower()}
        or not segments
    ):
        return EntraError(50049, "invalid_instance", "Unknown or invalid instance.").response()
    host = urlsplit(request.base_url).netloc
    return Response(
        200,
        {
            "tenant_discovery_endpoint": (
                f"{request.base_url}/{segments[0]}/v2.0/.well-known/openid-configuration"
            ),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        },
    )
