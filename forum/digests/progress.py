"""A progress line for `flask digests send` on a terminal: members done of all, messages
per second, time left. Under cron (no terminal) nothing is drawn: only the summary."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Redraws one line at most every `every` seconds; `close()` ends it with a newline."""

    def __init__(self, stream: TextIO | None = None, every: float = 0.5):
        self.stream = stream or sys.stdout
        self.every = every
        self.started = time.monotonic()
        self._drawn = 0.0
        self.total = 0
        self.done = 0
        self.sent = 0

    def update(self, done: int, total: int, sent: int, *, force: bool = False) -> None:
        self.done, self.total, self.sent = done, total, sent
        now = time.monotonic()
        if force or now - self._drawn >= self.every:
            self._drawn = now
            self.stream.write("\r" + self.line(now - self.started) + "\x1b[K")
            self.stream.flush()

    def line(self, elapsed: float) -> str:
        rate = self.sent / elapsed if elapsed > 0 else 0.0
        per_member = elapsed / self.done if self.done else 0.0
        left = (self.total - self.done) * per_member
        eta = f"{int(left // 60)}:{int(left % 60):02d}" if self.done else "--:--"
        share = 100 * self.done // self.total if self.total else 100
        return (
            f"members {self.done:,}/{self.total:,} ({share}%) · {self.sent:,} sent · "
            f"{rate:,.0f} messages/s · ETA {eta}"
        )

    def close(self) -> None:
        if self._drawn:
            self.update(self.done, self.total, self.sent, force=True)
            self.stream.write("\n")
            self.stream.flush()


def wanted(stream: TextIO | None = None) -> bool:
    """Only for a person watching a terminal."""
    return (stream or sys.stdout).isatty()
