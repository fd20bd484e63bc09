"""Masking: secret values never reach the console, logs or report files."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

MASK = "***"
_SENSITIVE_NAME = re.compile(r"secret|password|token|key", re.IGNORECASE)


@lru_cache(maxsize=4096)
def is_sensitive_name(name: str) -> bool:
    """Returns True when a variable's name says it holds a secret (cached: asked per request)."""
    return _SENSITIVE_NAME.search(name) is not None


SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-identity-header"}
)
SENSITIVE_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "client_secret",
        "client_assertion",
        "id_token",
        "password",
        "device_code",
        "assertion",
    }
)
_MIN_LENGTH = 3


class Masker:
    """Replaces every known secret value with `***`; safe to share between threads."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()
        self.add_all(values)

    def add(self, value: Any) -> None:
        """Adds a secret value (ignored when too short to mask meaningfully)."""
        if not isinstance(value, str):
            value = str(value) if value is not None else ""
        if len(value) < _MIN_LENGTH or value in self._values:
            return
        with self._lock:
            self._values.add(value)
            self._pattern = None

    def add_all(self, values: Iterable[Any]) -> None:
        """Adds several secret values."""
        for value in values:
            self.add(value)

    def add_environment(self) -> None:
        """Adds values of process environment variables whose names say they are secret."""
        for name, value in os.environ.items():
            if is_sensitive_name(name) and len(value) >= 6:
                self.add(value)

    def mask(self, text: str) -> str:
        """Returns `text` with every secret value replaced by ***."""
        if not self._values or not text:
            return text
        pattern = self._pattern
        if pattern is None:
            with self._lock:
                ordered = sorted(self._values, key=len, reverse=True)
                pattern = self._pattern = re.compile("|".join(map(re.escape, ordered)))
        return pattern.sub(MASK, text)

    def mask_value(self, value: Any) -> Any:
        """Returns a JSON-like value with secrets masked in every string and sensitive key."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            return [self.mask_value(v) for v in value]
        if isinstance(value, dict):
            return {
                k: MASK if _sensitive_field(k) and v not in (None, "") else self.mask_value(v)
                for k, v in value.items()
            }
        return value

    def mask_headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Returns headers with credential headers masked and secrets hidden in the rest."""
        return [(k, MASK if k.lower() in SENSITIVE_HEADERS else self.mask(v)) for k, v in headers]


_COOKIE_ATTRIBUTES = frozenset(
    {"path", "domain", "expires", "max-age", "samesite", "secure", "httponly", "partitioned"}
)


def header_credentials(headers: Iterable[tuple[str, str]]) -> list[str]:
    """Returns the secret values in credential headers, to mask wherever they show up.

    That is the whole value, the credentials after the scheme (`Basic …`, `Bearer …`) and
    each cookie's value, so an echoed header in a response body is masked too.
    """
    found: list[str] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered not in SENSITIVE_HEADERS:
            continue
        found.append(value)
        if lowered in ("cookie", "set-cookie"):
            pairs = value.split(";")
            for pair in pairs[:1] if lowered == "set-cookie" else pairs:
                key, sep, cookie = pair.strip().partition("=")
                if sep and key.lower() not in _COOKIE_ATTRIBUTES:
                    found.append(cookie)
        else:
            found.append(value.partition(" ")[2])
    return found


def body_credentials(text: str | None) -> list[str]:
    """Returns the values of credential fields (access_token, password…) in a JSON or form body.

    A token response fetched by an ordinary request, or a password posted in a form, is
    then masked wherever it shows up, like a secret variable. Values shorter than 8
    characters are left out: in an arbitrary body they are more likely ordinary words
    (`"assertion": "passed"`) than credentials, and masking them everywhere would garble
    the reports.
    """
    return [value for value in _body_fields(text) if len(value) >= 8]


def _body_fields(text: str | None) -> list[str]:
    if not text or not any(name in text for name in SENSITIVE_FIELDS):
        return []
    try:
        payload = json.loads(text)
    except ValueError:
        from urllib.parse import parse_qsl, quote_plus

        pairs = parse_qsl(text.strip()) if "\n" not in text.strip() else []
        values = [v for k, v in pairs if _sensitive_field(k)]
        return [*values, *(quote_plus(v) for v in values)]
    found: list[str] = []
    stack = [payload]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str) and _sensitive_field(key):
                    found.append(item)
                else:
                    stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _sensitive_field(name: str) -> bool:
    # Only well-known credential fields: a JSON key such as `keyId` is not a secret.
    return name.lower() in SENSITIVE_FIELDS


def mask_form(text: str, masker: Masker | None = None) -> str:
    """Returns a form-encoded body with credential fields masked (and known secrets, if given)."""
    parts = []
    for pair in text.split("&"):
        key, sep, _ = pair.partition("=")
        if sep and _sensitive_field(key):
            parts.append(f"{key}{sep}{MASK}")
        else:
            parts.append(masker.mask(pair) if masker is not None else pair)
    return "&".join(parts)
