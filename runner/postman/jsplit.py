"""A small JavaScript splitter: top-level statements and comma/operator separated parts.

It only tracks what decides where a statement ends — strings, template literals, comments
and bracket depth — and never evaluates anything. A wrong split is harmless: whatever is
not recognised whole stays in the script verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runner.postman.jslex import scan, skip_string, strip_comments

_CONTINUES = tuple(",+-*/=&|?:(.!<>%^~")
_CONTINUED_BY = re.compile(
    r"\s*(\.|\?|:|\+|\*|/[^/*]|&&|\|\||,|\)|\]|=[^=]|else\b|catch\b|finally\b)"
)


@dataclass(frozen=True)
class Piece:
    """A top-level statement (or comment), the 1-based line where it starts, and its span."""

    text: str
    line: int
    start: int = 0
    end: int = 0

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
    pieces.append(Piece(chunk.strip(), line, start, end))


def _next_text(source: str, i: int) -> str:
    """Returns the code after index `i` (a short window, comments removed, left-stripped)."""
    return strip_comments(source[i + 1 : i + 400]).lstrip()


def _ends_block(source: str, i: int) -> bool:
    """Returns True when a `}` closing at depth 0 ends its statement.

    Only at the end of a line: `} else {`, `})`, `}-[a-f]` in a regex… go on.
    """
    line_end = source.find("\n", i)
    if strip_comments(source[i + 1 : None if line_end < 0 else line_end]).strip():
        return False
    rest = _next_text(source, i)
    return not rest or not _CONTINUED_BY.match(rest)


def _ends_line(source: str, i: int) -> bool:
    """Returns True when a newline at depth 0 ends the statement (automatic semicolons)."""
    line_start = source.rfind("\n", 0, i) + 1
    before = strip_comments(source[line_start:i]).rstrip()
    if not before or before.endswith(_CONTINUES):
        return False
    return not _CONTINUED_BY.match(_next_text(source, i))


def keep(source: str, pieces: list[Piece], kept: list[Piece]) -> str:
    """Returns `source` without the pieces that are not kept, everything else as written."""
    dropped = [p for p in pieces if p not in kept]
    out = []
    position = 0
    for piece in dropped:
        out.append(source[position : piece.start])
        position = piece.end
    out.append(source[position:])
    text = "".join(out)
    # Removing statements leaves runs of blank lines behind.
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip()


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
    if skip_string(literal, 0) != len(literal) or (literal[0] == "`" and "${" in literal):
        return None
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]), body)
