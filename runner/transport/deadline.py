"""A deadline for a whole request: connect, send, headers and body, however slowly they come.

`requests` timeouts bound each socket operation, so a response that trickles in one byte
at a time never times out. Here every connection says which request it is serving, and one
watchdog thread shuts the connection's socket when that request's deadline passes; the
blocked read then fails at once and the transport reports the timeout.

A run can have a deadline of its own (`--timeout`): the thread running one of its steps
declares it (`run_deadline`), and every request sent meanwhile, a token request or a
script's sendRequest too, gets the earlier of its own deadline and the run's.
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


class RunDeadline:
    """When a whole run must end (time.monotonic()), and its name in messages."""

    def __init__(self, at: float, label: str) -> None:
        self.at = at
        self.label = label  # e.g. "run timeout (500 ms)"

    def left(self) -> float:
        """Returns the seconds left before the run's deadline (0 or less once it passed)."""
        return self.at - time.monotonic()


@contextmanager
def run_deadline(limit: RunDeadline | None) -> Iterator[None]:
    """Runs the block (a step of a run, on this thread) under the run's deadline `limit`."""
    previous = getattr(_active, "run", None)
    _active.run = limit
    try:
        yield
    finally:
        _active.run = previous


def current_run_deadline() -> RunDeadline | None:
    """Returns the deadline of the run this thread works for, or None."""
    run: RunDeadline | None = getattr(_active, "run", None)
    return run


def sleep_within_run(seconds: float) -> bool:
    """Sleeps `seconds`, or less when the run's deadline comes first; returns False then."""
    run = current_run_deadline()
    if run is not None and run.left() < seconds:
        time.sleep(max(0.0, run.left()))
        return False
    time.sleep(seconds)
    return True


class Deadline:
    """The moment a request must be complete by, and the connection to cut when it passes.

    `run` is set when the run's deadline is the earlier one: it is what cuts the request.
    """

    def __init__(self, seconds: float, run: RunDeadline | None = None) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.run = run
        self.expired = seconds <= 0  # the run's deadline passed already: nothing is sent
        self.done = False
        self.connection: Any = None
        self._lock = threading.Lock()

    def passed(self) -> bool:
        """Returns True once the deadline's moment has come (cut or not)."""
        return time.monotonic() >= self.at

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
    """Runs the block (one request) under a deadline of `seconds` (None or 0: none), or the
    run's when that comes first (see `run_deadline`)."""
    run = current_run_deadline()
    if run is not None and (not seconds or run.left() < seconds):
        current = Deadline(max(0.0, run.left()), run)
    elif seconds:
        current = Deadline(seconds)
    else:
        yield None
        return
    _active.deadline = current
    if not current.expired:
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
