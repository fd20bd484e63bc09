"""Counters of what the emulator served, readable from Python and as JSON."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from runner.values import JSON

TokenKey = tuple[str, str, str]


@dataclass(frozen=True)
class EmulatorStats:
    """A snapshot of the counters since start or the last reset.

    ``token_requests`` is keyed by ``(client_id, audience, grant_type)``; the audience is
    canonical (``https://management.azure.com/``, ``https://graph.microsoft.com``) when the
    emulator knows the resource, else the value sent. Managed identity requests use the
    grant type ``managed_identity``.
    """

    token_requests: dict[TokenKey, int]
    token_requests_total: int
    token_errors: dict[int, int]
    api_requests: int
    api_requests_by_service: dict[str, int]
    expired_token_requests: int
    device_code_polls: int
    throttled: int

    def tokens(
        self,
        client_id: str | None = None,
        audience: str | None = None,
        grant_type: str | None = None,
    ) -> int:
        """Return the number of token requests matching every filter given."""
        wanted = (client_id, audience, grant_type)
        return sum(
            count
            for key, count in self.token_requests.items()
            if all(w is None or w.lower() == k.lower() for w, k in zip(wanted, key, strict=True))
        )

    def to_json(self) -> dict[str, JSON]:
        """Return the JSON form served at ``/_emulator/stats``."""
        by_key = [
            {"clientId": c, "audience": a, "grantType": g, "count": n}
            for (c, a, g), n in sorted(self.token_requests.items())
        ]
        return {
            "tokenRequests": {"total": self.token_requests_total, "byKey": by_key},
            "tokenErrors": {str(code): n for code, n in sorted(self.token_errors.items())},
            "apiRequests": {"total": self.api_requests, **self.api_requests_by_service},
            "expiredTokenRequests": self.expired_token_requests,
            "deviceCodePolls": self.device_code_polls,
            "throttled": self.throttled,
        }


class StatsRecorder:
    """Thread-safe counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Set every counter to zero."""
        with self._lock:
            self._tokens: Counter[TokenKey] = Counter()
            self._errors: Counter[int] = Counter()
            self._api: Counter[str] = Counter()
            self._events: Counter[str] = Counter()

    def token_request(self, client_id: str, audience: str, grant_type: str) -> None:
        """Count one token request."""
        with self._lock:
            self._tokens[(client_id, audience, grant_type)] += 1

    def token_error(self, code: int) -> None:
        """Count one token error by AADSTS code."""
        with self._lock:
            self._errors[code] += 1

    def api_request(self, service: str) -> None:
        """Count one ARM or Graph request."""
        with self._lock:
            self._api[service] += 1

    def event(self, name: str) -> None:
        """Count ``expired``, ``device_code_poll`` or ``throttled``."""
        with self._lock:
            self._events[name] += 1

    def snapshot(self) -> EmulatorStats:
        """Return a copy of the counters."""
        with self._lock:
            return EmulatorStats(
                token_requests=dict(self._tokens),
                token_requests_total=sum(self._tokens.values()),
                token_errors=dict(self._errors),
                api_requests=sum(self._api.values()),
                api_requests_by_service={"arm": self._api["arm"], "graph": self._api["graph"]},
                expired_token_requests=self._events["expired"],
                device_code_polls=self._events["device_code_poll"],
                throttled=self._events["throttled"],
            )
