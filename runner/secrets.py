"""Masking: secret values never reach the console, logs or report files."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias
from urllib.parse import quote, quote_plus

from runner.values import JSON

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
MIN_LENGTH = 3
"""Shorter values (and whitespace-only ones) are never masked: they are ordinary text."""
ELLIPSIS = "…"
# What requests/urllib3 leave unencoded when they re-quote a URL written by hand.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"
_PERCENT = re.compile(r"%[0-9A-F]{2}")


class Masker:
    """Replaces every known secret value with `***`; safe to share between threads."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._edges: dict[str, _Edges] = {}
        self._seen: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._kept: set[str] = set()
        self._kept_pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()
        self.add_all(values)

    def keep(self, texts: Iterable[str]) -> None:
        """Never masks inside `texts`: what the collection itself says (item, folder and
        collection names, contract section 6), so a password `admin` leaves `login as admin`
        alone. A text that is itself a secret value is not kept."""
        with self._lock:
            self._kept.update(t for t in texts if t.strip())
            self._pattern = self._kept_pattern = None

    def add(self, value: object) -> None:
        """Adds a secret value and every form it takes on the wire (ignored when too short).

        URL/form encodings, JSON and Python escaping and base64 are masked too, so a secret
        sent in a query string or echoed in a JSON body never shows in any of its forms.
        """
        if not isinstance(value, str):
            value = str(value) if value is not None else ""
        if len(value.strip()) < MIN_LENGTH or value in self._seen:
            return
        forms, edges = encoded_forms(value)
        forms = {f for f in forms if len(f.strip()) >= MIN_LENGTH}
        with self._lock:
            self._seen.add(value)
            self._values.update(forms, edges)
            # A new dict, not an update: mask() reads it without the lock.
            merged = dict(self._edges)
            for core, edge in edges.items():
                if core in forms:  # also a form of its own: masked wherever it shows
                    edge = _Edges(edge.lead, edge.trail, required=False)
                merged[core] = edge.merge(merged[core]) if core in merged else edge
            self._edges = merged
            self._pattern = self._kept_pattern = None

    def add_all(self, values: Iterable[object]) -> None:
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
        pattern, kept = self._pattern, self._kept_pattern
        if pattern is None:
            with self._lock:
                pattern = self._pattern = re.compile(_trie_pattern(self._values))
                kept = self._kept_pattern = self._compile_kept()
        if kept is None:
            return self._replace(pattern, text)
        # Mask only between the kept texts.
        out, last = [], 0
        for match in kept.finditer(text):
            out += [self._replace(pattern, text[last : match.start()]), match.group()]
            last = match.end()
        out.append(self._replace(pattern, text[last:]))
        return "".join(out)

    def _replace(self, pattern: re.Pattern[str], text: str) -> str:
        """Returns `text` with each match of `pattern` replaced by ***, a base64 core
        widened by the characters beside it that carry bits of the secret."""
        edges = self._edges
        if not edges:
            return pattern.sub(MASK, text)
        out: list[str] = []
        last = pos = 0
        # A search loop rather than sub(): a match may take the character before it.
        while match := pattern.search(text, pos):
            start, end = match.span()
            edge = edges.get(match.group())
            if edge is not None:
                if start > last and text[start - 1] in edge.lead:
                    start -= 1
                if end < len(text) and text[end] in edge.trail:
                    end += 1
                if edge.required and (
                    (edge.lead and start == match.start()) or (edge.trail and end == match.end())
                ):
                    pos = match.start() + 1  # a short core alone: likely unrelated base64
                    continue
            out += (text[last:start], MASK)
            last = pos = end
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def _compile_kept(self) -> re.Pattern[str] | None:
        """Returns a pattern of the kept texts that hold a secret (None: nothing to keep)."""
        secrets = self._pattern
        kept = [t for t in self._kept if t not in self._values and secrets and secrets.search(t)]
        return re.compile(_trie_pattern(kept)) if kept else None

    def shorten(self, text: str, limit: int) -> str:
        """Returns `text` masked, then cut to `limit` characters with `…` (no secret prefix)."""
        masked = self.mask(text)
        return masked if len(masked) <= limit else masked[: max(limit - 1, 0)] + ELLIPSIS

    def mask_value(self, value: JSON) -> JSON:
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


_Trie: TypeAlias = dict[str, "_Trie"]


def _trie_pattern(values: Iterable[str]) -> str:
    """Returns a regular expression matching any of `values`, the longest one first.

    The values share prefixes (a secret and its encodings), so they are factored into a
    trie: the regex engine then tries a few branches per position instead of every value.
    """
    trie: _Trie = {}
    for value in values:
        node = trie
        for char in value:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        branches = []
        for char, child in node.items():
            if not char:
                continue
            run = char
            while len(child) == 1 and "" not in child:  # a chain without branches: one literal
                (char, child), *_ = child.items()
                run += char
            branches.append(re.escape(run) + build(child))
        if "" in node:  # a value ends here: a longer one is tried first
            branches.append("")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return build(trie)


def encoded_forms(value: str) -> tuple[set[str], dict[str, _Edges]]:
    """Returns `value` and the forms it takes when encoded for the wire or a report, and
    the base64 cores that stand for it inside longer base64 text, with their edges.

    URL encoding (each of the safe sets requests and urllib use, upper- and lower-case hex),
    form encoding (`+` for spaces), JSON string escaping (once and twice: a JSON body echoed
    inside a JSON document), Python's repr escaping, and base64 (standard and URL-safe)
    both of the value alone and of the value inside a longer encoded text, as the password
    in a Basic `user:password` credential (see `_base64_cores`).
    """
    forms = {value}
    for safe in ("", "/", _URL_SAFE):
        forms.add(quote(value, safe=safe))
        forms.add(quote_plus(value, safe=safe))
    forms |= {_PERCENT.sub(lambda m: m[0].lower(), f) for f in forms}
    for text in list(forms):
        once = json.dumps(text)[1:-1]
        forms |= {once, json.dumps(once)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    forms.add(repr(value)[1:-1])
    raw = value.encode("utf-8")
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(raw).decode("ascii")
        forms |= {whole, whole.rstrip("=")}
    return forms, _base64_cores(raw)


_ALPHABETS = (
    (base64.b64encode, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
    (base64.urlsafe_b64encode, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
)
_SHORT_CORE = 6
"""A core of fewer characters (36 bits) is masked only beside its edge characters: alone it
could turn up in unrelated base64 text (an image in a response body)."""


@dataclass(frozen=True)
class _Edges:
    """The characters that may stand just before and just after a base64 core, carrying the
    secret's first and last bits with bits of the neighbouring data."""

    lead: str
    trail: str
    required: bool

    def merge(self, other: _Edges) -> _Edges:
        """Returns edges allowing the characters of both (two secrets with one core)."""
        return _Edges(
            "".join(sorted(set(self.lead + other.lead))),
            "".join(sorted(set(self.trail + other.trail))),
            self.required and other.required,
        )


def _base64_cores(raw: bytes) -> dict[str, _Edges]:
    """Returns the base64 text of `raw` inside longer data, with the edges beside it.

    Inside longer data the value starts at byte 0, 1 or 2 of a 3-byte group. A base64
    character holds 6 bits: the core is the characters holding bits of the value only; a
    character holding its first (last) bits and bits of the data before (after) it is an
    edge, one of the few characters that agree with the value on those bits. The masker
    masks the core and its edges, so no character showing carries a bit of the value.
    """
    cores: dict[str, _Edges] = {}
    for encode, alphabet in _ALPHABETS:
        for offset in range(3):
            text = encode(b"\0" * offset + raw).decode("ascii")
            first, stop = 8 * offset, 8 * (offset + len(raw))  # the value's bits
            core = text[-(-first // 6) : stop // 6]
            lead = trail = ""
            if first % 6:  # its low bits are the value's first ones
                lead = _agreeing(alphabet, text[first // 6], (1 << 6 - first % 6) - 1)
            if stop % 6:  # its high bits are the value's last ones
                trail = _agreeing(alphabet, text[stop // 6], (1 << 6) - (1 << 6 - stop % 6))
            if len(core) >= MIN_LENGTH:
                edges = _Edges(lead, trail, required=len(core) < _SHORT_CORE)
                cores[core] = edges.merge(cores[core]) if core in cores else edges
    return cores


def _agreeing(alphabet: str, char: str, bits: int) -> str:
    """Returns the characters of `alphabet` whose value has the `bits` of `char`'s value."""
    wanted = alphabet.index(char) & bits
    return "".join(c for i, c in enumerate(alphabet) if i & bits == wanted)


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
        if lowered in ("cookie", "set-cookie"):
            found.append(value)
            pairs = value.split(";")
            for pair in pairs[:1] if lowered == "set-cookie" else pairs:
                key, sep, cookie = pair.strip().partition("=")
                if sep and key.lower() not in _COOKIE_ATTRIBUTES:
                    found.append(cookie)
        else:
            scheme, _, credentials = value.strip().partition(" ")
            if credentials.strip():
                found += [value, credentials]
            elif scheme.lower() not in _AUTH_SCHEMES:  # a bare token, sent without a scheme
                found.append(value)
    return found


# A scheme alone (`Bearer` with an empty token) is not a secret: masking it would hide the
# word everywhere.
_AUTH_SCHEMES = frozenset({"bearer", "basic", "digest", "negotiate", "ntlm", "token", "hawk"})


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
