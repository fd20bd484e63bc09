"""A small JavaScript splitter: top-level statements and comma/operator separated parts.

It only tracks what decides where a statement ends — strings, template literals, comments
and bracket depth — and never evaluates anything. A wrong split is harmless: whatever is
not recognised whole stays in the script verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = set(_OPEN.values())
_CONTINUES = tuple(",+-*/=&|?:(.!<>%^~")
_CONTINUED_BY = re.compile(
    r"\s*(\.|\?|:|\+|\*|/[^/*]|&&|\|\||,|\)|\]|=[^=]|else\b|catch\b|finally\b)"
)


@dataclass(frozen=True)
class Piece:
    """A top-level statement (or comment) and the 1-based line where it starts."""

    text: str
    line: int

    @property
    def code(self) -> str:
        """Returns the statement without comments."""
        return strip_comments(self.text).strip()

    @property
    def code_line(self) -> int:
        """Returns the line where the code starts (after leading comment lines)."""
        for offset, line in enumerate(self.text.splitlines()):
            if strip_comments(line).strip():
                return self.line + offset
        return self.line

    @property
    def is_comment(self) -> bool:
        """Returns True when the piece holds only comments."""
        return not strip_comments(self.text).strip()


def scan(source: str) -> Iterator[tuple[int, str, int]]:
    """Yields (index, char, depth) for every character outside strings and comments."""
    depth = 0
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch in "'\"`":
            i = _skip_string(source, i)
            continue
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        yield i, ch, depth
        i += 1


def _skip_string(source: str, start: int) -> int:
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


def strip_comments(source: str) -> str:
    """Returns `source` without // and /* */ comments (strings untouched)."""
    keep = {i for i, _, _ in scan(source)}
    out = []
    i = 0
    while i < len(source):
        if i in keep:
            out.append(source[i])
            i += 1
        elif source[i] in "'\"`":
            end = _skip_string(source, i)
            out.append(source[i:end])
            i = end
        else:
            i += 1
    return "".join(out)


def statements(source: str) -> list[Piece]:
    """Returns the top-level statements of `source`, each with its starting line."""
    cuts: list[int] = []
    for i, ch, depth in scan(source):
        if depth:
            continue
        ends = ch == ";" or (ch == "}" and _ends_block(source, i))
        if ends or (ch == "\n" and _ends_line(source, i)):
            cuts.append(i + 1)
    pieces: list[Piece] = []
    start = 0
    for cut in [*cuts, len(source)]:
        _add_piece(pieces, source, start, cut)
        start = cut
    return pieces


def _add_piece(pieces: list[Piece], source: str, start: int, end: int) -> None:
    chunk = source[start:end]
    if not chunk.strip():
        return
    lead = len(chunk) - len(chunk.lstrip())
    line = source.count("\n", 0, start + lead) + 1
    pieces.append(Piece(chunk.strip(), line))


def _next_text(source: str, i: int) -> str:
    """Returns the code after index `i` (a short window, comments removed, left-stripped)."""
    return strip_comments(source[i + 1 : i + 400]).lstrip()


def _ends_block(source: str, i: int) -> bool:
    """Returns True when a `}` closing at depth 0 ends its statement."""
    rest = _next_text(source, i)
    if rest.startswith(";"):
        return False  # the semicolon ends it
    return not rest or not _CONTINUED_BY.match(rest)


def _ends_line(source: str, i: int) -> bool:
    """Returns True when a newline at depth 0 ends the statement (automatic semicolons)."""
    line_start = source.rfind("\n", 0, i) + 1
    before = strip_comments(source[line_start:i]).rstrip()
    if not before or before.endswith(_CONTINUES):
        return False
    return not _CONTINUED_BY.match(_next_text(source, i))


def split_top(text: str, separator: str) -> list[str]:
    """Returns `text` split at `separator` characters that sit at bracket depth 0."""
    parts: list[str] = []
    start = 0
    for i, ch, depth in scan(text):
        if ch == separator and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def string_value(literal: str) -> str | None:
    """Returns the value of a JS string literal ('…', "…" or `…` without ${}), else None."""
    literal = literal.strip()
    if len(literal) < 2 or literal[0] not in "'\"`" or literal[-1] != literal[0]:
        return None
    if _skip_string(literal, 0) != len(literal) or (literal[0] == "`" and "${" in literal):
        return None
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]), body)
