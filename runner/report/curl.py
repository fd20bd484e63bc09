"""A request as the curl command that repeats it (secrets masked), for `--curl`."""

from __future__ import annotations

import shlex

from runner.results import Exchange
from runner.secrets import Masker

# Headers curl sets itself; repeating them only adds noise.
_IMPLIED = frozenset({"content-length", "connection", "accept-encoding", "host"})


def curl_command(exchange: Exchange, masker: Masker) -> str:
    """Returns a shell-quoted curl command for what was sent, with every secret as ***."""
    parts = ["curl"]
    if exchange.method != "GET" or exchange.request_body:
        parts += ["-X", exchange.method]
    parts.append(shlex.quote(masker.mask(exchange.url)))
    implied = _IMPLIED | {"content-type"} if exchange.request_parts else _IMPLIED
    for name, value in masker.mask_headers(exchange.request_headers):
        if name.lower() not in implied:  # -F writes its own multipart Content-Type
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if exchange.request_body:
        parts += ["--data-raw", shlex.quote(masker.mask(exchange.request_body))]
    for part in exchange.request_parts:
        if part.filename is not None:
            field = f"{part.name}=@{part.filename}"
            field += f";type={part.content_type}" if part.content_type else ""
        else:
            field = f"{part.name}={part.preview or ''}"
        parts += ["-F", shlex.quote(masker.mask(field))]
    return " ".join(parts)
