"""The lexical layer of the splitter: code, strings, regular expressions and comments.

Only what decides where statements and arguments end is told apart; nothing is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_OPEN = "([{"
_CLOSE = ")]}"
# After these a `/` starts a regular expression literal, not a division.
_BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^")
_KEYWORD_BEFORE = re.compile(r"(?:^|[^\w$])(?:return|typeof|case|in|of|void|delete|throw)\s*$")


def segments(source: str) -> Iterator[tuple[str, int, int]]:
    """Yields (kind, start, end) spans: kind is code, string, regex or comment."""
    i = 0
    start = 0
    last = ""  # the last non-blank code character, to tell a regex from a division
    n = len(source)
    while i < n:
        ch = source[i]
        end = _literal_end(source, i, last)
        if end is None:
            if not ch.isspace():
                last = ch
            i += 1
            continue
        kind = _kind(source, i)
        if i > start:
            yield "code", start, i
        yield kind, i, end
        if kind != "comment":
            last = "a"  # a literal is an operand: a following `/` divides
        i = start = end
    if start < n:
        yield "code", start, n


def _kind(source: str, i: int) -> str:
    if source.startswith(("//", "/*"), i):
        return "comment"
    return "regex" if source[i] == "/" else "string"


def _literal_end(source: str, i: int, last: str) -> int | None:
    """Returns the end of the string, comment or regex starting at `i`, or None."""
    ch = source[i]
    if ch in "'\"`":
        return skip_string(source, i)
    if source.startswith("//", i):
        end = source.find("\n", i)
        return len(source) if end < 0 else end
    if source.startswith("/*", i):
        end = source.find("*/", i + 2)
        return len(source) if end < 0 else end + 2
    if ch == "/" and (not last or last in _BEFORE_REGEX or _keyword_before(source, i)):
        return _skip_regex(source, i)
    return None


def _keyword_before(source: str, i: int) -> bool:
    return _KEYWORD_BEFORE.search(source[max(0, i - 12) : i]) is not None


def skip_string(source: str, start: int) -> int:
    """Returns the index just after the string literal starting at `start`."""
    quote = source[start]
    i = start + 1
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == quote or (quote != "`" and source[i] == "\n"):
            return i + 1
        i += 1
    return i


def _skip_regex(source: str, start: int) -> int | None:
    """Returns the index after a regex literal and its flags (None: not a regex)."""
    i = start + 1
    in_class = False
    while i < len(source) and source[i] != "\n":
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            i += 1
            while i < len(source) and source[i].isalpha():
                i += 1
            return i
        i += 1
    return None


def scan(source: str) -> Iterator[tuple[int, str, int]]:
    """Yields (index, char, depth) for every code character (not in literals or comments)."""
    depth = 0
    for kind, start, end in segments(source):
        if kind != "code":
            continue
        for i in range(start, end):
            ch = source[i]
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(depth - 1, 0)
            yield i, ch, depth


def strip_comments(source: str) -> str:
    """Returns `source` without its comments (strings and regular expressions untouched)."""
    return "".join(source[s:e] for kind, s, e in segments(source) if kind != "comment")
