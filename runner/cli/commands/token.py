"""`runner token`: get the token an auth block describes; show its response and claims.

The quickest way to see why ARM or Graph answers 401/403: which audience, tenant, app
and roles the token really carries.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from runner.api import load_dotenv
from runner.cli.commands.inputs import parse_vars
from runner.errors import AuthError, InputError, Location
from runner.model import AuthSpec, Collection, Environment, Folder, flatten
from runner.status import ExitStatus
from runner.values import JSON

CLAIMS = ("aud", "iss", "tid", "appid", "azp", "oid", "sub", "roles", "scp", "ver", "iat", "nbf")


def token_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Acquires the token and prints it (masked) with its claims; returns 0 or 1."""
    from runner.auth import prepare
    from runner.auth.base import TokenCache
    from runner.engine.session import base_scope, build_masker
    from runner.resolve.variables import Renderer
    from runner.results import ItemResult
    from runner.transport.http import RequestsTransport

    load_dotenv(args.dotenv)
    variables = parse_vars(args.var)
    spec, collection = _auth_spec(Path(args.source))
    environment = _environment(args.environment)
    masker = build_masker(collection, environment, None, variables)
    scope = base_scope(collection, environment, None, variables)
    renderer = Renderer(scope)
    plan = prepare(spec, renderer.text, base_dir=collection.base_dir)
    masker.add_all(plan.secrets)
    if plan.source is None:
        raise InputError(
            f"auth type '{spec.type}' does not acquire tokens",
            location=spec.location,
            hint="runner token works with oauth2 and azure auth blocks",
        )
    transport = RequestsTransport(verify=False if args.insecure else (args.ca_bundle or True))
    steps: list[ItemResult] = []
    try:
        token = TokenCache(transport).get(plan.source, steps.append, 1)
    except AuthError as exc:
        err.write(masker.mask(f"failed: {exc.render()}\n"))
        return ExitStatus.FAILED
    finally:
        transport.close()
    masker.add(token.refresh_token)
    if not args.show_token:
        masker.add(token.value)
    out.write(masker.mask(json.dumps(_response(token.response, args.show_token), indent=2)) + "\n")
    out.write(_claims_text(token.value, token.expires_at))
    return ExitStatus.SUCCESS


def _response(payload: dict[str, JSON], show: bool) -> dict[str, JSON]:
    hidden = {"refresh_token", "id_token"} | (set() if show else {"access_token"})
    return {k: ("***" if k in hidden and v else v) for k, v in payload.items()}


def _claims_text(token: str, expires_at: float) -> str:
    from runner.auth.apierrors import token_claims

    claims = token_claims(token)
    lines = ["", "claims:" if claims else "the token is not a JWT: no claims to show"]
    for name in CLAIMS:
        if name in claims:
            value = claims[name]
            if name in ("iat", "nbf"):
                value = _date(value)
            lines.append(f"  {name}: {value if isinstance(value, str) else json.dumps(value)}")
    exp = claims.get("exp", expires_at)
    lines.append(f"  exp: {_date(exp)}")
    return "\n".join(lines) + "\n"


def _date(value: JSON) -> str:
    try:
        return datetime.fromtimestamp(float(value), UTC).isoformat(timespec="seconds")
    except (TypeError, ValueError):
        return str(value)


def _environment(path: str | None) -> Environment | None:
    if not path:
        return None
    from runner.loader import load_environment

    return load_environment(path)


def _auth_spec(path: Path) -> tuple[AuthSpec, Collection]:
    """Returns the first token-acquiring auth block of a collection, or the auth file's block."""
    from runner.loader.files import read_json

    doc = read_json(path)
    if isinstance(doc, dict) and isinstance(doc.get("type"), str) and "items" not in doc:
        spec = AuthSpec(
            doc["type"], {k: v for k, v in doc.items() if k != "type"}, Location(str(path))
        )
        return spec, Collection(path.stem, (), path)
    from runner.loader import load_collection

    collection = load_collection(path)
    candidates: list[AuthSpec | None] = [collection.auth]
    for step in flatten(collection.items):
        candidates.extend(f.auth for f in step.folders if isinstance(f, Folder))
        candidates.append(step.request.auth)
    for candidate in candidates:
        if candidate is not None and candidate.type in ("oauth2", "azure"):
            return candidate, collection
    raise InputError(
        "no oauth2 or azure auth block found",
        location=Location(str(path)),
        hint='give a collection with an oauth2/azure "auth", or a file holding just the auth block',
    )
