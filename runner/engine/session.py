"""Running a collection: the starting variables and secrets, the transport, then the Loop."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from runner.auth.base import TokenCache
from runner.engine.loop import Loop
from runner.engine.options import RunOptions
from runner.loader.files import source_text
from runner.model import Collection, Environment, Folder, Item
from runner.report import MultiReporter, Reporter
from runner.resolve.variables import Renderer, Scope
from runner.results import RunResult
from runner.secrets import Masker, is_sensitive_name
from runner.transport.cookies import load_jar, save_jar
from runner.transport.http import RequestsTransport, Transport
from runner.values import JSON


def run_collection(
    collection: Collection,
    environment: Environment | None = None,
    *,
    globals_env: Environment | None = None,
    variables: Mapping[str, JSON] | None = None,
    options: RunOptions | None = None,
    transport: Transport | None = None,
    reporters: Sequence[Reporter] = (),
    masker: Masker | None = None,
    tokens: TokenCache | None = None,
) -> RunResult:
    """Returns the result of running `collection`; failed assertions are data, not exceptions.

    Reports are finished even when the run is interrupted (the result is then marked so).
    `tokens` keeps tokens across runs (one acquisition for several runs of one process).
    """
    options = options or RunOptions()
    masker = masker or build_masker(collection, environment, globals_env, variables)
    own_transport = transport is None
    if transport is None:
        transport = RequestsTransport(
            verify=_verify(options),
            connect_to=options.connect_to,
            pool_size=max(options.parallel, 1),
            client_cert=options.client_cert,
            cookies=options.cookies,
        )
    jar = getattr(transport, "cookies", None) if options.cookie_jar else None
    if jar is not None and options.cookie_jar:
        for cookie in load_jar(Path(options.cookie_jar)):
            masker.add(cookie.value)  # every cookie value is a credential, as in a header
            jar.set_cookie(cookie)
    loop = Loop(collection, options, transport, MultiReporter(reporters), masker, tokens)
    try:
        return loop.iterate(base_scope(collection, environment, globals_env, variables))
    finally:
        try:
            if jar is not None and options.cookie_jar:  # after a failure or Ctrl-C too
                save_jar(jar, Path(options.cookie_jar))
        finally:
            loop.close()
            if own_transport:
                transport.close()


def _verify(options: RunOptions) -> bool | str:
    if options.insecure:
        return False
    return options.ca_bundle or True


def base_scope(
    collection: Collection,
    environment: Environment | None,
    globals_env: Environment | None,
    variables: Mapping[str, JSON] | None,
) -> Scope:
    """Returns the variables a run starts from, layered (globals < collection < environment
    < --var).

    --var values are environment values, as Newman's --env-var: scripts read them with
    pm.environment and --export-environment writes them. A native collection's also win
    over the data row (its `cli` layer; a script that sets or unsets the name in the
    environment takes that over); a Postman collection's do not, as in Newman.
    """
    scope = Scope(
        {
            "globals": dict(globals_env.values) if globals_env else {},
            "collection": dict(collection.variables),
            "environment": dict(environment.values) if environment else {},
        }
    )
    scope.layers["environment"].update(variables or {})
    if collection.dialect != "postman":
        scope.layers["cli"].update(variables or {})
    return scope


def build_masker(
    collection: Collection,
    environment: Environment | None,
    globals_env: Environment | None,
    variables: Mapping[str, JSON] | None,
) -> Masker:
    """Returns a Masker that knows every secret value the run starts with."""
    masker = Masker()
    masker.add_environment()
    masker.keep(collection_names(collection.name, collection.items))
    sources = [collection.source] + [e.source for e in (environment, globals_env) if e]
    for name in _env_references(sources):
        # Values read through <<$env.NAME>> with a secret-sounding NAME, however short.
        if is_sensitive_name(name) and name in os.environ:
            masker.add(os.environ[name])
    layers: list[tuple[Mapping[str, JSON], frozenset[str]]] = [
        (collection.variables, frozenset()),
        (variables or {}, frozenset()),
    ]
    for env in (environment, globals_env):
        if env is not None:
            layers.append((env.values, env.secrets))
    scope = Scope({"environment": {}})
    for values, secrets in layers:
        scope.layers["environment"].update(values)
        for name, value in values.items():
            if name in secrets or is_sensitive_name(name):
                masker.add(value)
    # Secrets may be written as <<$env.NAME>>: mask what they resolve to as well.
    renderer = Renderer(scope, "native")
    for values, secrets in layers:
        for name, value in values.items():
            if (name in secrets or is_sensitive_name(name)) and isinstance(value, str):
                try:
                    masker.add(renderer.text(value))
                except Exception:  # an undefined reference is reported by validation
                    continue
    return masker


def collection_names(name: str, items: Sequence[Item]) -> list[str]:
    """Returns the collection's own names: its name, and every folder's and request's."""
    names = [name]
    for item in items:
        names += (
            collection_names(item.name, item.items) if isinstance(item, Folder) else [item.name]
        )
    return names


_ENV_REFERENCE = re.compile(r"(?:<<|\{\{)\s*\$env\.([^<>{}\s]+?)\s*(?:>>|\}\})")


def _env_references(sources: Sequence[Path | None]) -> set[str]:
    """Returns the NAMEs of every `<<$env.NAME>>` written in the given input files."""
    names: set[str] = set()
    for source in sources:
        try:
            text = source_text(source) if source else ""
        except OSError:
            continue
        names.update(_ENV_REFERENCE.findall(text))
    return names
