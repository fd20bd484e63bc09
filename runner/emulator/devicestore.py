"""Pending device-code sign-ins."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from runner.emulator.audiences import Audience


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
