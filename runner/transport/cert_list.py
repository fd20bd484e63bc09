"""Newman's `--ssl-client-cert-list`: client certificates chosen by the request's URL.

The file is a JSON array of `{name, matches, cert: {src}, key: {src}, pfx: {src},
passphrase}`; a request to an https URL presents the first entry one of whose `matches`
patterns fits the URL (Postman's URL match patterns: `https://*.example.com:*/api/*`, or
`<all_urls>`). Entries are read and checked once, before anything is sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from runner.errors import InputError, Location
from runner.transport.client_cert import CertNames, client_certificate

ALL_URLS = "<all_urls>"
_PROTOCOLS = "http|https|file|ftp"
_PATTERN = re.compile(
    rf"^(?P<protocols>(?:{_PROTOCOLS}|\*)(?:\+(?:{_PROTOCOLS}))*)://"
    r"(?P<host>\*|\*\.[^*/:]+|[^*/:]+)(?P<port>:\*|:\d+)?(?P<path>/.*)$"
)
_DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21"}


@dataclass(frozen=True)
class UrlPattern:
    """One Postman URL match pattern, as postman-collection's UrlMatchPattern reads it."""

    protocols: frozenset[str]
    host: str
    port: str | None
    path: re.Pattern[str]

    def matches(self, parts: SplitResult) -> bool:
        """Returns whether the URL split into `parts` fits the pattern (scheme, host, port
        and path)."""
        scheme = parts.scheme.lower()
        if "*" not in self.protocols and scheme not in self.protocols:
            return False
        host = (parts.hostname or "").lower()
        if self.host != "*":
            if self.host.startswith("*."):
                suffix = self.host[2:]
                if host != suffix and not host.endswith("." + suffix):
                    return False
            elif host != self.host:
                return False
        port = str(parts.port) if parts.port is not None else None
        if port is not None or self.port is not None:
            wanted = self.port or _DEFAULT_PORTS.get(scheme)
            if wanted != "*" and wanted != (port or _DEFAULT_PORTS.get(scheme)):
                return False
        return self.path.search(parts.path or "/") is not None


def parse_pattern(text: str) -> UrlPattern | None:
    """Returns the pattern `text` means; None for `<all_urls>`.

    Raises:
        ValueError: `text` is not a URL match pattern.
    """
    if text == ALL_URLS:
        return None
    found = _PATTERN.match(text)
    if found is None:
        raise ValueError(text)
    port = found["port"]
    return UrlPattern(
        protocols=frozenset(found["protocols"].split("+")),
        host=found["host"].lower(),
        port=port[1:] if port else None,
        path=re.compile("^" + _glob(found["path"]) + "$"),
    )


def _glob(path: str) -> str:
    """Returns the regular expression of a pattern's path, as Postman builds it: `?` is any
    one character and the first `*` any run of characters; a later `*` repeats what comes
    before it (Postman replaces only the first `*`, and this keeps Newman's choices)."""
    escaped = re.sub(r"[.+^${}()|\[\]\\]", lambda m: "\\" + m.group(0), path)
    return escaped.replace("?", ".").replace("*", ".*", 1)


@dataclass(frozen=True)
class CertificateRule:
    """An entry of the list: its name, its patterns (None: every URL), and the (certificate
    PEM, key PEM) files it presents."""

    name: str
    patterns: tuple[UrlPattern | None, ...]
    pem: tuple[str, str]

    def applies_to(self, parts: SplitResult) -> bool:
        """Returns whether a request to the https URL split into `parts` presents this
        certificate."""
        return any(p is None or p.matches(parts) for p in self.patterns)


def certificate_for(rules: Sequence[CertificateRule], url: str) -> tuple[str, str] | None:
    """Returns the PEM files of the first rule that applies to `url`, else None (always for
    a URL that is not https, as in Postman)."""
    parts = urlsplit(url)  # once for every pattern of every rule
    if parts.scheme.lower() != "https":
        return None
    for rule in rules:
        if rule.applies_to(parts):
            return rule.pem
    return None


def load_certificate_list(
    path: str, working_dir: str | None = None
) -> tuple[tuple[CertificateRule, ...], list[str]]:
    """Returns the rules of the list file at `path` and their passphrases (secrets to mask).

    `src` paths are relative to `working_dir` (Newman's --working-dir), else the current
    folder.

    Raises:
        InputError: the file is missing or not a JSON array of entries, a pattern is not a
            URL match pattern, or a certificate cannot be read.
    """
    flag = "--ssl-client-cert-list"
    try:
        text = Path(path).read_text("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{flag} {path}: {exc.strerror or 'cannot read'}") from None
    try:
        entries = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{flag} {path}: not JSON ({exc})") from None
    if not isinstance(entries, list):
        raise InputError(
            f"{flag} {path}: expected a JSON array of certificates",
            hint='[{"name": "api", "matches": ["https://api.example.com/*"], '
            '"cert": {"src": "client.crt"}, "key": {"src": "client.key"}}]',
        )
    base = Path(working_dir) if working_dir else Path()
    rules: list[CertificateRule] = []
    passphrases: list[str] = []
    for index, entry in enumerate(entries):
        rule, passphrase = _rule(path, index, entry, base)
        rules.append(rule)
        if passphrase:
            passphrases.append(passphrase)
    return tuple(rules), passphrases


def _rule(path: str, index: int, entry: object, base: Path) -> tuple[CertificateRule, str | None]:
    """Returns the rule of entry `index` and its passphrase; raises InputError, located."""
    at = Location(path, f"/{index}")
    if not isinstance(entry, dict):
        raise InputError("a certificate entry must be an object", location=at)
    matches = entry.get("matches")
    if not isinstance(matches, list) or not matches or not all(isinstance(m, str) for m in matches):
        raise InputError(
            "`matches` must be a non-empty list of URL patterns",
            location=at.child("matches"),
            hint='e.g. "matches": ["https://api.example.com/*", "https://*.example.org:8443/*"]',
        )
    patterns: list[UrlPattern | None] = []
    for number, text in enumerate(matches):
        try:
            patterns.append(parse_pattern(text))
        except ValueError:
            raise InputError(
                f"{text!r} is not a URL match pattern",
                location=at.child("matches", number),
                hint="SCHEME://HOST[:PORT]/PATH, e.g. https://*.example.com/* "
                "(HOST * or *.domain, PORT a number or *), or <all_urls>",
            ) from None
    sources = {k: _source(entry, k, at) for k in ("pfx", "cert", "key")}
    passphrase = entry.get("passphrase")
    if passphrase is not None and not isinstance(passphrase, str):
        raise InputError("`passphrase` must be a string", location=at.child("passphrase"))
    main = sources["pfx"] or sources["cert"]
    if main is None:
        raise InputError(
            "the entry names no certificate",
            location=at,
            hint='give "cert": {"src": FILE} (and "key") or "pfx": {"src": FILE}',
        )
    key = sources["key"] if sources["pfx"] is None else None
    name = entry.get("name")
    try:
        pem = client_certificate(
            str(base / main),
            str(base / key) if key else None,
            passphrase,
            names=CertNames(
                "cert.src", "key.src", "passphrase", '"key": {"src": FILE}', '"passphrase"'
            ),
        )
    except InputError as exc:
        raise InputError(exc.message, location=at, hint=exc.hint) from None
    return CertificateRule(name if isinstance(name, str) else "", tuple(patterns), pem), passphrase


def _source(entry: dict[str, object], key: str, at: Location) -> str | None:
    """Returns entry[key].src (a file path), None when the entry has no `key`."""
    value = entry.get(key)
    if value is None:
        return None
    src = value.get("src") if isinstance(value, dict) else None
    if not isinstance(src, str) or not src:
        raise InputError(
            f'`{key}` must be {{"src": FILE}}',
            location=at.child(key),
            hint=f'"{key}": {{"src": "client.{key}"}}',
        )
    return src
