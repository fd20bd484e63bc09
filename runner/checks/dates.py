"""Date-times for the `before`/`after` operators: ISO 8601, HTTP dates, `now`, `now+30d`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

_RELATIVE = re.compile(r"^now\s*(?:([+-])\s*(\d+)\s*([smhdw]))?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """Returns the aware datetime `text` names: ISO 8601, an HTTP date, or `now±N[smhdw]`.

    HTTP dates are RFC 7231's three forms (`Sun, 06 Nov 1994 08:49:37 GMT`, the RFC 850
    and the asctime form), as in `Date`, `Expires` and `Last-Modified` headers.

    Raises:
        ValueError: the text is none of these.
    """
    text = text.strip()
    match = _RELATIVE.match(text)
    if match:
        base = now or datetime.now(UTC)
        sign, amount, unit = match.groups()
        if not sign:
            return base
        delta = timedelta(**{_UNITS[unit]: int(amount)})
        return base + delta if sign == "+" else base - delta
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = _http_date(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _http_date(text: str) -> datetime:
    """Returns the RFC 7231 HTTP date `text` (asctime dates are UTC, hence naive here)."""
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"'{text}' is neither an ISO 8601 date-time nor an HTTP date") from None
