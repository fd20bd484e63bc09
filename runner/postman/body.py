"""Postman request `header` and `body` → model Pairs and Body."""

from __future__ import annotations

import json

from runner.model import Body, FilePart, Pairs
from runner.postman.fields import entries, is_enabled, key_of, text
from runner.values import JSON

_LANGUAGES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "javascript": "application/javascript",
    "text": "text/plain",
}


def headers(value: JSON) -> Pairs:
    """Returns enabled headers from a list, or from a `"K: V\\nK2: V2"` string."""
    if isinstance(value, str):
        return _header_lines(value)
    return tuple((key_of(h), text(h.get("value"))) for _, h in entries(value) if key_of(h))


def _header_lines(value: str) -> Pairs:
    pairs: list[tuple[str, str]] = []
    for line in value.splitlines():
        name, sep, rest = line.partition(":")
        # Postman's string form lets a line be commented out with `//`.
        if sep and name.strip() and not name.strip().startswith("//"):
            pairs.append((name.strip(), rest.strip()))
    return tuple(pairs)


def has_header(pairs: Pairs, name: str) -> bool:
    """Returns True when `pairs` holds header `name` (case-insensitive)."""
    return any(k.lower() == name.lower() for k, _ in pairs)


def body(value: JSON, header_pairs: Pairs) -> Body | None:
    """Returns the request body, or None when it is absent, disabled or empty."""
    if not isinstance(value, dict) or value.get("disabled") is True:
        return None
    mode = value.get("mode")
    if mode == "raw":
        return _raw(value, header_pairs)
    if mode == "urlencoded":
        pairs = tuple((key_of(e), text(e.get("value"))) for _, e in entries(value.get(mode)))
        return Body("form", pairs) if pairs else None
    if mode == "formdata":
        return _formdata(value.get("formdata"))
    if mode == "file":
        src = value.get("file", {}).get("src") if isinstance(value.get("file"), dict) else None
        return Body("file", src) if isinstance(src, str) and src else None
    if mode == "graphql":
        return _graphql(value.get("graphql"), header_pairs)
    return None


def _raw(value: dict[str, JSON], header_pairs: Pairs) -> Body | None:
    raw = value.get("raw")
    if raw is None or raw == "":
        return None
    content_type = None
    if not has_header(header_pairs, "Content-Type"):
        # postman-runtime adds a Content-Type only when options.raw.language names one;
        # a raw body without a language goes out with no Content-Type at all.
        content_type = _LANGUAGES.get(_language(value.get("options")) or "")
    return Body("raw", text(raw), content_type)


def _language(options: JSON) -> str | None:
    if isinstance(options, dict) and isinstance(options.get("raw"), dict):
        language = options["raw"].get("language")
        return language if isinstance(language, str) else None
    return None


def _formdata(value: JSON) -> Body | None:
    parts: list[tuple[str, str | FilePart]] = []
    for _, entry in entries(value):
        name = key_of(entry)
        if entry.get("type") == "file":
            parts.extend((name, part) for part in _file_parts(entry))
        else:
            parts.append((name, text(entry.get("value"))))
    return Body("multipart", tuple(parts)) if parts else None


def _file_parts(entry: dict[str, JSON]) -> list[FilePart]:
    src = entry.get("src")
    content_type = entry.get("contentType") if isinstance(entry.get("contentType"), str) else None
    sources = src if isinstance(src, list) else [src]
    # A file field without a source is skipped, as Newman does (with a warning there).
    return [FilePart(s, content_type) for s in sources if isinstance(s, str) and s]


def _graphql(value: JSON, header_pairs: Pairs) -> Body | None:
    if not isinstance(value, dict):
        return None
    query = text(value.get("query"))
    variables = text(value.get("variables")).strip() or "{}"
    # The variables text is inserted as written so `{{var}}` inside it renders at run time.
    payload = '{"query":' + json.dumps(query, ensure_ascii=False) + ',"variables":' + variables
    content_type = None if has_header(header_pairs, "Content-Type") else "application/json"
    return Body("raw", payload + "}", content_type)


__all__ = ["body", "has_header", "headers", "is_enabled"]
