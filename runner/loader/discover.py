"""Which files a `runner run` argument names: a file, a folder's collections, or a glob.

A folder (and a glob) yields the `.json` files that are collections: native ones (an
object with `items`) and Postman ones; environment, globals, data and schema files next to
them are left out. A folder is read without its subfolders (`'api/**/*.json'` goes down);
files come sorted by name. A `.json` file that is not valid JSON is an error, not skipped:
it may be the collection that was meant to run.
"""

from __future__ import annotations

import glob
from pathlib import Path

from runner.errors import InputError, InputErrors
from runner.wording import counted

_MAGIC = frozenset("*?[")
#: Names Postman exports give files that are never collections.
_NOT_COLLECTIONS = (".postman_environment.json", ".postman_globals.json", ".postman_data.json")


def is_pattern(argument: str) -> bool:
    """Returns True when `argument` is a glob pattern rather than the name of a file."""
    return bool(_MAGIC & set(argument)) and not Path(argument).exists()


def expand(argument: str) -> list[Path]:
    """Returns the collection files `argument` names: itself, a folder's or a glob's.

    Raises:
        InputError: a folder or glob with no collection in it, or a .json file in one that
            is not valid JSON (located); InputErrors when several are not.
    """
    path = Path(argument)
    if path.is_dir():
        candidates = sorted(p for p in path.glob("*.json") if p.is_file())
        where = f"folder {argument}"
        hint = "a folder's own *.json collections are run; for subfolders: 'DIR/**/*.json'"
    elif is_pattern(argument):
        candidates = sorted(Path(p) for p in glob.glob(argument, recursive=True))
        candidates = [p for p in candidates if p.is_file()]
        where = f"pattern {argument}"
        hint = "check the pattern (quote it so that runner expands it: 'api/*.json')"
    else:
        return [path]
    chosen: list[Path] = []
    broken: list[InputError] = []
    for candidate in candidates:
        try:
            if is_collection(candidate):
                chosen.append(candidate)
        except InputError as exc:  # every malformed file is reported, not the first only
            broken.append(exc)
    if broken:
        raise InputErrors(broken) if len(broken) > 1 else broken[0]
    if not chosen:
        looked = f" (looked at {counted(len(candidates), 'file')})"
        raise InputError(
            f"{where}: no collection found" + (looked if candidates else ""), hint=hint
        )
    return chosen


def is_collection(path: Path) -> bool:
    """Returns True when the JSON file `path` holds a collection (native or Postman).

    Raises:
        InputError: the file is not valid JSON (with where, and a likely fix).
    """
    if path.name.endswith(_NOT_COLLECTIONS):
        return False
    from runner.loader.files import read_json

    doc = read_json(path)
    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
        return True
    if not isinstance(doc, dict) or ("$schema" in doc and "info" not in doc):
        return False  # data rows, a JSON Schema, or another kind of document
    from runner.postman import detect

    return detect(doc) in ("collection", "v1")


__all__ = ["expand", "is_collection", "is_pattern"]
