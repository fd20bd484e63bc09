"""Auth the transport applies as it sends: HTTP Digest, and signers (OAuth 1.0, Hawk).

`runner.auth` builds these without knowing the HTTP library; this module is where they meet
`requests` (`as_requests_auth`), so `requests` stays inside the transport.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Protocol

from runner.records import record

if TYPE_CHECKING:
    import requests
    from requests.auth import AuthBase


@record(hashable=False)
class Outgoing:
    """The request as it goes on the wire: what a signer reads and may change."""

    method: str
    url: str
    headers: MutableMapping[str, str]  # case-insensitive
    body: bytes | str | None


class Signer(Protocol):
    """Auth that signs each request as sent (after its body is encoded)."""

    def sign(self, request: Outgoing) -> None:
        """Adds the signature to `request` (a header, or query parameters in its url)."""
        ...


@record
class Digest:
    """HTTP Digest credentials: the transport answers the server's challenge with them."""

    username: str
    password: str


RequestAuth = Digest | Signer


def as_requests_auth(auth: RequestAuth | None) -> AuthBase | None:
    """Returns the `requests` auth object that applies `auth` (None for None)."""
    if auth is None:
        return None
    if isinstance(auth, Digest):
        from requests.auth import HTTPDigestAuth

        return HTTPDigestAuth(auth.username, auth.password)
    return _signing_auth(auth)


def _signing_auth(signer: Signer) -> AuthBase:
    from requests.auth import AuthBase

    class SigningAuth(AuthBase):
        def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
            body = r.body if isinstance(r.body, bytes | str) else None
            outgoing = Outgoing(str(r.method), str(r.url), r.headers, body)
            signer.sign(outgoing)
            r.url = outgoing.url
            if outgoing.body is not body:  # a streamed body (files) is never replaced
                r.body = outgoing.body
            return r

    return SigningAuth()
