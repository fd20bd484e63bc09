"""`record`: a dataclass whose __eq__, __repr__ and __hash__ are shared, not generated.

`@dataclass(frozen=True)` compiles six methods from source text for every class (~0.4 ms
each class, ~40 classes on a run's start-up path: a tenth of a one-request run); `record`
compiles only `__init__` and reuses one function each for comparing, showing and hashing,
with the same results as the dataclass ones. Instances are not frozen: nothing assigns to
a model object after it is built, and a frozen __init__ (object.__setattr__ per field)
was a third of loading a 20,000-item collection. Dataclass introspection (`fields`,
`replace`, `asdict`) works as before.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

_COMPARED: dict[type, tuple[str, ...]] = {}
_SHOWN: dict[type, tuple[str, ...]] = {}


def _compared(cls: type) -> tuple[str, ...]:
    names = _COMPARED.get(cls)
    if names is None:
        names = _COMPARED[cls] = tuple(f.name for f in fields(cls) if f.compare)
    return names


def _eq(self: Any, other: object) -> object:
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = _compared(self.__class__)
    equal: bool = tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)
    return equal


def _hash(self: Any) -> int:
    return hash(tuple(getattr(self, n) for n in _compared(self.__class__)))


def _repr(self: Any) -> str:
    cls = self.__class__
    names = _SHOWN.get(cls)
    if names is None:
        names = _SHOWN[cls] = tuple(f.name for f in fields(cls) if f.repr)
    shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
    return f"{cls.__qualname__}({shown})"


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, hashable: bool = True) -> Any: ...


@dataclass_transform(eq_default=True)
def record(cls: type[T] | None = None, /, *, hashable: bool = True) -> Any:
    """Returns `cls` made a dataclass with the shared methods (`@record` or
    `@record(hashable=False)` for a class whose instances change after they are built)."""

    def make(cls: type[T]) -> type[T]:
        made = dataclass(eq=False, repr=False)(cls)
        made.__eq__ = _eq  # type: ignore[method-assign,assignment]
        made.__repr__ = _repr  # type: ignore[method-assign]
        made.__hash__ = _hash if hashable else None  # type: ignore[method-assign,assignment]
        return made

    return make if cls is None else make(cls)
