"""Loading input files (the I/O edge): collections, environments, data files.

Native and Postman files both become `runner.model` objects here.
"""

from __future__ import annotations

from pathlib import Path

from runner.errors import InputError, Location, collect
from runner.loader.data import load_data
from runner.loader.files import gc_paused, parse_json, read_json, remember
from runner.model import Collection, Environment
from runner.values import JSON

__all__ = ["import_environment", "import_file", "load_collection", "load_data", "load_environment"]


def load_collection(path: Path | str, text: str | None = None) -> Collection:
    """Returns the collection in `path`, native or Postman v2.0/v2.1; with `text`, the
    collection in that text, `path` naming it (`<stdin>`: relative files start in the
    current folder).

    Raises:
        InputError / InputErrors: unreadable or invalid, with every problem located.
    """
    with gc_paused():
        return _load_collection(Path(path), text)


def _load_collection(path: Path, text: str | None) -> Collection:
    if text is not None:
        remember(path, text)  # read again for the <<$env.NAME>> secrets it names
    doc = read_json(path) if text is None else parse_json(text, path)
    kind = _postman_kind(doc)
    if kind is not None:
        if kind != "collection" and kind != "v1":
            raise InputError(
                f"this is a Postman {kind} file, not a collection",
                location=Location(str(path)),
                hint=f"pass it with {'-g' if kind == 'globals' else '-e'}",
            )
        from runner import postman

        return postman.load_collection(doc, path)
    if not isinstance(doc, dict):
        raise InputError(
            "a collection must be a JSON object",
            location=Location(str(path)),
            hint='start from {"name": "...", "items": [...]}',
        )
    from runner.loader.build import Builder
    from runner.loader.validate import schema_errors

    problems = schema_errors(doc, str(path), "collection")
    builder = Builder(doc, path)
    try:
        collection = builder.build()
    except (KeyError, TypeError, AttributeError, ValueError):
        # The document's shape is broken (already reported by the schema); keep the
        # semantic problems found before the builder tripped over it.
        collection = None
    # A node the schema already complained about needs no second message.
    flagged = {p.location.pointer for p in problems if p.location is not None}
    semantic = [
        p for p in builder.problems.items if p.location is None or p.location.pointer not in flagged
    ]
    collect([*problems, *semantic])
    assert collection is not None
    return collection


def load_environment(path: Path | str) -> Environment:
    """Returns the environment (or globals) in `path`, native or Postman.

    Raises:
        InputError / InputErrors: unreadable or invalid.
    """
    path = Path(path)
    doc = read_json(path)
    kind = _postman_kind(doc)
    if kind in ("environment", "globals"):
        from runner import postman

        return postman.load_environment(doc, path)
    if kind is not None:
        raise InputError(
            f"expected an environment file, got a Postman {kind}",
            location=Location(str(path)),
            hint="environments hold variables; collections go first on the command line",
        )
    from runner.loader.validate import schema_errors

    collect(schema_errors(doc, str(path), "environment"))
    values = doc["variables"]
    return Environment(
        name=doc.get("name", path.stem),
        values=dict(values),
        secrets=frozenset(doc.get("secrets", [])),
        source=path,
    )


def _postman_kind(doc: JSON) -> str | None:
    """Returns what kind of Postman file `doc` is, or None for a native file."""
    if not isinstance(doc, dict | list) or (isinstance(doc, dict) and "items" in doc):
        return None
    from runner import postman

    return postman.detect(doc)


def import_file(path: Path | str) -> tuple[dict[str, JSON], list[str]]:
    """Returns the native equivalent of a Postman collection or environment file, and the
    warnings of the translation (`runner import`).

    Raises:
        InputError: unreadable file, v1 collection, or not a Postman file.
    """
    from runner.postman.importer import import_document

    path = Path(path)
    return import_document(read_json(path), path)


def import_environment(path: Path | str) -> tuple[dict[str, JSON], list[str]]:
    """Returns the native environment for a Postman environment or globals file (no warnings)."""
    from runner import postman
    from runner.postman.importer import environment_doc

    path = Path(path)
    return environment_doc(postman.load_environment(read_json(path), path)), []
