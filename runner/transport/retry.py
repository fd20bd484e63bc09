"""When to retry: 429 and 503 (honouring Retry-After, up to a cap) and dropped connections."""

from __future__ import annotations

import email.utils
import time

from runner.records import record
from runner.transport.http import HttpResponse

RETRY_STATUSES = frozenset({429, 503})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
MAX_WAIT_MS = 10_000
"""The longest wait before a retry (--retry-max-wait): a `Retry-After: 3600` waits this long."""


@record
class Wait:
    """How long to wait before a retry, and what the server asked for."""

    ms: float
    asked_ms: float | None = None  # Retry-After's wish; None when backing off without one

    @property
    def capped(self) -> bool:
        """Returns True when Retry-After asked for longer than the cap allows."""
        return self.asked_ms is not None and self.asked_ms > self.ms

    def describe(self) -> str:
        """Returns how long and why, e.g. `10 s, capped by --retry-max-wait: Retry-After…`."""
        if self.asked_ms is None:
            return f"{seconds(self.ms)} backoff"
        if self.capped:
            return (
                f"{seconds(self.ms)}, capped by --retry-max-wait: Retry-After asked for "
                f"{seconds(self.asked_ms)}"
            )
        return f"{seconds(self.ms)}, as Retry-After asked"


def seconds(ms: float) -> str:
    """Returns a duration in ms as text: `250 ms`, `1.5 s`, `3600 s`."""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:g} s"


def retry_delay(
    response: HttpResponse, attempt: int, retries: int, cap_ms: float = MAX_WAIT_MS
) -> Wait | None:
    """Returns the wait before retrying `response`, or None to keep it."""
    if attempt >= retries or response.status not in RETRY_STATUSES:
        return None
    return plan_wait(response.headers.get("Retry-After"), attempt, cap_ms)


def plan_wait(header: str | None, attempt: int, cap_ms: float = MAX_WAIT_MS) -> Wait:
    """Returns the wait from a Retry-After header (seconds or HTTP date), else backoff."""
    asked = _asked_ms(header)
    if asked is None:
        return Wait(min(100.0 * float(2**attempt), cap_ms))
    return Wait(min(asked, cap_ms), asked)


def retry_after_ms(header: str | None, attempt: int, cap_ms: float = MAX_WAIT_MS) -> float:
    """Returns how many ms to wait (Retry-After, capped at `cap_ms`, else backoff)."""
    return plan_wait(header, attempt, cap_ms).ms


def _asked_ms(header: str | None) -> float | None:
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header) * 1000
    try:
        moment = email.utils.parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - time.time()) * 1000)
