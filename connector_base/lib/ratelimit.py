"""Client-side rate limiting sized from a provider's published limits.

``RateLimiter`` combines sliding windows (for example QuickBooks' 500 requests a minute
per realm) with a cap on requests in flight (QuickBooks: 10 concurrent). One limiter is
shared by every client of the same external company in a process (``shared_limiter``).
"""

import threading
import time
from collections import deque
from contextlib import contextmanager


class RateLimiter:
    def __init__(self, windows=(), max_concurrent=None, clock=time.monotonic, sleep=time.sleep):
        """``windows``: iterable of (max_requests, seconds)."""
        self._windows = [(int(n), float(s), deque()) for n, s in windows]
        self._cond = threading.Condition()
        self._in_flight = 0
        self._max_concurrent = max_concurrent
        self._clock = clock
        self._sleep = sleep

    def _wait_time(self, now):
        wait = 0.0
        for limit, seconds, stamps in self._windows:
            while stamps and now - stamps[0] >= seconds:
                stamps.popleft()
            if len(stamps) >= limit:
                wait = max(wait, seconds - (now - stamps[0]))
        return wait

    def acquire(self, timeout=None):
        """Block until a request may start; return the seconds waited."""
        start = self._clock()
        with self._cond:
            while True:
                now = self._clock()
                wait = self._wait_time(now)
                busy = self._max_concurrent is not None and self._in_flight >= self._max_concurrent
                if not wait and not busy:
                    for _limit, _seconds, stamps in self._windows:
                        stamps.append(now)
                    self._in_flight += 1
                    return now - start
                if timeout is not None and now - start + (wait or 0.01) > timeout:
                    raise TimeoutError("rate limiter: no slot within %.1f s" % timeout)
                if busy:
                    self._cond.wait(0.05 if wait == 0 else min(wait, 0.05))
                else:
                    self._cond.release()
                    try:
                        self._sleep(wait)
                    finally:
                        self._cond.acquire()

    def release(self):
        with self._cond:
            self._in_flight = max(0, self._in_flight - 1)
            self._cond.notify_all()

    @contextmanager
    def slot(self, timeout=None):
        self.acquire(timeout=timeout)
        try:
            yield
        finally:
            self.release()


_shared = {}
_shared_lock = threading.Lock()


def shared_limiter(key, windows=(), max_concurrent=None):
    """The process-wide limiter for ``key`` (for example ``("quickbooks", realm_id)``)."""
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = _shared[key] = RateLimiter(windows, max_concurrent)
        return limiter
