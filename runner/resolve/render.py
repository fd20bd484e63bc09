"""A request template + variables → an HttpRequest ready to send (templates rendered here)."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, urlencode

from runner.errors import InputError, Location, RequestError
from runner.model import Body, FilePart, Request
from runner.records import record
from runner.resolve.variables import Renderer
from runner.transport.http import HttpRequest, Part
from runner.transport.signing import RequestAuth


@record
class Settings:
    """Run-wide request settings from the command line."""

    timeout_ms: int | None = None
    follow_redirects: bool = True


def resolve(
    request: Request,
    renderer: Renderer,
    *,
    base_dirs: Sequence[Path],
    settings: Settings,
    url: str | None = None,
    method: str | None = None,
    headers: Sequence[tuple[str, str]] | None = None,
    auth_headers: Sequence[tuple[str, str]] = (),
    auth_query: Sequence[tuple[str, str]] = (),
    auth: RequestAuth | None = None,
) -> HttpRequest:
    """Returns the HttpRequest for `request` with every template rendered.

    `url`, `method` and `headers` override the request's own (a pre-request script may
    have changed them).
    `auth_headers` (added unless the request sets them), `auth_query` and `auth` (applied
    as it is sent) are what the request's auth asks for: runner.auth.prepare's AuthPlan.

    Raises:
        VariableError: an undefined variable (native collections).
        RequestError: a body file that cannot be read.
    """
    loc = request.location
    final_url = _url(renderer.text(url if url is not None else request.url, loc.child("url")))
    query = [(renderer.text(k, loc), renderer.text(v, loc)) for k, v in request.query]
    query.extend(auth_query)
    if query:
        final_url, hash_mark, fragment = final_url.partition("#")
        joiner = "&" if "?" in final_url else "?"
        final_url += joiner + urlencode(query, quote_via=quote, safe="") + hash_mark + fragment
    rendered_headers = [
        (renderer.text(k, loc), renderer.text(v, loc))
        for k, v in (headers if headers is not None else request.headers)
    ]
    http = HttpRequest(
        method=renderer.text(method or request.method, loc).upper(),
        url=final_url,
        headers=rendered_headers,
        # The request's own timeoutMs wins, 0 (no limit) too: one slow request can lift
        # --timeout-request.
        timeout=_timeout(settings.timeout_ms if request.timeout_ms is None else request.timeout_ms),
        follow_redirects=_follow(request, settings),
        max_redirects=request.options.max_redirects,
        verify=request.options.verify_tls,
        auth=auth,
        use_cookies=not request.options.disable_cookies,
        keep_method_on_redirect=bool(request.options.follow_original_method),
        referer_on_redirect=_referer(request, renderer),
    )
    present = {k.lower() for k, _ in http.headers}
    for name, value in auth_headers:
        if name.lower() not in present:
            http.headers.append((name, value))
    if request.body is not None:
        _body(http, request.body, renderer, base_dirs, loc.child("body"))
    return http


def _referer(request: Request, renderer: Renderer) -> bool:
    """Returns the Referer policy on redirects: Postman sets it unless told not to.

    With removeRefererHeaderOnRedirect Postman only stops adding its own; a Referer the
    request set itself is kept.
    """
    return renderer.dialect == "postman" and not request.options.remove_referer_on_redirect


def _url(url: str) -> str:
    # Postman (and curl) accept URLs without a scheme; so do we.
    if "://" not in url.split("?", 1)[0]:
        return "http://" + url
    return url


def _timeout(ms: int | None) -> float | None:
    return ms / 1000.0 if ms else None


def _follow(request: Request, settings: Settings) -> bool:
    if request.options.follow_redirects is not None:
        return request.options.follow_redirects
    return settings.follow_redirects


def _body(
    http: HttpRequest, body: Body, renderer: Renderer, base_dirs: Sequence[Path], at: Location
) -> None:
    """Sets the body (and a default Content-Type) on `http`."""
    ctype: str | None = body.content_type
    if body.kind == "json":
        http.data = json.dumps(renderer.json(body.value, at), ensure_ascii=False).encode("utf-8")
        ctype = ctype or "application/json"
    elif body.kind == "form":
        pairs = [(renderer.text(k, at), renderer.text(v, at)) for k, v in body.value]
        http.data = urlencode(pairs)
        ctype = ctype or "application/x-www-form-urlencoded"
    elif body.kind == "multipart":
        http.files = [_part(name, value, renderer, base_dirs, at) for name, value in body.value]
        ctype = None  # requests writes the boundary into Content-Type
    elif body.kind == "raw":
        http.data = renderer.text(body.value, at).encode("utf-8")
    else:
        path = find_file(renderer.text(body.value, at), base_dirs)
        http.data = read_body_file(path, at)
        ctype = ctype or mimetypes.guess_type(path.name)[0]
    if ctype and http.header("Content-Type") is None:
        http.headers.append(("Content-Type", ctype))


def _part(
    name: str, value: str | FilePart, renderer: Renderer, base_dirs: Sequence[Path], at: Location
) -> tuple[str, Part]:
    key = renderer.text(name, at)
    if isinstance(value, FilePart):
        path = find_file(renderer.text(value.path, at), base_dirs)
        ctype = value.content_type or mimetypes.guess_type(path.name)[0]
        return key, (path.name, read_body_file(path, at), ctype or "application/octet-stream")
    return key, (None, renderer.text(value, at))


def find_file(name: str, base_dirs: Sequence[Path]) -> Path:
    """Returns `name` in the first of `base_dirs` that has it (else in the first one)."""
    for folder in base_dirs:
        candidate = folder / name
        if candidate.exists():
            return candidate
    return base_dirs[0] / name


def read_body_file(path: Path, at: Location) -> bytes:
    """Returns the bytes of a body file; raises RequestError when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RequestError(f"cannot read body file {path}: {exc.strerror}", location=at) from None


def missing_file(path: Path, at: Location) -> InputError | None:
    """Returns an InputError when a body file named in the collection does not exist."""
    if path.is_file():
        return None
    return InputError(
        f"body file not found: {path}", location=at, hint="paths are relative to the collection"
    )
