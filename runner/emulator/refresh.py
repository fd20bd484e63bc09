"""Refresh tokens issued with delegated tokens; each is single-use."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from runner.emulator.audiences import Audience
from runner.emulator.errors import EntraError


@dataclass(frozen=True)
class RefreshRecord:
    """What a refresh token stands for."""

    client_id: str
    tenant_id: str
    user_id: str
    audience: Audience


class RefreshStore:
    """Refresh tokens; each is single-use (rotated: a used one is gone → AADSTS70000)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, RefreshRecord] = {}

    def issue(self, record: RefreshRecord) -> str:
        """Return a new opaque refresh token for the record."""
        token = "0.emulator-rt." + secrets.token_urlsafe(48)
        with self._lock:
            self._records[token] = record
        return token

    def peek(self, token: str) -> RefreshRecord | None:
        """Return the record of a live refresh token without using it."""
        with self._lock:
            return self._records.get(token)

    def redeem(self, token: str, client_id: str) -> RefreshRecord:
        """Return and invalidate the record; raise AADSTS70000 when unknown or not the client's."""
        with self._lock:
            record = self._records.get(token)
            if record is not None and record.client_id.lower() == client_id.lower():
                del self._records[token]
                return record
        raise EntraError(
            70000,
            "invalid_grant",
            "The provided value for the 'refresh_token' is not valid: it was already used, "
            "revoked, or issued to another client.",
        )
