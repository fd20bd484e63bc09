"""Variables: layered scopes and `<<name>>` / `{{name}}` templates.

Templates are compiled once per distinct string and cached, so rendering on the per-request
path is a walk over pre-split parts.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from functools import cached_property, lru_cache

from runner.errors import Location, VariableError
from runner.records import record
from runner.resolve.dynamic import DYNAMIC
from runner.values import JSON

LAYERS = ("globals", "collection", "folder", "environment", "data", "cli", "runtime")
"""Scope layers, lowest precedence first (contract section 2)."""

_PATTERNS = {
    "native": re.compile(r"<<\s*([^<>\s]+?)\s*>>"),
    "postman": re.compile(r"\{\{([^{}]+?)\}\}"),
}
_MISSING = object()


@record
class Ref:
    """A variable reference inside a template, as written (`raw`) and by name."""

    name: str
    raw: str


@record
class Template:
    """A string split into literal text and variable references."""

    parts: tuple[str | Ref, ...]
    source: str

    @cached_property
    def refs(self) -> tuple[Ref, ...]:
        """Returns the variable references in order (computed once: templates are cached and
        asked for their references once per string per request)."""
        return tuple(p for p in self.parts if isinstance(p, Ref))

    @property
    def whole(self) -> Ref | None:
        """Returns the reference when the template is exactly one reference, else None."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Ref):
            return self.parts[0]
        return None


@lru_cache(maxsize=8192)
def compile_template(text: str, dialect: str = "native") -> Template:
    """Returns `text` compiled into a Template for `dialect` (native or postman)."""
    pattern = _PATTERNS[dialect]
    parts: list[str | Ref] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            parts.append(text[pos : match.start()])
        parts.append(Ref(match.group(1), match.group(0)))
        pos = match.end()
    if pos < len(text):
        parts.append(text[pos:])
    return Template(tuple(parts), text)


def to_text(value: JSON) -> str:
    """Returns a variable's value as the text substituted into a string."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def js_text(value: JSON) -> str:
    """Returns a value as JavaScript's String() gives it: what Newman substitutes for a
    {{variable}} (an array joins with commas, an object is "[object Object]", numbers in
    JavaScript's shortest form: 3.0 is "3", 1e-7 is "1e-7")."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        # Array.prototype.join: null and undefined elements become empty strings.
        return ",".join("" if item is None else js_text(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, float):
        return _js_number(value)
    return to_text(value)


def _js_number(number: float) -> str:
    """Returns ECMAScript's Number::toString of a finite or infinite float."""
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    # repr gives the shortest round-tripping digits, as ECMAScript requires; only the
    # layout differs. value = 0.DIGITS × 10**point. (repr's "0.0001" keeps its leading
    # zeros in DIGITS with point 1, which the layout below writes back unchanged.)
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).rstrip("0")
    point = len(whole) + int(exponent or 0)
    k = len(digits)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = f"{digits[:point]}.{digits[point:]}"
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        power = point - 1
        shown = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{shown}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + text


def _detached(value: JSON) -> JSON:
    """Returns a JSON value that shares no list or dict with `value`."""
    if isinstance(value, dict):
        return {key: _detached(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_detached(item) for item in value]
    return value


class Scope:
    """Layered variables (see LAYERS); later layers win.

    Each layer is a plain dict so scripts and captures can write into it.
    """

    def __init__(self, layers: Mapping[str, dict[str, JSON]] | None = None) -> None:
        self.layers: dict[str, dict[str, JSON]] = {name: {} for name in LAYERS}
        if layers:
            for name, values in layers.items():
                self.layers[name] = values
        self.secret_names: set[str] = set()

    def copy(self) -> Scope:
        """Returns a scope sharing nothing writable with this one (for a parallel iteration):
        every layer is a new dict, and list and object values are copied too."""
        clone = Scope(
            {
                name: {key: _detached(value) for key, value in values.items()}
                for name, values in self.layers.items()
            }
        )
        clone.secret_names = set(self.secret_names)
        return clone

    def lookup(self, name: str) -> JSON:
        """Returns the value of `name` from the highest layer, or the _MISSING sentinel."""
        for layer in reversed(self.layers.values()):
            if name in layer:
                return layer[name]
        if name.startswith("$env."):
            return os.environ.get(name[5:], _MISSING)
        factory = DYNAMIC.get(name)
        if factory is not None:
            return factory()
        return _MISSING

    def has(self, name: str) -> bool:
        """Returns True when `name` resolves to a value."""
        return self.lookup(name) is not _MISSING

    def get(self, name: str, default: JSON = None) -> JSON:
        """Returns the value of `name`, or `default` when it is defined nowhere."""
        value = self.lookup(name)
        return default if value is _MISSING else value

    def set(self, name: str, value: JSON, layer: str = "runtime") -> None:
        """Sets `name` in `layer` (captured values go to `runtime`, the top layer)."""
        self.layers[layer][name] = value

    def names(self) -> list[str]:
        """Returns every defined variable name, sorted."""
        found: set[str] = set()
        for layer in self.layers.values():
            found.update(layer)
        return sorted(found)

    def items(self) -> Iterator[tuple[str, JSON]]:
        """Yields (name, effective value) for every defined variable."""
        for name in self.names():
            yield name, self.lookup(name)


class Renderer:
    """Renders templates of one dialect against a scope.

    In the native dialect an undefined variable is an error; in the postman dialect it
    stays as written (Newman's behaviour) and is reported through `unresolved`.
    """

    def __init__(self, scope: Scope, dialect: str = "native") -> None:
        self.scope = scope
        self.dialect = dialect
        self.strict = dialect == "native"
        # Newman substitutes String(value); runner's own dialect substitutes JSON text.
        self._text_of = to_text if self.strict else js_text
        self.unresolved: set[str] = set()
        self._depth = 0

    def text(self, text: str, at: Location | None = None) -> str:
        """Returns `text` with every variable replaced by its value."""
        rendered = self._text_once(text, at)
        if self.strict or "{{" not in rendered or rendered == text:
            return rendered
        # Postman resolves the innermost reference first: {{host.{{n}}}} → {{host.1}} → value.
        for _ in range(9):
            again = self._text_once(rendered, at)
            if again == rendered:
                break
            rendered = again
        return rendered

    def _text_once(self, text: str, at: Location | None) -> str:
        if not isinstance(text, str):
            return self._text_of(text)
        template = compile_template(text, self.dialect)
        if len(template.parts) == 1 and not isinstance(template.parts[0], Ref):
            return text
        out: list[str] = []
        for part in template.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(self._resolve_text(part, at))
        return "".join(out)

    def value(self, text: str, at: Location | None = None) -> JSON:
        """Returns the typed value when `text` is exactly one reference, else rendered text."""
        template = compile_template(text, self.dialect)
        ref = template.whole
        if ref is None:
            return self.text(text, at)
        value = self.scope.lookup(ref.name)
        if value is _MISSING:
            return self._missing(ref, at)
        return self._nested(value, ref, at)

    def json(self, value: JSON, at: Location | None = None) -> JSON:
        """Returns a JSON value with templates rendered; a whole-reference string keeps its type."""
        if isinstance(value, str):
            return self.value(value, at)
        if isinstance(value, list):
            return [self.json(v, at) for v in value]
        if isinstance(value, dict):
            return {self.text(k, at): self.json(v, at) for k, v in value.items()}
        return value

    def _resolve_text(self, ref: Ref, at: Location | None) -> str:
        value = self.scope.lookup(ref.name)
        if value is _MISSING:
            return self._text_of(self._missing(ref, at))
        return self._text_of(self._nested(value, ref, at))

    def _nested(self, value: JSON, ref: Ref, at: Location | None) -> JSON:
        """Returns `value` with variables inside it rendered (a value may name others)."""
        if not isinstance(value, str) or not compile_template(value, self.dialect).refs:
            return value
        self._depth += 1
        try:
            if self._depth > 10:
                raise VariableError(
                    ref.name,
                    location=at,
                    message=f"variable <<{ref.name}>> refers to itself (through other variables)",
                    hint="break the cycle between these variables",
                )
            return self.text(value, at)
        finally:
            self._depth -= 1

    def _missing(self, ref: Ref, at: Location | None) -> JSON:
        if self.strict:
            raise undefined_error(ref.name, self.scope.names(), at)
        self.unresolved.add(ref.name)
        return ref.raw


def undefined_error(
    name: str, known: list[str], at: Location | None, *, static: bool = False
) -> VariableError:
    """Returns the error for an undefined variable, with a did-you-mean and the known names.

    `<<$env.NAME>>` reads the process environment only, so its hint says where that is set:
    the variables runner defines (and --var) cannot help.
    """
    from runner.suggest import did_you_mean

    if name.startswith("$env."):
        plain = name[len("$env.") :]
        guess = plain if plain in known else None
        hint_parts = [
            f"set {plain} in the shell's environment (export {plain}=…) or in a .env file "
            f"(./.env is read; --dotenv FILE for another); -e and --var define <<{plain}>>, "
            f"not <<{name}>>"
        ]
        why = " (not set in the process environment)"
    else:
        guess = did_you_mean(name, known)
        hint_parts = []
        if known:
            shown = ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
            hint_parts.append(f"defined: {shown}")
        hint_parts.append(
            "define it in the environment, the collection's variables, or with --var NAME=VALUE"
        )
        why = " (not defined anywhere, nor captured by an earlier request)"
    hint = "; ".join(hint_parts)
    if guess:
        # A question ends the sentence; the rest follows it, not after a stray "?;".
        hint = f"did you mean <<{guess}>>? {hint}"
    return VariableError(
        name,
        location=at,
        hint=hint,
        message=f"undefined variable <<{name}>>" + (why if static else ""),
    )
