"""Model nodes of a Postman collection → native JSON (contract section 3), `{{x}}` → `<<x>>`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from runner.model import AuthSpec, Body, FilePart, Pairs, Request
from runner.values import JSON

_POSTMAN_REF = re.compile(r"\{\{([^{}]+?)\}\}")


def convert(value: JSON) -> JSON:
    """Returns `value` with every `{{name}}` in its strings written `<<name>>`."""
    if isinstance(value, str):
        return _POSTMAN_REF.sub(lambda m: f"<<{m.group(1)}>>", value)
    if isinstance(value, list | tuple):
        return [convert(v) for v in value]
    if isinstance(value, Mapping):
        return {convert(k): convert(v) for k, v in value.items()}
    return value


def odd_names(value: JSON) -> set[str]:
    """Returns references in converted text that native templates cannot hold.

    Native names have no spaces, and `{{a.{{b}}}}` nesting has no native form.
    """
    found: set[str] = set()
    if isinstance(value, str):
        refs = re.finditer(r"<<(.+?)>>", value)
        found.update(m.group(0) for m in refs if re.search(r"\s", m.group(1)))
        found.update(re.findall(r"\{\{.*?\}\}", value))
    elif isinstance(value, list | tuple):
        for v in value:
            found |= odd_names(v)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            found |= odd_names(k) | odd_names(v)
    return found


def auth(spec: AuthSpec) -> dict[str, JSON]:
    """Returns the native auth block (Postman-only types keep their Postman keys, but not
    the ones Postman exported without a value: null is no value in either format, and the
    native format takes none)."""
    params = {k: v for k, v in spec.params.items() if v is not None}
    if spec.type == "bearer" and params.get("prefix") in (None, "Bearer"):
        params.pop("prefix", None)
    return {"type": spec.type, **convert(params)}


def headers(pairs: Pairs, notes: list[str]) -> dict[str, str]:
    """Returns headers as a dict; repeated names are joined with ", " (and noted)."""
    out: dict[str, str] = {}
    for name, value in pairs:
        if name in out:
            notes.append(f"header {name!r} given twice: values joined with ', '")
            out[name] = f"{out[name]}, {convert(value)}"
        else:
            out[name] = convert(value)
    return out


def body(value: Body, notes: list[str]) -> dict[str, JSON]:
    """Returns the native body for a model Body."""
    if value.kind in ("form", "multipart"):
        fields: dict[str, JSON] = {}
        for name, item in value.value:
            if name in fields:
                notes.append(f"{value.kind} field {name!r} given twice: the last one is kept")
            fields[convert(name)] = _part(item)
        return {value.kind: fields}
    if value.kind == "file":
        out: dict[str, JSON] = {"file": convert(value.value)}
    else:
        out = {"raw": convert(value.value)}
    if value.content_type:
        out["contentType"] = value.content_type
    return out


def _has_files(value: Body) -> bool:
    if value.kind == "file":
        return True
    return value.kind == "multipart" and any(isinstance(v, FilePart) for _, v in value.value)


def _part(item: str | FilePart) -> JSON:
    if isinstance(item, FilePart):
        return {"file": convert(item.path)}
    return convert(item)


NATIVE_AUTH = {"none", "bearer", "basic", "apikey", "oauth2", "digest", "oauth1", "hawk"}


def request(req: Request, notes: list[str]) -> dict[str, JSON]:
    """Returns the native request (assert, capture and scripts are added by the importer)."""
    out: dict[str, JSON] = {"name": req.name, "method": req.method, "url": convert(req.url)}
    if not req.url:
        notes.append("the request has no URL: the native format needs one")
    if req.description:
        out["description"] = req.description
    if req.headers:
        out["headers"] = headers(req.headers, notes)
    if req.body is not None:
        out["body"] = body(req.body, notes)
        content_type = next((v for k, v in req.headers if k.lower() == "content-type"), None)
        if "raw" in out["body"] and "contentType" not in out["body"] and content_type:
            out["body"]["contentType"] = convert(content_type)
    if req.auth is not None:
        out["auth"] = auth(req.auth)
        if req.auth.type not in NATIVE_AUTH:
            notes.append(f"auth type {req.auth.type!r} has no native equivalent")
    if req.body is not None and _has_files(req.body):
        notes.append("file paths in the body are read relative to the native collection's folder")
    if req.options.disable_cookies is not None:
        out["cookies"] = not req.options.disable_cookies
    if any(v is not None for k, v in vars(req.options).items() if k != "disable_cookies"):
        notes.append(f"protocolProfileBehavior {_options(req)} has no native equivalent yet")
    return out


def _options(req: Request) -> str:
    names = {
        "follow_redirects": "followRedirects",
        "max_redirects": "maxRedirects",
        "verify_tls": "strictSSL",
    }
    shown = {names[k]: v for k, v in vars(req.options).items() if v is not None and k in names}
    return ", ".join(f"{k}={v}" for k, v in shown.items())
