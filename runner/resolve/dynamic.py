"""Dynamic variables: `<<$guid>>`, `{{$timestamp}}` and Postman's `$random*` family."""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable
from datetime import UTC, datetime

from runner.values import JSON


def _uuid4() -> str:
    """Returns a random UUID (uuid is imported here: it imports `platform`, ~5 ms a start)."""
    import uuid

    return str(uuid.uuid4())


_FIRST = ("Ada", "Grace", "Alan", "Linus", "Barbara", "Ken", "Margaret", "Dennis")
_LAST = ("Lovelace", "Hopper", "Turing", "Torvalds", "Liskov", "Thompson", "Hamilton")
_WORDS = ("alpha", "bravo", "delta", "echo", "lima", "oscar", "sierra", "tango")
_ADJECTIVES = ("Robust", "Seamless", "Adaptive", "Scalable", "Secure", "Focused")


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _alnum(n: int) -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=n))


def _sentence() -> str:
    words = random.choices(_WORDS, k=random.randint(4, 9))
    return " ".join(words).capitalize() + "."


def _sentences(low: int = 2, high: int = 6) -> str:
    return " ".join(_sentence() for _ in range(random.randint(low, high)))


DYNAMIC: dict[str, Callable[[], JSON]] = {
    "$guid": _uuid4,
    "$randomUUID": _uuid4,
    # Numbers, so that a JSON body value of exactly "<<$timestamp>>" stays a number.
    "$timestamp": lambda: int(time.time()),
    "$isoTimestamp": _iso_now,
    "$randomInt": lambda: random.randint(0, 1000),
    "$randomAlphaNumeric": lambda: _alnum(1),
    "$randomBoolean": lambda: random.choice(("true", "false")),
    "$randomColor": lambda: random.choice(("red", "green", "blue", "teal", "olive")),
    "$randomHexColor": lambda: f"#{random.randint(0, 0xFFFFFF):06x}",
    "$randomFirstName": lambda: random.choice(_FIRST),
    "$randomLastName": lambda: random.choice(_LAST),
    "$randomFullName": lambda: f"{random.choice(_FIRST)} {random.choice(_LAST)}",
    "$randomUserName": lambda: f"{random.choice(_FIRST).lower()}.{_alnum(4).lower()}",
    "$randomEmail": lambda: f"{random.choice(_FIRST).lower()}{random.randint(1, 999)}@example.com",
    "$randomWord": lambda: random.choice(_WORDS),
    "$randomWords": lambda: " ".join(random.choices(_WORDS, k=3)),
    "$randomLoremWord": lambda: random.choice(_WORDS),
    "$randomLoremWords": lambda: " ".join(random.choices(_WORDS, k=3)),
    "$randomLoremSentence": _sentence,
    "$randomLoremSentences": _sentences,
    "$randomLoremParagraph": lambda: _sentences(3, 6),
    "$randomLoremParagraphs": lambda: "\n \r".join(_sentences(3, 6) for _ in range(3)),
    "$randomLoremText": lambda: _sentences(3, 6),
    "$randomLoremLines": lambda: "\n".join(_sentence() for _ in range(random.randint(1, 5))),
    "$randomLoremSlug": lambda: "-".join(random.choices(_WORDS, k=3)),
    "$randomCatchPhrase": lambda: f"{random.choice(_ADJECTIVES)} {random.choice(_WORDS)} solution",
    "$randomBs": lambda: f"{random.choice(_ADJECTIVES).lower()} {random.choice(_WORDS)} platforms",
    "$randomJobTitle": lambda: random.choice(("Engineer", "Analyst", "Designer", "Manager")),
    "$randomNoun": lambda: random.choice(("bandwidth", "array", "pixel", "matrix", "driver")),
    "$randomAdjective": lambda: random.choice(_ADJECTIVES).lower(),
    "$randomStreetAddress": lambda: f"{random.randint(1, 9999)} {random.choice(_LAST)} Street",
    "$randomCountryCode": lambda: random.choice(("PT", "NO", "EC", "JP", "FR")),
    "$randomCurrencyCode": lambda: random.choice(("EUR", "USD", "JPY", "NOK", "GBP")),
    "$randomUserAgent": lambda: "Mozilla/5.0 (X11; Linux x86_64) runner",
    "$randomDateRecent": lambda: datetime.fromtimestamp(
        time.time() - random.randint(0, 86400), UTC
    ).isoformat(),
    "$randomPhoneNumber": lambda: f"{random.randint(200, 999)}-555-{random.randint(1000, 9999)}",
    "$randomIP": lambda: ".".join(str(random.randint(1, 254)) for _ in range(4)),
    "$randomPassword": lambda: _alnum(15),
    "$randomPrice": lambda: f"{random.randint(1, 999)}.{random.randint(0, 99):02d}",
    "$randomCity": lambda: random.choice(("Lisbon", "Oslo", "Quito", "Perth", "Lyon")),
    "$randomCountry": lambda: random.choice(("Portugal", "Norway", "Ecuador", "Japan")),
    "$randomCompanyName": lambda: f"{random.choice(_LAST)} Ltd",
    "$randomUrl": lambda: f"https://{random.choice(_WORDS)}.example.com",
    "$randomDateFuture": lambda: datetime.fromtimestamp(
        time.time() + random.randint(86400, 86400 * 365), UTC
    ).isoformat(),
    "$randomDatePast": lambda: datetime.fromtimestamp(
        time.time() - random.randint(86400, 86400 * 365), UTC
    ).isoformat(),
}
"""Generators by name; each call gives a fresh value."""
