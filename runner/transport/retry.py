"""When to retry: 429 and 503 (honouring Retry-After) and dropped connections."""

from __future__ import annotations

import email.utils
import time

from runner.transport.http import HttpResponse

RETRY_STATUSES = frozenset({429, 503})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
MAX_WAIT_MS = 60_000.0


def retry_delay(response: HttpResponse, attempt: int, retries: int) -> float | None:
    """Returns how many ms to wait before retrying `response`, or None to keep it."""
    if attempt >= retries or response.status not in RETRY_STATUSES:
        return None
    return retry_after_ms(response.headers.get("Retry-After"), attempt)


def retry_after_ms(header: str | None, attempt: int) -> float:
    """Returns the wait from a Retry-After header (seconds or HTTP date), else backoff."""
    if header:
        header = header.strip()
        if header.isdigit():
            return min(float(header) * 1000, MAX_WAIT_MS)
        try:
            moment = email.utils.parsedate_to_datetime(header).timestamp()
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            return float(max(0.0, min((moment - time.time()) * 1000, MAX_WAIT_MS)))
    return min(100.0 * float(2**attempt), MAX_WAIT_MS)
