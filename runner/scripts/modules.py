"""Find the CommonJS files a script may `require`, so the JS loader can run them.

V8 here has no file system, so before a script first runs we resolve its literal
`require('name')` calls (and the library globals it touches, such as `_`) and follow the
literal requires inside those files, then hand the whole set of sources to the sandbox once.

A name is looked up first in `node_modules` folders (next to the collection, --module-path),
then among the pinned libraries of Postman's sandbox (runner.scripts.libraries), which are
fetched into the user cache on first need. Inside a pinned package, requires resolve through
its own pinned dependencies, its package.json `browser` field (as browserify, which bundles
Postman's sandbox, does), then the browser polyfills of Node's built-ins.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from runner.scripts.libraries import INSTALL_HINT, LibraryError, LibraryStore, lock, split_ref
from runner.values import JSON

_REQUIRE = re.compile(r"""\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)""")
# Free variables Node gives every module that browserify inserts when a file uses them
# (a use: `process.x`, `Buffer.x`, `Buffer(`, `typeof/instanceof/new X`, not `cipher.process`).
_IMPLICIT = {
    name: re.compile(rf"(?<![.\w$]){word}\s*[.(]|\b(?:typeof|instanceof|new)\s+{word}\b")
    for name, word in (("process", "process"), ("buffer", "Buffer"))
}
# Comments, roughly (a `//` inside a string cuts a line short: only costs a missed global).
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_MAX_BYTES = 30_000_000
# pm.expect and `pm.response.to` are chai with chai-postman (which takes lodash 4), and
# `.jsonSchema` adds ajv: a script that may assert gets them (eval'd code may too).
_ASSERTS = re.compile(r"\bexpect\b|\.to\b|\beval\b|\bFunction\b")
_SCHEMAS = re.compile(r"\bjsonSchema\b|\beval\b|\bFunction\b")
CHAI = ("chai", "chai-postman", "lodash")
EMPTY = "runner:empty"  # a module a package's `browser` field maps to false


@cache
def _global_patterns() -> dict[str, re.Pattern[str]]:
    """Returns module name -> the pattern of its global's use in a script."""
    patterns = {}
    for name, module in lock().globals.items():
        word = re.escape(name)
        # `_` alone is too common a word; only `_.x` / `_(x)` count as lodash.
        rule = rf"(?<![\w$.]){word}\s*[.(]" if name == "_" else rf"(?<![\w$.]){word}\b"
        patterns[module] = re.compile(rule)
    return patterns


def wanted_modules(source: str) -> list[str]:
    """Returns the module names a script source requires or uses as globals."""
    names = [m.group(2) for m in _REQUIRE.finditer(source)]
    names += [pkg for pkg, pattern in _global_patterns().items() if pattern.search(source)]
    return list(dict.fromkeys(names))


def sandbox_modules(source: str) -> list[str]:
    """Returns the libraries the sandbox itself needs to run `source` (not the script's
    own uses): chai behind pm.expect and `.to`, ajv behind `.jsonSchema`."""
    names = list(CHAI) if _ASSERTS.search(source) else []
    if _SCHEMAS.search(source):
        names.append("ajv")
    return names


def package_name(spec: str) -> str:
    """Returns the package part of a bare specifier ("@a/b/c" -> "@a/b", "x/y" -> "x")."""
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") else parts[0]


class ModuleResolver:
    """Resolves module names to files under node_modules folders and the library store."""

    def __init__(self, paths: Sequence[Path], store: LibraryStore | None = None) -> None:
        self._roots = [self._node_modules(Path(p)) for p in paths]
        self._store = store
        self._loaded: set[str] = set()
        self._entries: dict[str, str] = {}
        self._manifests: dict[Path, dict[str, JSON]] = {}

    @staticmethod
    def _node_modules(path: Path) -> Path:
        return path if path.name == "node_modules" else path / "node_modules"

    def bundle(self, names: Iterable[str]) -> str | None:
        """Returns a JSON module bundle for names not sent before, or None if nothing new.

        A pinned library that cannot be provided (offline, integrity mismatch) is listed
        under "failed" with the reason, for `require` to throw.
        """
        files: dict[str, str] = {}
        links: dict[str, dict[str, str]] = {}
        entries: dict[str, str] = {}
        failed: dict[str, str] = {}
        for name in names:
            if name in self._entries or name.startswith("."):
                continue
            try:
                entry = self._resolve_bare(name, []) or self._library(name)
            except LibraryError as exc:
                failed[name] = f"{exc}; {INSTALL_HINT}"
                continue
            if entry is None:
                continue
            entries[name] = self._entries[name] = str(entry)
            try:
                self._collect(entry, files, links)
            except LibraryError as exc:
                del self._entries[name], entries[name]
                failed[name] = f"{exc}; {INSTALL_HINT}"
        if not entries and not failed:
            return None
        bundle = {"files": files, "links": links, "entries": entries, "failed": failed}
        return json.dumps(bundle)

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
            if key == EMPTY:
                files[key] = ""
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            size += len(text)
            if size > _MAX_BYTES:
                return
            files[key] = text
            if path.suffix == ".json":
                continue
            specs = [m.group(2) for m in _REQUIRE.finditer(text)]
            code = _COMMENTS.sub("", text)
            specs += [f"\0{n}" for n, rule in _IMPLICIT.items() if rule.search(code)]
            for spec in dict.fromkeys(specs):
                target = self._resolve(spec, path)
                if target is not None:
                    links.setdefault(key, {})[spec] = str(target)
                    todo.append(target)

    def _resolve(self, spec: str, file: Path) -> Path | None:
        if spec.startswith("\0"):  # an implicit global: only from the pinned polyfills
            if self._owner(file)[0].startswith(spec[1:] + "@"):
                return None  # the package itself (buffer mentions Buffer)
            try:
                return self._library(spec[1:])
            except LibraryError:
                return None
        key, folder = self._owner(file)
        if key:
            return self._resolve_pinned(spec, file, key, folder)
        if spec.startswith((".", "/")):
            return self._as_file_or_dir(file.parent / spec)
        base = file.parent
        local = [d / "node_modules" for d in (base, *base.parents) if d.name != "node_modules"]
        return self._resolve_bare(spec, local) or self._library(spec)

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

    def _manifest(self, folder: Path) -> dict[str, JSON]:
        if folder not in self._manifests:
            data: JSON = {}
            with contextlib.suppress(OSError, ValueError):
                data = json.loads((folder / "package.json").read_text(encoding="utf-8"))
            self._manifests[folder] = data if isinstance(data, dict) else {}
        return self._manifests[folder]

    def _package_main(self, folder: Path, browser: bool = False) -> Path | None:
        manifest = self._manifest(folder)
        main = manifest.get("main")
        if browser and isinstance(manifest.get("browser"), str):
            main = manifest["browser"]
        if not isinstance(main, str) or not main:
            return None
        target = folder / main
        found = self._as_file_or_dir(target) if target != folder else None
        return found

    # --- the pinned libraries -------------------------------------------------------

    def _owner(self, file: Path) -> tuple[str, Path]:
        """Returns (name@version, folder) of the pinned package holding `file`, or ("", file)."""
        if self._store is None or not file.is_relative_to(self._store.folder):
            return "", file
        parts = file.relative_to(self._store.folder).parts
        width = 2 if parts[0].startswith("@") else 1
        return "/".join(parts[:width]), self._store.folder.joinpath(*parts[:width])

    def _library(self, spec: str) -> Path | None:
        """Returns the entry file of a pinned library a script may require, or None."""
        if self._store is None:
            return None
        modules = self._store.lock.modules
        ref = modules.get(spec)
        if ref is None:
            name = package_name(spec)
            if name not in modules or "/" in modules[name].split("@", 2)[-1]:
                return None
            ref = f"{modules[name]}/{spec[len(name) + 1 :]}"
        name, version, inner = split_ref(ref)
        return self._in_package(f"{name}@{version}", inner)

    def _in_package(self, key: str, inner: str) -> Path | None:
        folder = self._store.package_dir(key) if self._store is not None else Path()
        if not inner:
            return self._package_main(folder, browser=True) or self._as_file_or_dir(folder)
        return self._browser_file(folder, self._as_file_or_dir(folder / inner))

    def _browser_file(self, folder: Path, found: Path | None) -> Path | None:
        """Returns `found` after the package's `browser` file map (false -> EMPTY)."""
        mapping = self._manifest(folder).get("browser")
        if found is None or not isinstance(mapping, dict):
            return found
        relative = "./" + found.relative_to(folder.resolve()).as_posix()
        for key in (relative, relative.removesuffix(".js")):
            if key in mapping:
                value = mapping[key]
                return Path(EMPTY) if value is False else self._as_file_or_dir(folder / value)
        return found

    def _resolve_pinned(self, spec: str, file: Path, key: str, folder: Path) -> Path | None:
        if spec.startswith("."):
            return self._browser_file(folder, self._as_file_or_dir(file.parent / spec))
        mapping = self._manifest(folder).get("browser")
        if isinstance(mapping, dict) and spec in mapping:
            value = mapping[spec]
            if value is False:
                return Path(EMPTY)
            if isinstance(value, str) and value.startswith("."):
                return self._browser_file(folder, self._as_file_or_dir(folder / value))
            spec = str(value)
        name = package_name(spec)
        deps = self._store.lock.packages[key]["dependencies"] if self._store else {}
        if name in deps:
            return self._in_package(f"{name}@{deps[name]}", spec[len(name) + 1 :])
        return self._library(spec)
