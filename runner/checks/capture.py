"""Captures: values taken from a response into variables, keeping their JSON type."""

from __future__ import annotations

from collections.abc import Callable

from runner.checks.assertions import cookie_value, not_json_reason
from runner.checks.query import NOTHING, Selection, compile_regex, jsonpath_value
from runner.errors import CaptureError
from runner.model import Capture
from runner.transport.http import HttpResponse
from runner.values import JSON


def extract(capture: Capture, response: HttpResponse, mask: Callable[[str], str] = str) -> JSON:
    """Returns the captured value.

    Raises:
        CaptureError: nothing matched, or the body is not JSON for a jsonpath capture.
    """
    if capture.source == "status":
        return response.status
    if capture.source == "header":
        value = response.headers.get(capture.expr or "")
        if value is None:
            raise CaptureError(f"capture {capture.name}: no header '{capture.expr}' in response")
        return value
    if capture.source == "cookie":
        value = cookie_value(capture.expr or "", response)
        if value is NOTHING:
            raise CaptureError(
                f"capture {capture.name}: no cookie '{capture.expr}' was set or is in the jar"
            )
        return value
    if capture.source == "regex":
        match = compile_regex(capture.expr or "").search(response.text)
        if match is None:
            raise CaptureError(f"capture {capture.name}: /{capture.expr}/ matched nothing")
        try:
            return match.group(capture.group)
        except IndexError:
            raise CaptureError(
                f"capture {capture.name}: /{capture.expr}/ has no group {capture.group}"
            ) from None
    try:
        document = response.json()
    except ValueError:
        raise CaptureError(f"capture {capture.name}: {not_json_reason(response, mask)}") from None
    value = jsonpath_value(capture.expr or "$", document)
    if value is NOTHING or (isinstance(value, Selection) and not value):
        raise CaptureError(f"capture {capture.name}: {capture.expr} found nothing in the response")
    # A wildcard, filter, slice or union captures the list of what it selected, even one value.
    return list(value) if isinstance(value, Selection) else value
