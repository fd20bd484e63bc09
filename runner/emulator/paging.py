"""Opaque ``$skiptoken`` values and page slicing, shared by ARM and Graph."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

T = TypeVar("T")
_PREFIX = "emulator-page:"


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
