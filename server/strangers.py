"""Guessing game codes does not pay: the live route answers a code that does not exist exactly
as it answers a quiet game (counters 0, the wait held its full time), so one answer tells a
stranger nothing, and a client that asks about more than UNKNOWN_PER_MINUTE codes that do not
exist in a minute is refused (429) for the rest of that minute, on every code. Open pages ask
only about their own game, which exists, so no class behind one address (a school's NAT, a
reverse proxy) is ever slowed by it: a six-letter code then takes years to guess.
"""

from __future__ import annotations

import threading
import time
from collections import deque

UNKNOWN_PER_MINUTE = 30
WINDOW_S = 60.0


class StrangerLimit:
    def __init__(self, per_window: int = UNKNOWN_PER_MINUTE, window_s: float = WINDOW_S) -> None:
        self.per_window = per_window
        self.window_s = window_s
        self._misses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        misses = self._misses.setdefault(client, deque())
        while misses and misses[0] <= now - self.window_s:
            misses.popleft()
        return misses

    def refused(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            refused = len(self._recent(client, now)) >= self.per_window
            if len(self._misses) > 10_000:  # many clients: forget the quiet ones
                self._misses = {c: m for c, m in self._misses.items() if self._recent(c, now)}
            return refused

    def missed(self, client: str, now: float | None = None) -> None:
        """`client` asked about a code that does not exist."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(client, now).append(now)


strangers = StrangerLimit()
