"""Request and response values passed between the server and the handlers; paging links."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import parse_qs, urlencode

from runner.values import JSON

T = TypeVar("T")
_PREFIX = "emulator-page:"
JSON_TYPE = "application/json; charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Request:
    """One HTTP request: path without query, decoded query, lower-cased headers, body."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    base_url: str

    def header(self, name: str) -> str | None:
        """Return a header value by case-insensitive name, or None."""
        return self.headers.get(name.lower())

    def is_form(self) -> bool:
        """Return True when the body is declared form-encoded."""
        content_type = self.header("content-type") or ""
        return content_type.split(";")[0].strip().lower() == FORM_TYPE

    def form(self) -> dict[str, str]:
        """Return the form fields (first value of each); undecodable bodies give {}."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    @property
    def url(self) -> str:
        """Return the URL the client addressed, without the query."""
        return self.base_url + self.path


@dataclass
class Response:
    """A JSON response."""

    status: int
    body: JSON
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        """Return the body as UTF-8 JSON bytes (empty for no body, as a 204 has)."""
        if self.body is None:
            return b""
        if isinstance(self.body, str):  # text/plain answers such as Graph's /$count
            return self.body.encode("utf-8")
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")


def new_id() -> str:
    """Return a random GUID string (trace, correlation and request ids)."""
    return str(uuid.uuid4())


def utc_now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Return ISO 8601 UTC with a Z, as Graph writes dates."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_query(raw: str) -> dict[str, str]:
    """Return the first value of every query parameter."""
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def encode_skip(offset: int) -> str:
    """Return the skip token that resumes at ``offset``."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_skip(token: str | None) -> int | None:
    """Return the offset of a skip token (0 when absent), or None when it is not ours."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, binascii.Error):
        return None
    number = text.removeprefix(_PREFIX)
    return int(number) if text.startswith(_PREFIX) and number.isdigit() else None


def page(items: Sequence[T], offset: int, size: int) -> tuple[list[T], int | None]:
    """Return one page and the offset of the next, or None on the last page."""
    chunk = list(items[offset : offset + size])
    following = offset + size
    return chunk, following if following < len(items) else None


def next_link(base_url: str, path: str, params: dict[str, str], offset: int) -> str:
    """Return an absolute next-page URL carrying ``params`` and a ``$skiptoken``."""
    query = {**params, "$skiptoken": encode_skip(offset)}
    return f"{base_url}{path}?{urlencode(query)}"
