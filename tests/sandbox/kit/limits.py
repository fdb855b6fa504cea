"""Request limits: sliding windows per key (a realm, a subscription key) and a concurrency gate.

``Limits(per_minute=500, concurrent=10, batch_per_minute=40)``: every request counts against
``per_minute``; a request of kind ``batch`` also against ``batch_per_minute``. ``None`` is no
limit. ``retry_after`` says when the window has room again (for a Retry-After header).
"""

import math
import threading
import time
from collections import deque


class Limits:
    def __init__(self, per_minute=None, concurrent=None, window=60, **kinds):
        self.per_minute = per_minute
        self.concurrent = concurrent
        self.window = window
        for name, value in kinds.items():
            if not name.endswith("_per_minute"):
                raise TypeError(f"unknown limit {name}")
            setattr(self, name, value)
        self._calls = {}  # (key, kind) -> deque of monotonic times
        self._active = {}
        self._lock = threading.Lock()

    def names(self):
        """The limits that can be set (``/_sandbox/limits``)."""
        return ["concurrent", "window"] + [n for n in vars(self) if n.endswith("per_minute")]

    def configure(self, values):
        for key, value in values.items():
            if key not in self.names():
                raise ValueError(f"unknown limit {key}")
            setattr(self, key, None if value is None else int(value))

    def _window(self, key, kind, now):
        calls = self._calls.setdefault((key, kind), deque())
        while calls and now - calls[0] > self.window:
            calls.popleft()
        return calls

    def enter(self, key, kind=None):
        """True when the request may run; the caller must ``leave`` afterwards."""
        now = time.monotonic()
        with self._lock:
            calls = self._window(key, None, now)
            kind_limit = getattr(self, f"{kind}_per_minute", None) if kind else None
            kind_calls = self._window(key, kind, now) if kind else None
            active = self._active.get(key, 0)
            if self.per_minute is not None and len(calls) >= self.per_minute:
                return False
            if self.concurrent is not None and active >= self.concurrent:
                return False
            if kind_limit is not None and len(kind_calls) >= kind_limit:
                return False
            calls.append(now)
            if kind:
                kind_calls.append(now)
            self._active[key] = active + 1
            return True

    def leave(self, key):
        with self._lock:
            self._active[key] = max(0, self._active.get(key, 1) - 1)

    def retry_after(self, key, kind=None):
        """Whole seconds until the fullest window of ``key`` has room (at least 1)."""
        now = time.monotonic()
        wait = 0.0
        pairs = [(None, self.per_minute)]
        if kind:
            pairs.append((kind, getattr(self, f"{kind}_per_minute", None)))
        with self._lock:
            for window_kind, limit in pairs:
                if limit is None:
                    continue
                calls = self._window(key, window_kind, now)
                if limit <= 0:
                    wait = max(wait, self.window)
                elif len(calls) >= limit:
                    wait = max(wait, self.window - (now - calls[len(calls) - limit]))
        return max(1, math.ceil(wait))
