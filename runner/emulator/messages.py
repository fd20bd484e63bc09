"""Request and response values passed between the HTTP server and the handlers."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

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
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        """Return the body as UTF-8 JSON bytes."""
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
