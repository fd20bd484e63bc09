"""Date-times for the `before`/`after` operators: ISO 8601, `now`, `now+30d`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"^now\s*(?:([+-])\s*(\d+)\s*([smhdw]))?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """Returns the aware datetime `text` names: ISO 8601, `now`, or `now±N[smhdw]`.

    Raises:
        ValueError: the text is neither.
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
        raise ValueError(f"'{text}' is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
