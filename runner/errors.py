"""Errors that users see.

RunnerError                 base: message, location, hint; exit_code
├── InputError              invalid input found before anything is sent (exit 2)
│   └── InputErrors         several InputErrors of one load, reported together
├── VariableError           a <<variable>> that is defined nowhere (exit 2 static, 1 at run time)
├── RequestError            a request that could not be completed (exit 1)
│   ├── TransportError      connection, DNS, TLS, timeout
│   └── AuthError           a token could not be acquired
└── CaptureError            a capture found nothing
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field
from typing import ClassVar

from runner.records import record
from runner.status import ExitStatus


class Location:
    """Where something sits in a source file: file, RFC 6901 pointer, and item path.

    Equal, hashed and shown as the dataclass it was. A child's pointer is joined when first
    read: loading makes one per checked node of a collection, and almost none is ever shown.
    """

    __slots__ = ("_parent", "_parts", "_pointer", "file", "item_path")

    def __init__(self, file: str, pointer: str = "", item_path: tuple[str, ...] = ()) -> None:
        self.file = file
        self.item_path = item_path
        self._pointer = pointer
        self._parent: Location | None = None
        self._parts: tuple[str | int, ...] = ()

    @property
    def pointer(self) -> str:
        """Returns the JSON pointer (RFC 6901) of the node, "" for the whole file."""
        parent = self._parent
        if parent is not None:
            pointer = parent.pointer
            for part in self._parts:
                text = str(part)
                if "~" in text or "/" in text:
                    text = text.replace("~", "~0").replace("/", "~1")
                pointer += "/" + text
            self._pointer, self._parent = pointer, None
        return self._pointer

    def child(self, *parts: str | int) -> Location:
        """Returns the location of a child node, extending the JSON pointer."""
        child = Location(self.file, "", self.item_path)
        child._parent, child._parts = self, parts
        return child

    def _key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.file, self.pointer, self.item_path)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Location:
            return NotImplemented
        assert isinstance(other, Location)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Location(file={self.file!r}, pointer={self.pointer!r}, item_path={self.item_path!r})"
        )

    def __str__(self) -> str:
        pointer = self.pointer
        text = f"{self.file}#{pointer}" if pointer else self.file
        if self.item_path:
            text += " (" + " › ".join(self.item_path) + ")"
        return text


class RunnerError(Exception):
    """Base of every error shown to users: a message, where, and how to fix it."""

    exit_code: ClassVar[int] = ExitStatus.FAILED

    def __init__(
        self, message: str, *, location: Location | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def render(self) -> str:
        """Returns the error as the lines the console shows."""
        lines = []
        if self.location is not None:
            lines.append(f"{self.location}: {self.message}")
        else:
            lines.append(self.message)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class InputError(RunnerError):
    """Invalid input (collection, environment, data file, options) found before sending."""

    exit_code = ExitStatus.INVALID


class InputErrors(InputError):
    """All the problems found in one load, reported together."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) found")

    def render(self) -> str:
        """Returns every problem, one block each."""
        return "\n".join(e.render() for e in self.errors)


class VariableError(InputError):
    """A variable that is used but defined nowhere (at run time: an error of that request)."""

    def __init__(
        self,
        name: str,
        *,
        location: Location | None = None,
        hint: str | None = None,
        message: str | None = None,
    ) -> None:
        super().__init__(message or f"undefined variable <<{name}>>", location=location, hint=hint)
        self.name = name


class RequestError(RunnerError):
    """A request that could not be completed."""


class TransportError(RequestError):
    """The request never got a response: connection refused, DNS, TLS, timeout."""


class AuthError(RequestError):
    """A token could not be acquired."""


class CaptureError(RunnerError):
    """A capture found nothing in the response."""


def collect(errors: Iterable[InputError]) -> None:
    """Raises InputErrors when `errors` is not empty; returns None otherwise."""
    found = list(errors)
    if len(found) == 1:
        raise found[0]
    if found:
        raise InputErrors(found)


@record(hashable=False)
class Problems:
    """An accumulator for input problems, so a loader can report all of them at once."""

    items: list[InputError] = field(default_factory=list)

    def add(self, message: str, location: Location, hint: str | None = None) -> None:
        """Records one problem."""
        self.items.append(InputError(message, location=location, hint=hint))

    def raise_if_any(self) -> None:
        """Raises the collected problems, if any."""
        collect(self.items)
