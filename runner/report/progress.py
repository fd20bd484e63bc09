"""The live progress line on a terminal: done/total, failures, the request in flight, ETA.

It is redrawn in place (`\\r`, erase line) a few times a second by a daemon thread, so a
slow request shows its running time while it is in flight. The console reporter clears it
before printing a result line and draws it again after.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable

from runner.report.terminal import dumb_terminal

#: How often the line is redrawn while nothing else is printed.
REFRESH_S = 0.25


def live_progress_wanted(mode: str, tty: bool) -> bool:
    """Returns whether to draw the live line (`always`, `never`, or `auto`: a TTY outside CI
    that is not a dumb terminal, which cannot erase a line)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    ci = os.environ.get("CI", "").strip().lower()
    return tty and ci in ("", "0", "false") and not dumb_terminal()


class LiveLine:
    """The state behind the progress line; every method is thread-safe."""

    def __init__(self, write: Callable[[str], None], color: bool) -> None:
        self._write = write
        self._color = color
        self._lock = threading.RLock()
        self.total = 0
        self.done = 0
        self.failed = 0
        self._inflight: dict[object, tuple[str, float]] = {}
        self._started = time.monotonic()
        self._shown = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, total: int) -> None:
        """Starts redrawing; `total` is the number of requests the run will report."""
        self.total = total
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._tick, name="runner-progress", daemon=True)
        self._thread.start()

    def add(self, total: int) -> None:
        """Adds `total` requests to report (several collections starting one by one)."""
        with self._lock:
            self.total += total

    def stop(self) -> None:
        """Stops redrawing and erases the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        self.clear()

    def begin(self, key: object, label: str) -> None:
        """Notes that a request started."""
        with self._lock:
            self._inflight[key] = (label, time.monotonic())

    def end(self, key: object) -> None:
        """Notes that a request finished (its result may be reported later)."""
        with self._lock:
            self._inflight.pop(key, None)

    def count(self, ok: bool) -> None:
        """Counts one reported request."""
        with self._lock:
            self.done += 1
            self.failed += 0 if ok else 1

    def print(self, text: str) -> None:
        """Prints `text` (whole lines) above the line, then draws the line again."""
        with self._lock:
            self.clear()
            self._write(text)
            if self._thread is not None and not self._stop.is_set():
                self.draw()

    def clear(self) -> None:
        """Erases the line if it is shown (call before printing anything else)."""
        with self._lock:
            if self._shown:
                self._write("\r\x1b[K")
                self._shown = False

    def draw(self) -> None:
        """Draws the line, cut to the terminal's width."""
        with self._lock:
            text = self.render(time.monotonic())
            width = shutil.get_terminal_size((100, 24)).columns
            if len(text) > width - 1:
                text = text[: max(width - 2, 10)] + "…"
            self._write("\r\x1b[K" + (f"\x1b[2m{text}\x1b[0m" if self._color else text))
            self._shown = True

    def render(self, now: float) -> str:
        """Returns the line's text at time `now` (monotonic seconds)."""
        with self._lock:
            parts = [f"[{self.done}/{self.total}]" if self.total else f"[{self.done}]"]
            if self.failed:
                parts.append(f"{self.failed} failed")
            if self._inflight:
                label, since = min(self._inflight.values(), key=lambda v: v[1])
                more = len(self._inflight) - 1
                parts.append(f"{label} {now - since:.1f} s" + (f" (+{more} more)" if more else ""))
            elapsed = now - self._started
            if 0 < self.done < self.total:
                parts.append("ETA " + _clock(elapsed / self.done * (self.total - self.done)))
            return "  " + " · ".join(parts)

    def _tick(self) -> None:
        while not self._stop.wait(REFRESH_S):
            self.draw()


def _clock(seconds: float) -> str:
    """Returns `m:ss` (or `h:mm:ss`) for a duration."""
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
