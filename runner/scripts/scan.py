"""What a script's source may touch, found once per source, so a run can skip work.

Each run restores the sandbox's globals (and `pm`, `JSON`, ...) that the previous script
may have changed, and binds the legacy globals (`responseBody`, `environment`...) for the
script. Both cost tens of µs per run. A script whose text cannot change a global needs no
restore after it, and one that names no legacy global needs none bound. The tests are
conservative: anything that might (an assignment other than a `var`/`let`/`const`
declaration, `delete`, `this`, eval, a library, a reflective call...) counts as a change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runner.scripts.modules import wanted_modules

_LEGACY = re.compile(
    r"(?<![.\w$])(?:tests|environment|globals|data|iteration|request|responseBody|responseTime"
    r"|responseCode|responseHeaders|responseCookies)(?![\w$])"
)
_UNSCOPED = re.compile(r"\b(?:eval|Function|this|globalThis|window|self|global|with)\b")
_MUTATORS = re.compile(
    r"\b(?:delete|require|define(?:Property|Properties)|setPrototypeOf|assign|extend|merge"
    r"|defaults|freeze|seal|preventExtensions|Reflect|__proto__|__define\w*|prototype)\b|\+\+|--"
)
# An assignment operator (=, +=, ??=, ...), not a comparison (==, <=) nor an arrow (=>).
_ASSIGN = re.compile(r"(?<![=!<>])(?:\*\*|<<|>>>?|&&|\|\||\?\?|[-+*/%&|^])?=(?![=>])")
_DECLARED = re.compile(r"\b(?:var|let|const)\s+[\w$]+\s*$")


@dataclass(frozen=True)
class Uses:
    """What a script may do: change globals (`mutates`), read legacy globals (`legacy`)."""

    mutates: bool
    legacy: bool


def uses(source: str) -> Uses:
    """Returns what `source` may touch (True whenever unsure)."""
    unscoped = bool(_UNSCOPED.search(source))
    mutates = unscoped or bool(_MUTATORS.search(source)) or bool(wanted_modules(source))
    if not mutates:
        for match in _ASSIGN.finditer(source):
            line_start = source.rfind("\n", 0, match.start()) + 1
            if not _DECLARED.search(source, line_start, match.start()):
                mutates = True
                break
    return Uses(mutates=mutates, legacy=unscoped or bool(_LEGACY.search(source)))
