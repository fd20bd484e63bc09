"""A fake transport for engine tests: answers each request from a function, records them all.

The step and loop tests use it to shape exact responses (a 503 then a 200, a dropped
connection, a capture's source) without a server; the end-to-end tests use real servers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from requests.structures import CaseInsensitiveDict

from runner.transport.http import HttpRequest, HttpResponse

Answer = Callable[[HttpRequest], "HttpResponse | Exception"]


def reply(
    body: Any = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    elapsed_ms: float = 1.0,
    url: str = "",
) -> HttpResponse:
    """Returns a response with `body` as JSON (text as it is) and the given status."""
    raw = body if isinstance(body, str) else json.dumps(body)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return HttpResponse(
        status=status,
        reason={200: "OK", 401: "Unauthorized", 503: "Service Unavailable"}.get(status, ""),
        headers=CaseInsensitiveDict(all_headers),
        body=raw.encode("utf-8"),
        elapsed_ms=elapsed_ms,
        url=url,
        header_list=list(all_headers.items()),
    )


class FakeTransport:
    """Sends nothing: `answer(request)` gives the response (or the exception to raise)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent: list[HttpRequest] = []
        self.closed = False
        self._lock = threading.Lock()

    def send(self, request: HttpRequest) -> HttpResponse:
        """Records `request` and returns (or raises) what `answer` gives."""
        with self._lock:
            self.sent.append(request)
        answer = self.answer(request)
        if isinstance(answer, Exception):
            raise answer
        # The response takes the time it says it took, as a real exchange would.
        time.sleep(answer.elapsed_ms / 1000)
        return answer

    def close(self) -> None:
        """Marks the transport closed."""
        self.closed = True

    @property
    def urls(self) -> list[str]:
        """Returns the URL of every request sent, in order."""
        return [r.url for r in self.sent]


def queue(*answers: HttpResponse | Exception) -> Answer:
    """Returns an answer function giving `answers` in turn (the last one again after that)."""
    left = list(answers)

    def answer(_request: HttpRequest) -> HttpResponse | Exception:
        return left.pop(0) if len(left) > 1 else left[0]

    return answer
