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
    for name, value in masker.mask_headers(exchange.request_headers):
        if name.lower() not in _IMPLIED:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if exchange.request_body:
        parts += ["--data-raw", shlex.quote(masker.mask(exchange.request_body))]
    return " ".join(parts)
