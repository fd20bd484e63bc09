"""Postman's digest, OAuth 1.0 and Hawk auth, as auth the transport applies when it sends.

The run loop calls `request_auth` for auth types it does not handle itself; the spec holds
Postman's own parameter names, still templated, and `render` resolves them. Digest is
credentials for the transport's challenge-response; OAuth 1.0 (oauthlib) and Hawk (mohawk) are
signers of the request as sent (runner.transport.signing): no HTTP library here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from runner.errors import RequestError
from runner.model import AuthSpec
from runner.transport.signing import Digest, Outgoing, RequestAuth
from runner.values import JSON

if TYPE_CHECKING:
    from oauthlib.oauth1 import Client

Render = Callable[[str], str]

KEYS_READ: dict[str, tuple[str, ...]] = {
    "digest": ("username", "password"),
    "oauth1": (
        *("consumerKey", "consumerSecret", "token", "tokenSecret", "signatureMethod"),
        *("addParamsToHeader", "realm", "callback", "verifier", "nonce", "timestamp"),
        "privateKey",
    ),
    "hawk": (
        *("authId", "authKey", "algorithm", "extraData", "app", "delegation"),
        *("includePayloadHash", "nonce", "timestamp"),
    ),
}
"""The keys the code below reads, for each type (as README names them)."""

_ALIASES = {"hawk": ("ext", "appId", "dlg")}  # read too: Hawk's own names for three of them

POSTMAN_UNUSED: dict[str, tuple[str, ...]] = {
    # The server's challenge decides these; Postman stores what it last saw.
    "digest": (
        *("realm", "nonce", "algorithm", "qop", "nonceCount", "clientNonce", "opaque"),
        "disableRetryRequest",
    ),
    "oauth1": (
        *("version", "addEmptyParamsToSign", "includeBodyHash"),
        "disableHeaderEncoding",
    ),
    "hawk": ("user",),
}
"""Keys a Postman export holds (and `runner import` copies) that runner leaves unused."""

_POSTMAN_APP = ("showPassword", "saveHelperData")  # the Postman app's own screen state


def unused_keys(spec: AuthSpec) -> list[tuple[str, str | None]]:
    """Returns (key, the read key it may misspell) for each key of a digest, oauth1 or hawk
    `spec` that is neither read nor one of Postman's: most likely a typo, whose value is
    never sent. [] for the other types, whose unknown keys the loader refuses."""
    from runner.suggest import did_you_mean

    read = KEYS_READ.get(spec.type)
    if read is None:
        return []
    known = {*read, *_ALIASES.get(spec.type, ()), *POSTMAN_UNUSED[spec.type], *_POSTMAN_APP}
    return [
        (key, did_you_mean(key, list(read)))
        for key in spec.params
        if key not in known and not key.startswith("$")
    ]


def request_auth(spec: AuthSpec, render: Render) -> RequestAuth:
    """Returns the transport auth for a digest, oauth1 or hawk AuthSpec.

    Raises:
        RequestError: the auth type is not one of them.
    """
    params = _Params(spec.params, render)
    if spec.type == "digest":
        return Digest(params.get("username"), params.get("password"))
    if spec.type == "oauth1":
        return _oauth1(params)
    if spec.type == "hawk":
        return HawkSigner(params)
    raise RequestError(
        f"auth type '{spec.type}' is not supported (supported: bearer, basic, apikey, oauth2, "
        "digest, oauth1, hawk)",
        location=spec.location,
    )


class _Params:
    """Rendered access to an auth block's templated parameters."""

    def __init__(self, raw: Mapping[str, JSON], render: Render) -> None:
        self.raw = raw
        self.render = render

    def get(self, name: str, default: str = "") -> str:
        """Returns the rendered text of `name` (`default` when absent or empty)."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        return self.render(value if isinstance(value, str) else str(value))

    def flag(self, name: str, default: bool) -> bool:
        """Returns a boolean parameter (Postman writes them as booleans or strings)."""
        value = self.raw.get(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value:
            return value.lower() == "true"
        return default


RSA_SIGNATURES = frozenset({"RSA-SHA1", "RSA-SHA256", "RSA-SHA512"})
"""The OAuth 1.0 signature methods that sign with the consumer's RSA private key
(`privateKey`) instead of the consumer and token secrets."""

_SIGNATURES = {"HMAC-SHA1", "HMAC-SHA256", "HMAC-SHA512", "PLAINTEXT", *RSA_SIGNATURES}


def _oauth1(p: _Params) -> OAuth1Signer:
    from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_QUERY, Client

    method = p.get("signatureMethod", "HMAC-SHA1").upper()
    if method not in _SIGNATURES:
        raise RequestError(f"OAuth 1.0 signature method '{method}' is not supported")
    private_key = None
    if method in RSA_SIGNATURES:
        # Checked here too: a key that comes from a data row or a script is known only now.
        private_key = p.get("privateKey")
        problem = private_key_problem(method, private_key)
        if problem is not None:
            raise RequestError(problem, hint=PRIVATE_KEY_HINT)
    where = (
        SIGNATURE_TYPE_AUTH_HEADER if p.flag("addParamsToHeader", True) else SIGNATURE_TYPE_QUERY
    )
    client = Client(
        p.get("consumerKey"),
        client_secret=p.get("consumerSecret"),
        resource_owner_key=p.get("token") or None,
        resource_owner_secret=p.get("tokenSecret") or None,
        signature_method=method,
        signature_type=where,
        realm=p.get("realm") or None,
        nonce=p.get("nonce") or None,
        timestamp=p.get("timestamp") or None,
        verifier=p.get("verifier") or None,
        callback_uri=p.get("callback") or None,
        rsa_key=private_key,
    )
    return OAuth1Signer(client)


PRIVATE_KEY_HINT = (
    "set privateKey to the consumer's RSA private key as PEM text (-----BEGIN PRIVATE KEY-----"
    " or -----BEGIN RSA PRIVATE KEY-----, unencrypted), e.g. from a variable kept out of the"
    " file; or sign with consumerSecret: signatureMethod HMAC-SHA1"
)


@functools.lru_cache(maxsize=16)  # each request signs with the same key: read it once
def private_key_problem(method: str, pem: str) -> str | None:
    """Returns why `pem` cannot sign with the RSA signature `method` (None: it can); the
    sentence never quotes the key."""
    if not pem.strip():
        return f"OAuth 1.0 signature method {method} signs with privateKey, which is empty"
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem.strip().encode("utf-8"), password=None)
    except TypeError:  # it needs a password, and oauthlib takes none
        return f"OAuth 1.0 privateKey cannot sign {method}: it is encrypted"
    except (ValueError, UnsupportedAlgorithm):
        return f"OAuth 1.0 privateKey cannot sign {method}: it is not a PEM private key"
    if not isinstance(key, RSAPrivateKey):
        return f"OAuth 1.0 privateKey cannot sign {method}: it is not an RSA key"
    return None


_FORM = "application/x-www-form-urlencoded"


class OAuth1Signer:
    """Signs each request with OAuth 1.0 (oauthlib), in the header or the query.

    A form body's fields are part of the signature (RFC 5849 3.4.1.3.1); another body is not.
    """

    def __init__(self, client: Client) -> None:
        self.client = client

    def sign(self, request: Outgoing) -> None:
        """Adds the OAuth 1.0 signature to `request`."""
        from oauthlib.common import extract_params

        content_type = request.headers.get("Content-Type", "")
        if not content_type and extract_params(request.body):
            content_type = _FORM
        if _FORM in content_type:
            request.headers["Content-Type"] = _FORM
            url, headers, body = self.client.sign(
                request.url, request.method, request.body or "", dict(request.headers)
            )
            request.body = body
        else:
            url, headers, _ = self.client.sign(
                request.url, request.method, None, dict(request.headers)
            )
        request.url = url
        request.headers.update(headers)


class HawkSigner:
    """Signs each request with a Hawk `Authorization` header (mohawk)."""

    def __init__(self, params: _Params) -> None:
        self.credentials = {
            "id": params.get("authId"),
            "key": params.get("authKey"),
            "algorithm": params.get("algorithm", "sha256").lower(),
        }
        self.ext = params.get("extraData") or params.get("ext") or None
        self.app = params.get("appId") or params.get("app") or None
        self.dlg = params.get("delegation") or params.get("dlg") or None
        self.nonce = params.get("nonce") or None
        self.timestamp = params.get("timestamp") or None
        self.hash_payload = params.flag("includePayloadHash", False)

    def sign(self, request: Outgoing) -> None:
        """Adds the Hawk `Authorization` header to `request`."""
        from mohawk import Sender
        from mohawk.base import EmptyValue

        content: Any = EmptyValue
        content_type: Any = EmptyValue
        if self.hash_payload:
            body = request.body or b""
            content = body.encode("utf-8") if isinstance(body, str) else body
            content_type = request.headers.get("Content-Type", "")
        sender = Sender(
            self.credentials,
            str(request.url),
            str(request.method),
            content=content,
            content_type=content_type,
            # Postman sends a payload hash only when includePayloadHash is set.
            always_hash_content=self.hash_payload,
            ext=self.ext,
            app=self.app,
            dlg=self.dlg,
            nonce=self.nonce,
            _timestamp=int(self.timestamp) if self.timestamp else None,
        )
        request.headers["Authorization"] = sender.request_header
