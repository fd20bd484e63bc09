"""Find the CommonJS files a script may `require`, so the JS loader can run them.

V8 here has no file system, so before a script first runs we resolve its literal
`require('name')` calls (and the library globals it touches, such as `_`) against
`node_modules` folders, follow the literal requires inside those files, and hand the
whole set of sources to the sandbox once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

_REQUIRE = re.compile(r"""\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)""")
# Library globals of Postman's sandbox and the package that provides each.
_GLOBALS = {
    "lodash": re.compile(r"(?<![\w$.])_\s*[.(]"),
    "crypto-js": re.compile(r"\bCryptoJS\b"),
    "tv4": re.compile(r"\btv4\b"),
    "cheerio": re.compile(r"\bcheerio\b"),
}
_MAX_BYTES = 30_000_000


def wanted_modules(source: str) -> list[str]:
    """Returns the module names a script source requires or uses as globals."""
    names = [m.group(2) for m in _REQUIRE.finditer(source)]
    names += [pkg for pkg, pattern in _GLOBALS.items() if pattern.search(source)]
    return list(dict.fromkeys(names))


class ModuleResolver:
    """Resolves package names to files under the given node_modules locations."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._roots = [self._node_modules(Path(p)) for p in paths]
        self._loaded: set[str] = set()
        self._entries: dict[str, str] = {}

    @staticmethod
    def _node_modules(path: Path) -> Path:
        return path if path.name == "node_modules" else path / "node_modules"

    def bundle(self, names: Iterable[str]) -> str | None:
        """Returns a JSON module bundle for names not sent before, or None if nothing new."""
        files: dict[str, str] = {}
        links: dict[str, dict[str, str]] = {}
        entries: dict[str, str] = {}
        for name in names:
            if name in self._entries or name.startswith("."):
                continue
            entry = self._resolve_bare(name, [])
            if entry is None:
                continue
            entries[name] = self._entries[name] = str(entry)
            self._collect(entry, files, links)
        if not entries:
            return None
        return json.dumps({"files": files, "links": links, "entries": entries})

    def _collect(
        self, entry: Path, files: dict[str, str], links: dict[str, dict[str, str]]
    ) -> None:
        todo = [entry]
        size = 0
        while todo:
            path = todo.pop()
            key = str(path)
            if key in self._loaded:
                continue
            self._loaded.add(key)
            text = path.read_text(encoding="utf-8", errors="replace")
            size += len(text)
            if size > _MAX_BYTES:
                return
            files[key] = text
            if path.suffix == ".json":
                continue
            for match in _REQUIRE.finditer(text):
                target = self._resolve(match.group(2), path.parent)
                if target is not None:
                    links.setdefault(key, {})[match.group(2)] = str(target)
                    todo.append(target)

    def _resolve(self, spec: str, base: Path) -> Path | None:
        if spec.startswith((".", "/")):
            return self._as_file_or_dir(base / spec)
        local = [d / "node_modules" for d in (base, *base.parents) if d.name != "node_modules"]
        return self._resolve_bare(spec, local)

    def _resolve_bare(self, spec: str, extra_roots: list[Path]) -> Path | None:
        for root in (*extra_roots, *self._roots):
            found = self._as_file_or_dir(root / spec)
            if found is not None:
                return found
        return None

    def _as_file_or_dir(self, path: Path) -> Path | None:
        for candidate in (
            path,
            path.with_name(path.name + ".js"),
            path.with_name(path.name + ".json"),
        ):
            if candidate.is_file():
                return candidate.resolve()
        if path.is_dir():
            main = self._package_main(path)
            if main is not None:
                return main
            index = path / "index.js"
            return index.resolve() if index.is_file() else None
        return None

    def _package_main(self, folder: Path) -> Path | None:
        manifest = folder / "package.json"
        if not manifest.is_file():
            return None
        try:
            data: Any = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError:
            return None
        main = data.get("main") if isinstance(data, dict) else None
        if not isinstance(main, str) or not main:
            return None
        target = folder / main
        found = self._as_file_or_dir(target) if target != folder else None
        return found
