"""Tokens, token sources and the shared token cache.

A token source knows how to get one token (oauth2 grant, Azure credential); the cache
decides when to ask: once per key, again shortly before expiry, again after a 401.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import field
from typing import Protocol

from runner.errors import AuthError
from runner.records import record
from runner.results import ItemResult, TokenResult
from runner.transport.http import Transport
from runner.values import JSON


@record(hashable=False)
class Token:
    """An access token, when it expires (epoch seconds), and what came with it."""

    value: str
    expires_at: float
    issued_at: float = field(default_factory=time.time)
    refresh_token: str | None = None
    response: dict[str, JSON] = field(default_factory=dict)

    def expiring(self, now: float | None = None) -> bool:
        """Returns True when the token is expired or close enough to expiry to renew."""
        now = time.time() if now is None else now
        return now >= self.expires_at - refresh_skew(self.expires_at - self.issued_at)


def refresh_skew(lifetime: float) -> float:
    """Returns how many seconds before expiry to renew a token of `lifetime` seconds.

    Five minutes for ordinary tokens, a fifth of the lifetime for short-lived ones, so a
    token that lives 3 s is renewed at 2.4 s rather than never used.
    """
    return max(0.2, min(300.0, lifetime * 0.2))


class TokenSource(Protocol):
    """Gets tokens for one identity and audience."""

    @property
    def key(self) -> tuple[str, ...]:
        """Returns what identifies the token in the cache."""
        ...

    @property
    def label(self) -> str:
        """Returns the report name, `token: <client> → <audience>`."""
        ...

    def fetch(self, transport: Transport, previous: Token | None, result: ItemResult) -> Token:
        """Returns a new token, recording the exchange on `result`; raises AuthError."""
        ...


@record(hashable=False)
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    token: Token | None = None
    error: AuthError | None = None
    failures: int = 0
    rejected: bool = False


Emit = Callable[[ItemResult], None]


class TokenCache:
    """Tokens shared by every request and iteration of a run, keyed by source."""

    def __init__(self, transport: Transport | None = None, *, retries: int = 0) -> None:
        # None: a cache made to outlive runs; each run sets its own transport.
        self.transport = transport
        self.retries = retries
        #: True when the cache's own transport serves runs at once (`--jobs`): a run's
        #: transport, closed when that run ends, must not replace it.
        self.keep_transport = False
        self._entries: dict[tuple[str, ...], _Entry] = {}
        self._guard = threading.Lock()

    def _entry(self, key: tuple[str, ...]) -> _Entry:
        with self._guard:
            return self._entries.setdefault(key, _Entry())

    def get(self, source: TokenSource, emit: Emit, iteration: int) -> Token:
        """Returns a valid token for `source`, acquiring it when needed.

        Raises:
            AuthError: the acquisition failed now or earlier (the same error is re-raised
                without asking again, unless --retry allows another try).
        """
        entry = self._entry(source.key)
        with entry.lock:
            if entry.token is not None and not entry.rejected and not entry.token.expiring():
                return entry.token
            if entry.error is not None and entry.failures > self.retries:
                raise entry.error
            return self._acquire(source, entry, emit, iteration)

    def invalidate(self, source: TokenSource, token: Token) -> None:
        """Marks `token` as rejected (after a 401) so the next get() asks for a new one.

        The token stays as the previous one: its refresh token is still the newest.
        """
        entry = self._entry(source.key)
        with entry.lock:
            if entry.token is token:
                entry.rejected = True

    def _acquire(self, source: TokenSource, entry: _Entry, emit: Emit, iteration: int) -> Token:
        result = TokenResult(name=source.label, path=("auth",), iteration=iteration, method="POST")
        result.started_at = time.time()
        started = time.perf_counter()
        try:
            assert self.transport is not None, "a run sets the transport of a shared cache"
            token = source.fetch(self.transport, entry.token, result)
        except AuthError as exc:
            entry.error = exc
            entry.failures += 1
            result.error = exc.message
            result.hint = exc.hint
            raise
        finally:
            # Wall time: retries, waits and a timed-out request count, as for any request.
            result.elapsed_ms = (time.perf_counter() - started) * 1000
            emit(result)
        previous = entry.token
        if token.refresh_token is None and previous is not None:
            # Not rotated this time: the refresh token we had is still the one to use.
            token.refresh_token = previous.refresh_token
        entry.token, entry.error, entry.failures, entry.rejected = token, None, 0, False
        return token
