"""`runner import`: a Postman collection or environment → the native JSON equivalent.

Declarative fields convert directly (`{{x}}` → `<<x>>`); test-script statements with a
declarative meaning become `assert` / `capture`; the token pre-request script becomes an
`oauth2` auth block; everything else stays in `scripts`, with one warning per piece kept.
"""

from __future__ import annotations

import re
from pathlib import Path

from runner.errors import InputError, Location
from runner.model import Collection, Environment, Folder, Item, Request, Script, Scripts
from runner.postman import native
from runner.postman.asserts import Asserts
from runner.postman.collection import load_collection
from runner.postman.detect import detect
from runner.postman.environment import load_environment
from runner.postman.jsplit import Piece, keep, statements
from runner.postman.rewire import use_token
from runner.postman.token_script import TokenScript, token_request
from runner.scripts.libraries import lock
from runner.scripts.modules import wanted_modules
from runner.values import JSON

Doc = dict[str, JSON]

# JSON schema checks (tv4, ajv, chai-postman's jsonSchema) that runner.postman.schemas could
# not turn into a native `schema` assertion.
_SCHEMA = re.compile(
    r"\btv4\s*\.\s*validate|\.\s*jsonSchema\s*\(|\bnew\s+Ajv\b|\bajv\s*\.\s*(?:validate|compile)\b"
)


def import_document(doc: JSON, path: Path) -> tuple[Doc, list[str]]:
    """Returns the native document for a Postman collection or environment read from `path`,
    and warnings (runner.loader.import_file reads the file).

    Raises:
        InputError: v1 collection, or not a Postman file.
    """
    kind = detect(doc)
    if kind in ("environment", "globals"):
        return environment_doc(load_environment(doc, path)), []
    if kind is None:
        raise InputError(
            "not a Postman collection, environment or globals file",
            location=Location(str(path)),
            hint="export it from Postman as Collection v2.1 or as an environment",
        )
    native_doc, warnings = _Importer(load_collection(doc, path)).convert()
    return native_doc, [*_folder_variables(doc), *warnings]


def _folder_variables(doc: JSON, names: tuple[str, ...] = ()) -> list[str]:
    """Returns a warning for each folder with a `variable` list: Newman never reads one, so
    neither does runner, and the import leaves it out."""
    found: list[str] = []
    items = doc.get("item") if isinstance(doc, dict) else None
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or "item" not in item:
            continue
        here = (*names, str(item.get("name") or "Untitled folder"))
        if item.get("variable"):
            found.append(
                f"{' › '.join(here)}: the folder's variables are left out, as Newman leaves "
                "them out of a run; move them to the collection's variables if its requests "
                "need them"
            )
        found += _folder_variables(item, here)
    return found


def environment_doc(env: Environment) -> Doc:
    """Returns a model Environment as a native environment document."""
    out: Doc = {"name": env.name, "variables": native.convert(dict(env.values))}
    if env.secrets:
        out["secrets"] = sorted(env.secrets)
    return out


class _Importer:
    """Builds the native document and the warnings for one collection."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.warnings: list[str] = []
        self.tokens: list[tuple[Doc, TokenScript, str]] = []

    def convert(self) -> tuple[Doc, list[str]]:
        """Returns the native collection and the warnings."""
        col = self.collection
        doc: Doc = {"name": col.name}
        if col.description:
            doc["description"] = col.description
        doc["variables"] = native.convert(dict(col.variables))
        if col.auth is not None:
            doc["auth"] = native.auth(col.auth)
            self.note_auth(col.auth.type, col.name)
        self.scripts(doc, col.scripts, col.name, is_request=False)
        doc["items"] = [self.item(item) for item in col.items]
        for node, token, where in self.tokens:
            self.warnings.extend(use_token(node, token, where))
        self.note_names(doc)
        return doc, self.warnings

    def item(self, item: Item) -> Doc:
        """Returns one native folder or request."""
        where = " › ".join(item.location.item_path)
        if isinstance(item, Folder):
            doc: Doc = {"name": item.name}
            if item.description:
                doc["description"] = item.description
            if item.auth is not None:
                doc["auth"] = native.auth(item.auth)
                self.note_auth(item.auth.type, where)
            if item.variables:
                doc["variables"] = native.convert(dict(item.variables))
            self.scripts(doc, item.scripts, where, is_request=False)
            doc["items"] = [self.item(child) for child in item.items]
            return doc
        return self.request(item, where)

    def request(self, req: Request, where: str) -> Doc:
        """Returns one native request with its asserts, captures and remaining scripts."""
        notes: list[str] = []
        doc = native.request(req, notes)
        self.warnings.extend(f"{where}: {note}" for note in notes)
        self.scripts(doc, req.scripts, where, is_request=True)
        return doc

    def scripts(self, doc: Doc, scripts: Scripts, where: str, *, is_request: bool) -> None:
        """Translates what it can of `scripts` into `doc`; keeps the rest under `scripts`."""
        kept: dict[str, list[str]] = {"prerequest": [], "test": []}
        for script in scripts.prerequest:
            pieces = statements(script.source)
            left = [p for p in pieces if not self.token_script(doc, p, where)]
            kept["prerequest"].append(self.remainder(script, pieces, left, where, "prerequest"))
        asserts = Asserts()
        captures: dict[str, JSON] = {}
        for script in scripts.test:
            pieces = statements(script.source)
            left = asserts.translate(pieces, captures) if is_request else pieces
            kept["test"].append(self.remainder(script, pieces, left, where, "test"))
        if asserts:
            doc["assert"] = asserts.to_native()
        if captures:
            doc["capture"] = captures
        texts = {k: "\n".join(t for t in v if t) for k, v in kept.items()}
        if any(texts.values()):
            doc["scripts"] = {k: v for k, v in texts.items() if v}

    def token_script(self, doc: Doc, piece: Piece, where: str) -> bool:
        """Records `piece` when it is the token pre-request script; returns True if so."""
        token = None if piece.is_comment else token_request(piece.code, self.known)
        if token is not None:
            self.tokens.append((doc, token, where))
        return token is not None

    def remainder(
        self, script: Script, pieces: list[Piece], left: list[Piece], where: str, listen: str
    ) -> str:
        """Returns the script without its translated pieces, warning once per piece left."""
        self.warn_kept(left, where, listen)
        return keep(script.source, pieces, left)

    @property
    def known(self) -> dict[str, JSON]:
        """Returns the collection's variables (a token script's `||` fallbacks check them)."""
        return dict(self.collection.variables)

    def warn_kept(self, pieces: list[Piece], where: str, listen: str) -> None:
        """Adds one warning per kept piece of code."""
        for piece in pieces:
            if piece.is_comment:
                continue
            first = piece.code.splitlines()[0]
            shown = first if len(first) <= 70 else first[:69] + "…"
            self.warnings.append(
                f"{where}: {listen} script line {piece.code_line} kept as a script: {shown}"
                + _library_note(piece.code)
            )

    def note_auth(self, kind: str, where: str) -> None:
        """Warns about a folder or collection auth type the native format lacks."""
        if kind not in native.NATIVE_AUTH:
            self.warnings.append(f"{where}: auth type {kind!r} has no native equivalent")

    def note_names(self, doc: Doc) -> None:
        """Warns about `{{names}}` that native `<<names>>` cannot express."""
        odd = native.odd_names(_declarative(doc))
        for name in sorted(odd):
            self.warnings.append(
                f"variable reference {name!r} cannot be written as a native <<name>> "
                "(spaces or nesting): rename the variable"
            )


def _library_note(code: str) -> str:
    """Returns why a kept piece using a library of Postman's sandbox stays a script ("" if none)."""
    if _SCHEMA.search(code):
        return (
            " (a JSON schema check that stays a script, run with the same library as Postman:"
            ' a native "schema" assertion needs the schema as a literal of this script, the'
            " response JSON as the data, and a schema the library judges as runner does)"
        )
    provided = lock().modules
    names = ["lodash" if n == "lodash3" else n for n in wanted_modules(code) if n in provided]
    if not names:
        return ""
    listed = ", ".join(dict.fromkeys(names))
    return f" (uses {listed}: runner provides it, fetched from npm on first use)"


def _declarative(doc: JSON) -> JSON:
    """Returns `doc` without its `scripts` (JS stays in Postman's own syntax)."""
    if isinstance(doc, dict):
        return {k: _declarative(v) for k, v in doc.items() if k != "scripts"}
    if isinstance(doc, list):
        return [_declarative(v) for v in doc]
    return doc
