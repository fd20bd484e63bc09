"""Preflight, before anything is sent: every `<<variable>>` defined, every body file present."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from runner.errors import InputError, InputErrors, Location, VariableError
from runner.loader.files import gc_paused
from runner.model import (
    Body,
    Certificate,
    Collection,
    FilePart,
    Folder,
    Request,
    Script,
    Step,
    flatten,
    nearest_auth,
    step_path,
)
from runner.resolve.dynamic import DYNAMIC
from runner.resolve.render import missing_file
from runner.resolve.variables import compile_template, undefined_error
from runner.values import JSON

TOKEN_VARIABLES = frozenset({"bearerToken", "bearerTokenExpiresOn"})
_SCRIPT_SET = re.compile(
    r"""(?:\.set|setEnvironmentVariable|setGlobalVariable)\(\s*["'`]([^"'`]+)["'`]"""
)


def static_problems(
    collection: Collection,
    known: Mapping[str, JSON],
    data_columns: set[str],
    selected: Sequence[Step] | None = None,
) -> tuple[list[InputError], list[str]]:
    """Returns (errors, warnings) about variables and files, for a collection about to run.

    `known` maps every variable defined before the run (globals, collection, environment,
    --var) to its value. Native collections get errors; Postman ones get warnings, as Newman
    leaves unknown `{{var}}` as written. `selected` limits the findings to the steps that will
    run (--folder); by default every step is looked at.
    """
    with gc_paused():
        return _static_problems(collection, known, data_columns, selected)


def _static_problems(
    collection: Collection,
    known: Mapping[str, JSON],
    data_columns: set[str],
    selected: Sequence[Step] | None,
) -> tuple[list[InputError], list[str]]:
    steps = flatten(collection.items) if selected is None else list(selected)
    scripts = _scripts(collection, steps)
    defined = set(known) | data_columns | _script_names(scripts)
    # What requests left out of the selection would have captured or set, and who.
    left_out = _left_out(collection, steps) if selected is not None else {}
    captured: set[str] = set()
    if _uses_tokens(collection, steps):
        defined |= TOKEN_VARIABLES
    errors: list[InputError] = []
    warnings: list[str] = []
    seen: set[tuple[str, str]] = set()
    fixed = {k: v for k, v in known.items() if k not in data_columns}  # data rows override
    cycles: dict[str, tuple[str, ...] | None] = {}  # by text: `fixed` does not change
    http_urls: set[str] = set()  # URL texts known to be http(s), by the same token
    for step in steps:
        folder_names = {n for f in step.folders for n in f.variables}
        scope_names = defined | folder_names if folder_names else defined
        for text, at, parts in _templates(step, collection):
            if not _has_refs(text, collection.dialect):
                continue  # most strings (names, expected values) reference nothing
            undefined = list(_undefined(text, scope_names, known, collection.dialect))
            if collection.dialect != "native":
                cycle = None
            elif text in cycles:
                cycle = cycles[text]
            else:
                cycle = cycles[text] = _cycle(text, fixed, collection.dialect)
            if not undefined and not cycle:
                continue
            where = at.child(*parts)
            for name in undefined:
                if (name, where.pointer) in seen:
                    continue
                seen.add((name, where.pointer))
                if name in left_out:
                    found = _needs_left_out(name, left_out[name], where, collection.dialect)
                    if isinstance(found, str):
                        warnings.append(found)
                    else:
                        errors.append(found)
                elif collection.dialect == "postman":
                    warnings.append(
                        f"{{{{{name}}}}} is not defined ({where}); it is sent as written"
                    )
                else:
                    dynamic = name.startswith("$") and not name.startswith("$env.")
                    names = sorted(DYNAMIC) if dynamic else sorted(scope_names)
                    errors.append(undefined_error(name, names, where, static=True))
            if cycle and (cycle[0], where.pointer) not in seen:
                seen.add((cycle[0], where.pointer))
                errors.append(
                    VariableError(
                        cycle[0],
                        location=where,
                        message=f"variable <<{cycle[0]}>> refers to itself: "
                        + " → ".join(f"<<{n}>>" for n in cycle),
                        hint="break the cycle between these variables",
                    )
                )
        if left_out:
            before = (set(known) | data_columns) - captured
            warnings.extend(_stale(step, collection, left_out, before, seen))
            captured |= {c.name for c in step.request.captures}
        defined |= {c.name for c in step.request.captures}
        errors.extend(_missing_files(step, collection))
        if step.request.url not in http_urls:
            scheme = _url_scheme(step, collection, fixed, data_columns)
            if scheme is not None:
                errors.append(scheme)
            else:
                http_urls.add(step.request.url)
        warnings.extend(_unused_auth_keys(step, collection, seen))
        for problem in (
            _empty_credential(step, collection, fixed, data_columns),
            _private_key(step, collection, fixed, data_columns),
        ):
            if problem is not None and problem.location is not None:
                key = ("<auth credential>", problem.location.pointer)
                if key not in seen:  # a folder's or the collection's auth: reported once
                    seen.add(key)
                    errors.append(problem)
    errors.extend(_script_syntax(scripts))
    return errors, warnings


def _left_out(collection: Collection, selected: list[Step]) -> dict[str, Step]:
    """Returns the variables that requests outside `selected` capture or set in their own
    scripts, each with the first request that does."""
    chosen = {id(s.request) for s in selected}
    # Scripts that run anyway (the collection's, and folders' around a selected request).
    shared = _script_names(_scripts(collection, selected))
    found: dict[str, Step] = {}
    for step in flatten(collection.items):
        if id(step.request) in chosen:
            continue
        names = [c.name for c in step.request.captures]
        nodes: list[Folder | Request] = [*step.folders, step.request]
        sources = [s.source for n in nodes for s in (*n.scripts.prerequest, *n.scripts.test)]
        names += sorted({m.group(1) for t in sources for m in _SCRIPT_SET.finditer(t)} - shared)
        for name in names:
            found.setdefault(name, step)
    return found


def _needs_left_out(name: str, step: Step, where: Location, dialect: str) -> InputError | str:
    """Returns the error (native) or warning (Postman) for a selected request that uses a
    variable only a request outside the selection gives a value."""
    ref = f"{{{{{name}}}}}" if dialect == "postman" else f"<<{name}>>"
    who = " › ".join((*step.path, step.request.name))
    text = f"{ref} is set by '{who}', which the selection leaves out"
    if dialect == "postman":
        return f"{text} ({where}); it is sent as written"
    return VariableError(
        name,
        location=where,
        message=text,
        hint=f"select it too (e.g. --folder {shlex.quote(step_path(step))}), "
        f"or give it a value with --var {name}=VALUE",
    )


def _stale(
    step: Step,
    collection: Collection,
    left_out: Mapping[str, Step],
    before: set[str],
    seen: set[tuple[str, str]],
) -> Iterator[str]:
    """Yields a warning for each variable `step` uses that a left-out request would have
    captured, while another value (environment, collection…) stands in for it."""
    for name in sorted(used_names(step, collection) & left_out.keys() & before):
        key = (name, "<left out>")
        if key in seen:
            continue
        seen.add(key)
        who = left_out[name]
        yield (
            f"'{' › '.join((*step.path, step.request.name))}' uses {name!r}, which "
            f"'{' › '.join((*who.path, who.request.name))}' captures but the selection "
            "leaves out: the value defined before the run is used"
        )


def _unused_auth_keys(
    step: Step, collection: Collection, seen: set[tuple[str, str]]
) -> Iterator[str]:
    """Yields a warning for each key of the step's digest, oauth1 or hawk auth that runner
    does not read and Postman does not write (once per auth block): these types accept
    any key, for what `runner import` copies from a Postman export, so a typo gets here."""
    spec = nearest_auth(step, collection)
    if collection.dialect != "native" or spec is None:
        return
    from runner.auth.extra import KEYS_READ, unused_keys

    for key, guess in unused_keys(spec):
        where = spec.location.child(key)
        if ("<unused auth key>", where.pointer) in seen:
            continue
        seen.add(("<unused auth key>", where.pointer))
        fix = f"did you mean '{guess}'?" if guess else "it reads " + ", ".join(KEYS_READ[spec.type])
        yield f"{where}: auth type '{spec.type}' does not use '{key}', so it is not sent; {fix}"


def _empty_credential(
    step: Step, collection: Collection, known: Mapping[str, JSON], data_columns: set[str]
) -> InputError | None:
    """Returns an error when the step's bearer token or API key is empty before the run.

    Only values known now count; one that comes from a data row or a capture is checked
    when the request is about to be sent.
    """
    spec = nearest_auth(step, collection)
    if collection.dialect != "native" or spec is None:
        return None
    from runner.auth import EMPTY_HINT, REQUIRED_CREDENTIALS, empty_credential

    field = REQUIRED_CREDENTIALS.get(spec.type)
    if field is None:
        return None
    value = _static_text(str(spec.params.get(field, "")), known, data_columns)
    if value is None or value.strip():
        return None
    return InputError(
        empty_credential(spec.type),
        location=spec.location.child(field),
        hint=EMPTY_HINT,
    )


def _private_key(
    step: Step, collection: Collection, known: Mapping[str, JSON], data_columns: set[str]
) -> InputError | None:
    """Returns an error when the step's oauth1 auth signs with RSA and its privateKey, as far
    as it is known before the run, is empty or no unencrypted PEM RSA private key (a Postman
    collection's too: without the key nothing can be signed)."""
    spec = nearest_auth(step, collection)
    if spec is None or spec.type != "oauth1":
        return None
    from runner.auth.extra import PRIVATE_KEY_HINT, RSA_SIGNATURES, private_key_problem

    dialect = collection.dialect
    method = _static_text(
        str(spec.params.get("signatureMethod") or ""), known, data_columns, dialect=dialect
    )
    if method is None or method.upper() not in RSA_SIGNATURES:
        return None
    pem = _static_text(
        str(spec.params.get("privateKey") or ""), known, data_columns, dialect=dialect
    )
    problem = private_key_problem(method.upper(), pem) if pem is not None else None
    if problem is None:
        return None
    # A Postman block lists its keys in an array: the block is where privateKey goes.
    where = spec.location.child("privateKey") if dialect == "native" else spec.location
    return InputError(problem, location=where, hint=PRIVATE_KEY_HINT)


_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*)://")


def _url_scheme(
    step: Step, collection: Collection, known: Mapping[str, JSON], data_columns: set[str]
) -> InputError | None:
    """Returns an error when the request's URL, as far as it is known now, is not HTTP(S)."""
    request = step.request
    url = _static_text(request.url, known, data_columns, dialect=collection.dialect)
    match = _SCHEME.match(url if url is not None else request.url)
    if match is None or match.group(1).lower() in ("http", "https"):
        return None
    where = ("url",) if collection.dialect == "native" else ("request", "url")
    return InputError(
        # The URL as written: a resolved one could show a variable's secret value.
        f"unsupported URL scheme '{match.group(1)}://' in {request.url}",
        location=request.location.child(*where),
        hint="runner sends HTTP requests: use an http:// or https:// URL",
    )


def _static_text(
    text: str,
    known: Mapping[str, JSON],
    data_columns: set[str],
    depth: int = 0,
    dialect: str = "native",
) -> str | None:
    """Returns `text` with its variables filled in, or None when one is known only later."""
    parts: list[str] = []
    for part in compile_template(text, dialect).parts:
        if isinstance(part, str):
            parts.append(part)
            continue
        name = part.name
        if name.startswith("$env."):
            value: JSON = os.environ.get(name[5:])
        elif name in data_columns or name not in known or depth >= 10:
            return None
        else:
            value = known[name]
        if value is None:
            return None
        inner = _static_text(str(value), known, data_columns, depth + 1, dialect)
        if inner is None:
            return None
        parts.append(inner)
    return "".join(parts)


def _undefined(
    text: str, names: set[str], known: Mapping[str, JSON], dialect: str, depth: int = 0
) -> Iterator[str]:
    """Yields the names referenced by `text` (and by the values it names) that are undefined."""
    for ref in compile_template(text, dialect).refs:
        name = ref.name
        if name.startswith("$env."):
            if name[5:] not in os.environ:
                yield name
            continue
        if name.startswith("$"):
            if dialect == "native" and name not in DYNAMIC:
                yield name  # a misspelt dynamic value, e.g. <<$guidd>>
            continue
        if name not in names:
            yield name
            continue
        value = known.get(name)
        if isinstance(value, str) and depth < 10:
            yield from _undefined(value, names, known, dialect, depth + 1)


def _cycle(
    text: str, known: Mapping[str, JSON], dialect: str, chain: tuple[str, ...] = ()
) -> tuple[str, ...] | None:
    """Returns the names of a variable cycle reached from `text` (a → b → a), or None."""
    for ref in compile_template(text, dialect).refs:
        if ref.name in chain:
            return (*chain[chain.index(ref.name) :], ref.name)
        value = known.get(ref.name)
        if isinstance(value, str) and len(chain) < 10:
            found = _cycle(value, known, dialect, (*chain, ref.name))
            if found:
                return found
    return None


_Where = tuple[str | int, ...]


def _has_refs(text: str, dialect: str) -> bool:
    """Returns False when `text` cannot hold a variable reference (a quick test first)."""
    if ("<<" if dialect == "native" else "{{") not in text:
        return False
    return bool(compile_template(text, dialect).refs)


def used_names(step: Step, collection: Collection) -> set[str]:
    """Returns the names of the variables a request renders as it is sent (URL, query,
    headers, body, auth, expected values; not its certificate's, read before the run)."""
    return {
        ref.name
        for text, _, _ in _templates(step, collection, certificate=False)
        for ref in compile_template(text, collection.dialect).refs
    }


def _templates(
    step: Step, collection: Collection, *, certificate: bool = True
) -> Iterator[tuple[str, Location, _Where]]:
    """Yields every template string a request renders, with where it is (with
    `certificate`, its certificate's file names and password too).

    The place is a location and the pointer parts below it: the child location is made
    only for a string that has a problem (loading a large collection stays linear and small).
    """
    request = step.request
    loc = request.location
    yield request.url, loc, ("url",)
    for section, pairs in (("query", request.query), ("headers", request.headers)):
        for key, value in pairs:
            yield key, loc, (section,)
            yield value, loc, (section, key)
    if request.body is not None:
        yield from _body_templates(request.body, loc, ("body",))
    spec = nearest_auth(step, collection)
    if spec is not None:
        for key, value in spec.params.items():
            yield from _json_strings(value, spec.location, (key,))
    for check in request.checks:
        yield from _json_strings(check.expected, check.location, ())
    setting = request.certificate
    if setting and certificate:
        for field in ("cert", "key", "password"):
            value = getattr(setting, field)
            if value is not None:
                yield value, setting.location, (field,)


def _body_templates(
    body: Body, at: Location, parts: _Where
) -> Iterator[tuple[str, Location, _Where]]:
    if body.kind in ("form", "multipart"):
        for key, value in body.value:
            yield key, at, parts
            yield (value.path if isinstance(value, FilePart) else value), at, parts
    else:
        yield from _json_strings(body.value, at, parts)


def _json_strings(
    value: JSON, at: Location, parts: _Where
) -> Iterator[tuple[str, Location, _Where]]:
    if isinstance(value, str):
        yield value, at, parts
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, at, (*parts, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key, at, parts
            yield from _json_strings(item, at, (*parts, key))


def _scripts(collection: Collection, steps: list[Step]) -> list[Script]:
    """Returns the scripts around `steps` (collection, folders, requests), each once."""
    found = {id(s): s for s in (*collection.scripts.prerequest, *collection.scripts.test)}
    for step in steps:
        nodes: tuple[Folder | Request, ...] = (*step.folders, step.request)
        for node in nodes:
            scripts = node.scripts
            if scripts.prerequest or scripts.test:  # most have none
                found.update((id(s), s) for s in (*scripts.prerequest, *scripts.test))
    return list(found.values())


def _script_names(scripts: list[Script]) -> set[str]:
    """Returns variable names that scripts set (`pm.environment.set("x", …)` and friends)."""
    sources = [s.source for s in scripts]
    return {m.group(1) for text in sources for m in _SCRIPT_SET.finditer(text)}


def _script_syntax(scripts: list[Script]) -> list[InputError]:
    """Returns an error for each script that is not JavaScript (compiled by V8, not run)."""
    if not scripts:
        return []
    from runner.scripts.syntax import syntax_problems

    problems = syntax_problems(s.source for s in scripts)
    return [
        InputError(
            str(problems[s.source]),
            location=s.location,
            hint="line 1 is the script's first line; fix the script (nothing was run)",
        )
        for s in scripts
        if s.source in problems
    ]


def _uses_tokens(collection: Collection, steps: list[Step]) -> bool:
    specs = [collection.auth, *(nearest_auth(s, collection) for s in steps)]
    return any(s is not None and s.type in ("oauth2", "azure") for s in specs)


def _missing_files(step: Step, collection: Collection) -> list[InputError]:
    body = step.request.body
    if body is None or collection.dialect != "native":
        return []
    at = step.request.location.child("body")
    paths: list[str] = []
    if body.kind == "file" and isinstance(body.value, str):
        paths.append(body.value)
    if body.kind == "multipart":
        paths.extend(v.path for _, v in body.value if isinstance(v, FilePart))
    problems = []
    for raw in paths:
        if "<<" in raw:
            continue
        problem = missing_file(Path(collection.base_dir) / raw, at)
        if problem is not None:
            problems.append(problem)
    return problems


def client_certificates(
    collection: Collection,
    known: Mapping[str, JSON],
    data_columns: set[str],
    selected: Sequence[Step] | None = None,
) -> tuple[dict[Certificate, tuple[str, str]], list[str]]:
    """Returns the `certificate` settings of the steps that will run, each read once into
    the (certificate PEM, key PEM) files requests presents, and the passwords used (secrets
    to mask).

    Raises:
        InputError / InputErrors: a file missing or unreadable, a wrong or missing password,
            or a value that depends on a variable known only during the run.
    """
    from runner.transport.client_cert import CertNames, client_certificate

    steps = flatten(collection.items) if selected is None else selected
    wanted = {s.request.certificate: None for s in steps if s.request.certificate}
    fixed = {k: v for k, v in known.items() if k not in data_columns}
    loaded: dict[Certificate, tuple[str, str]] = {}
    passwords: list[str] = []
    errors: list[InputError] = []
    for certificate in wanted:
        assert certificate  # False and None were left out above
        at = certificate.location
        values: dict[str, str | None] = {}
        for field in ("cert", "key", "password"):
            text = getattr(certificate, field)
            value = None if text is None else _static_text(text, fixed, data_columns)
            if text is not None and value is None:
                shown = "" if field == "password" else f" {text!r}"  # a password's own text: no
                errors.append(
                    InputError(
                        f"certificate {field}{shown} uses a variable known only during the run "
                        "(a data row or a capture): certificates are read before the run",
                        location=at.child(field),
                        hint="give it from the environment, --var or the collection's variables",
                    )
                )
            values[field] = value
        cert, key, password = values["cert"], values["key"], values["password"]
        if cert is None or (key is None and certificate.key is not None):
            continue
        if password is None and certificate.password is not None:
            continue
        base = collection.base_dir
        try:
            loaded[certificate] = client_certificate(
                str(base / cert),
                str(base / key) if key is not None else None,
                password,
                names=CertNames(
                    "certificate.cert",
                    "certificate.key",
                    "certificate.password",
                    '"key": FILE',
                    '"password"',
                ),
            )
        except InputError as exc:
            errors.append(InputError(exc.message, location=at, hint=exc.hint))
        if password:
            passwords.append(password)
    if errors:
        raise InputErrors(errors) if len(errors) > 1 else errors[0]
    return loaded, passwords
