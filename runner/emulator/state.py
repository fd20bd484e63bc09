"""Everything a running emulator holds: config, signing key, counters and the stores of
refresh tokens and device codes."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from runner.emulator.audiences import Audience
from runner.emulator.config import EmulatorConfig
from runner.emulator.errors import EntraError
from runner.emulator.groups import GroupStore
from runner.emulator.stats import StatsRecorder
from runner.emulator.throttle import Throttle
from runner.emulator.tokens import TokenIssuer


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


@dataclass(frozen=True)
class DeviceRecord:
    """One device code handed out and not yet redeemed."""

    device_code: str
    user_code: str
    client_id: str
    tenant_id: str
    user_id: str
    audience: Audience
    action: str
    expires_at: float
    openid: bool = False  # the device code request's scope had openid


class DeviceStore:
    """Device codes and how often each was polled."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, DeviceRecord] = {}
        self._polls: dict[str, int] = {}

    def add(self, record: DeviceRecord) -> None:
        """Remember a new device code."""
        with self._lock:
            self._records[record.device_code] = record
            self._polls[record.device_code] = 0

    def get(self, device_code: str) -> DeviceRecord | None:
        """Return the record of a live device code, or None."""
        with self._lock:
            return self._records.get(device_code)

    def poll(self, device_code: str) -> int:
        """Return how many times this code was polled, this poll included."""
        with self._lock:
            self._polls[device_code] = self._polls.get(device_code, 0) + 1
            return self._polls[device_code]

    def remove(self, device_code: str) -> None:
        """Forget a code that was redeemed, declined or expired."""
        with self._lock:
            self._records.pop(device_code, None)
            self._polls.pop(device_code, None)


class EmulatorState:
    """Shared by all request threads; every mutable part locks itself."""

    def __init__(self, config: EmulatorConfig, token_lifetime: int | None) -> None:
        self.config = config
        self.issuer = TokenIssuer(token_lifetime)
        self.stats = StatsRecorder()
        self.throttle = Throttle(config.throttle)
        self.refresh = RefreshStore()
        self.devices = DeviceStore()
        self.groups = GroupStore(config.subscriptions, config.operation_polls)

    def reset(self) -> None:
        """Zero the counters and the throttle counts."""
        self.stats.reset()
        self.throttle.reset()
