"""A deadline for a whole request: connect, send, headers and body, however slowly they come.

`requests` timeouts bound each socket operation, so a response that trickles in one byte
at a time never times out. Here every connection says which request it is serving, and one
watchdog thread shuts the connection's socket when that request's deadline passes; the
blocked read then fails at once and the transport reports the timeout.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_active = threading.local()


class Deadline:
    """The moment a request must be complete by, and the connection to cut when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self.done = False
        self.connection: Any = None
        self._lock = threading.Lock()

    def expire(self) -> None:
        """Cuts the request's connection, unless the request already finished."""
        with self._lock:
            if self.done:
                return
            self.expired = True
            connection = self.connection
            sock = getattr(connection, "sock", None)
            # The connection may serve another request by now (back in the pool): leave it.
            if sock is None or getattr(connection, "runner_deadline", None) is not self:
                return
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        """Marks the request complete: the watchdog leaves it alone from now on."""
        with self._lock:
            self.done = True


class _Watchdog:
    """One thread for every deadline of the process, woken for the earliest one."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: Deadline) -> None:
        with self._condition:
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
                self._thread.start()
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._heap:
                    self._condition.wait()
                at, _, deadline = self._heap[0]
                left = at - time.monotonic()
                if left > 0:
                    self._condition.wait(left)
                    continue
                heapq.heappop(self._heap)
            if not deadline.done:
                deadline.expire()


_WATCHDOG = _Watchdog()


@contextmanager
def deadline(seconds: float | None) -> Iterator[Deadline | None]:
    """Runs the block (one request) under a deadline of `seconds`; None means no deadline."""
    if not seconds:
        yield None
        return
    current = Deadline(seconds)
    _active.deadline = current
    _WATCHDOG.watch(current)
    try:
        yield current
    finally:
        current.finish()
        _active.deadline = None


class _Tracked:
    """Mixed into urllib3 connections: each request tells its deadline which socket to cut."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        current = getattr(_active, "deadline", None)
        self.runner_deadline = current
        if current is not None:
            if current.expired:  # connecting used up the time: do not start sending
                raise TimeoutError("the request's deadline passed")
            current.connection = self
        return super().request(*args, **kwargs)  # type: ignore[misc]


class TrackedHTTPConnection(_Tracked, HTTPConnection):
    """An HTTP connection a deadline can cut."""


class TrackedHTTPSConnection(_Tracked, HTTPSConnection):
    """An HTTPS connection a deadline can cut."""


class TrackedHTTPPool(HTTPConnectionPool):
    """A pool of TrackedHTTPConnection."""

    ConnectionCls = TrackedHTTPConnection


class TrackedHTTPSPool(HTTPSConnectionPool):
    """A pool of TrackedHTTPSConnection."""

    ConnectionCls = TrackedHTTPSConnection


POOL_CLASSES = {"http": TrackedHTTPPool, "https": TrackedHTTPSPool}
