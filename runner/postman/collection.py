"""Postman collection v2.0/v2.1 documents → model.Collection (dialect "postman")."""

from __future__ import annotations

import hashlib
from pathlib import Path

from runner.errors import InputError, Location, Problems
from runner.model import Collection, Folder, Item, Options, Request, Script, Scripts
from runner.postman import body as bodies
from runner.postman.auth import auth
from runner.postman.detect import detect, unwrap
from runner.postman.fields import description, entries, text, variables
from runner.postman.url import url_text
from runner.values import JSON

V1_MESSAGE = (
    "Postman collection format v1 is not supported: re-export it from Postman as Collection v2.1"
)


def load_collection(doc: JSON, path: Path) -> Collection:
    """Returns the collection in a parsed Postman document.

    Raises:
        InputError: a v1 collection, or not a collection; InputErrors for malformed items.
    """
    at = Location(str(path))
    kind = detect(doc)
    if kind == "v1":
        raise InputError(V1_MESSAGE, location=at, hint="File › Export › Collection v2.1")
    if unwrap(doc) is not doc:
        at = at.child("collection")
    doc = unwrap(doc)
    if kind != "collection" or not isinstance(doc, dict):
        raise InputError("not a Postman collection (no `info` and `item`)", location=at)
    info: dict[str, JSON] = doc["info"] if isinstance(doc.get("info"), dict) else {}
    name = text(info.get("name")) or path.stem
    loader = _Loader(path, Problems())
    items = loader.items(doc.get("item"), at.child("item"), (), _options(doc))
    loader.problems.raise_if_any()
    return Collection(
        name=name,
        items=items,
        source=path,
        dialect="postman",
        auth=auth(doc.get("auth"), at.child("auth")),
        variables={**variables(doc.get("variables")), **variables(doc.get("variable"))},
        scripts=scripts(doc.get("event"), at.child("event")),
        description=description(info.get("description")),
    )


def scripts(events: JSON, at: Location) -> Scripts:
    """Returns the enabled prerequest and test scripts of an `event` list."""
    found: dict[str, list[Script]] = {"prerequest": [], "test": []}
    for index, event in entries(events):
        listen = event.get("listen")
        script = event.get("script")
        if listen not in found or not isinstance(script, dict):
            continue
        source = script.get("exec")
        lines = source if isinstance(source, list) else [source]
        code = "\n".join(text(line) for line in lines)
        if code.strip():
            found[listen].append(Script(code, at.child(index, "script", "exec")))
    return Scripts(tuple(found["prerequest"]), tuple(found["test"]))


def _options(node: dict[str, JSON], parent: Options | None = None) -> Options:
    """Returns `protocolProfileBehavior` merged over the parent's (children win, as in Newman)."""
    base = parent or Options()
    ppb = node.get("protocolProfileBehavior")
    if not isinstance(ppb, dict):
        return base
    return Options(
        follow_redirects=_bool(ppb.get("followRedirects"), base.follow_redirects),
        max_redirects=_int(ppb.get("maxRedirects"), base.max_redirects),
        verify_tls=_bool(ppb.get("strictSSL"), base.verify_tls),
        disable_cookies=_bool(ppb.get("disableCookies"), base.disable_cookies),
        follow_original_method=_bool(
            ppb.get("followOriginalHttpMethod"), base.follow_original_method
        ),
        remove_referer_on_redirect=_bool(
            ppb.get("removeRefererHeaderOnRedirect"), base.remove_referer_on_redirect
        ),
    )


def _bool(value: JSON, default: bool | None) -> bool | None:
    return value if isinstance(value, bool) else default


def _int(value: JSON, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


class _Loader:
    """Walks the item tree, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path, problems: Problems) -> None:
        self.path = path
        self.problems = problems

    def items(
        self, value: JSON, at: Location, names: tuple[str, ...], options: Options
    ) -> tuple[Item, ...]:
        """Returns the folders and requests of an `item` list."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problems.add("`item` must be a list", at)
            return ()
        found: list[Item] = []
        for index, node in enumerate(value):
            item = self.item(node, at.child(index), names, options)
            if item is not None:
                found.append(item)
        return tuple(found)

    def item(
        self, node: JSON, at: Location, names: tuple[str, ...], options: Options
    ) -> Item | None:
        """Returns one folder or request, or None after recording a problem."""
        if not isinstance(node, dict):
            self.problems.add("an item must be an object", Location(at.file, at.pointer, names))
            return None
        if "item" in node:
            return self.folder(node, at, names, options)
        if "request" in node:
            return self.request(node, at, names, options)
        label = text(node.get("name")) or "(unnamed)"
        where = Location(at.file, at.pointer, (*names, label))
        self.problems.add("item has neither `request` nor `item`", where)
        return None

    def folder(
        self, node: dict[str, JSON], at: Location, names: tuple[str, ...], options: Options
    ) -> Folder:
        """Returns a folder and everything below it."""
        name = text(node.get("name")) or "Untitled folder"
        here = Location(at.file, at.pointer, (*names, name))
        inner = _options(node, options)
        return Folder(
            name=name,
            items=self.items(node.get("item"), here.child("item"), here.item_path, inner),
            location=here,
            id=text(node.get("id") or node.get("_postman_id")) or _stable_id(here),
            auth=auth(node.get("auth"), here.child("auth")),
            # A folder's `variable` list is left out: Newman (postman-runtime) never reads
            # it, so `{{name}}` defined only there goes out as written.
            scripts=scripts(node.get("event"), here.child("event")),
            description=description(node.get("description")),
        )

    def request(
        self, node: dict[str, JSON], at: Location, names: tuple[str, ...], options: Options
    ) -> Request:
        """Returns a request item."""
        name = text(node.get("name")) or "Untitled request"
        here = Location(at.file, at.pointer, (*names, name))
        raw = node.get("request")
        spec: dict[str, JSON] = raw if isinstance(raw, dict) else {"url": raw}
        pairs = bodies.headers(spec.get("header"))
        return Request(
            name=name,
            method=(text(spec.get("method")) or "GET").upper(),
            url=url_text(spec.get("url")),
            location=here,
            id=text(node.get("id") or node.get("_postman_id")) or _stable_id(here),
            headers=pairs,
            body=bodies.body(spec.get("body"), pairs),
            auth=auth(spec.get("auth"), here.child("request", "auth")),
            scripts=scripts(node.get("event"), here.child("event")),
            options=_options(node, options),
            description=description(spec.get("description") or node.get("description")),
        )


def _stable_id(at: Location) -> str:
    """Returns an id derived from the file name and the item's pointer (same on every load)."""
    seed = f"{Path(at.file).name}#{at.pointer}"
    return hashlib.sha1(seed.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
