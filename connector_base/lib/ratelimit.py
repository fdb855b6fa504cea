"""Client-side rate limiting sized from a provider's published limits.

``RateLimiter`` combines sliding windows (for example QuickBooks' 500 requests a minute
per realm) with a cap on requests in flight (QuickBooks: 10 concurrent), in one process.

``shared_limiter`` gives the limiter of one budget (an external company's), the same for every
client of it: inside Odoo, one that every worker and node of the database shares through
PostgreSQL (``budget.SharedRateLimiter``); outside Odoo, or with the shared budget switched
off (``shared_budget_enabled``), the process's own.
"""

import os
import threading
import time
from collections import deque
from contextlib import contextmanager


class Slots:
    """``slot()`` of a limiter with ``acquire(timeout)`` and ``release()``."""

    @contextmanager
    def slot(self, timeout=None):
        self.acquire(timeout=timeout)
        try:
            yield
        finally:
            self.release()


class RateLimiter(Slots):
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


_shared = {}
_shared_lock = threading.Lock()
#: the switch of the cross-process part: environment variable, then the server config's option
SWITCH = "CONNECTOR_SHARED_BUDGET"


def shared_budget_enabled():
    """False when CONNECTOR_SHARED_BUDGET (environment) or ``connector_shared_budget`` (Odoo
    config) says 0/false/off: each process then keeps a budget of its own, as one process
    would (what the must-show run switches off to show that it matters)."""
    value = os.environ.get(SWITCH)
    if value is None:
        try:
            from odoo.tools import config

            value = config.get("connector_shared_budget")
        except ImportError:
            value = None
    return str(value).strip().lower() not in ("0", "false", "off", "no") if value is not None else True


def shared_limiter(key, windows=(), max_concurrent=None, dbname=None):
    """The limiter of budget ``key`` (for example ``("quickbooks", api_url, realm_id)``).

    ``dbname`` (default: the database of the current Odoo request, job or cron thread) makes it
    one budget for every process and node of that database; without a database, or with the
    shared budget switched off, it is this process's own."""
    if dbname is None:
        dbname = getattr(threading.current_thread(), "dbname", None)
    shared = bool(dbname) and bool(windows or max_concurrent) and shared_budget_enabled()
    cache_key = (key, dbname if shared else None)
    with _shared_lock:
        limiter = _shared.get(cache_key)
        if limiter is None:
            if shared:
                from .budget import SharedRateLimiter, odoo_connector

                limiter = SharedRateLimiter(repr(key), windows, max_concurrent, connect=odoo_connector(dbname))
            else:
                limiter = RateLimiter(windows, max_concurrent)
            _shared[cache_key] = limiter
        return limiter
