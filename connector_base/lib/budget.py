"""A provider's request budget shared by every process and node of one database.

``SharedRateLimiter`` enforces the same limits as ``RateLimiter`` (sliding windows such as
QuickBooks' 500 requests a minute per realm, a cap on requests in flight) across every Odoo
worker and node that works on the same PostgreSQL database. One row of
``connector_rate_budget`` per budget key holds the send times of the longest window and the
leases of the requests in flight; a slot is taken in one short transaction of its own that
locks that row (``SELECT ... FOR UPDATE``), so two processes never both take the last slot.

- The budget's transactions are never the caller's: an Odoo job keeps its cursor (and its
  locks) for minutes, and a slot taken in it must neither be rolled back with the job nor
  keep other processes waiting until the job ends. ``connect`` gives a cursor of its own,
  committed at once.
- The clock is the database's (``clock_timestamp()``), the one clock every node shares.
- A slot in flight is a lease that expires (``lease`` seconds, longer than any request's
  timeout): a process killed in the middle of a request gives its slot back when the lease
  ends, not never.
- The fast path is the process-local limiter of the same limits in front: threads of one
  process that are over the budget wait on it without touching the database; a slot the
  local limiter grants costs one short transaction (lock the row, write it, commit).
"""

import random
import threading
import time
import uuid
from contextlib import contextmanager

from .ratelimit import RateLimiter, Slots

TABLE = "connector_rate_budget"
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    key text PRIMARY KEY,
    stamps double precision[] NOT NULL DEFAULT '{{}}',
    leases text[] NOT NULL DEFAULT '{{}}'
)
"""
#: the budget's transactions wait for the row and then read its latest version: under Odoo's
#: REPEATABLE READ a row changed by another process since the transaction began is a
#: serialization failure, which would roll back the job that asked for a slot
READ_COMMITTED = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"
#: how often a process over the in-flight cap looks again (seconds, with jitter)
BUSY_POLL = 0.02
#: a slot in flight is given back after this long even when its holder died
DEFAULT_LEASE = 180.0


def ensure_table(cr):
    cr.execute(DDL)


def grant(stamps, leases, now, windows, max_concurrent, lease):
    """Decide one request from a budget row: (wait seconds or 0, stamps to keep, live leases,
    the new lease or None). ``stamps``: send times; ``leases``: "expiry:token" strings."""
    live = [item for item in leases if float(item.split(":", 1)[0]) > now]
    horizon = max((seconds for _limit, seconds in windows), default=0.0)
    keep = sorted(s for s in stamps if now - s < horizon)
    wait = 0.0
    for limit, seconds in windows:
        inside = [s for s in keep if now - s < seconds]
        if len(inside) >= limit:
            wait = max(wait, seconds - (now - inside[len(inside) - limit]))
    if wait > 0:
        return wait, keep, live, None
    if max_concurrent is not None and len(live) >= max_concurrent:
        return -1.0, keep, live, None  # busy: no window to wait for, a slot to be given back
    most = max((limit for limit, _seconds in windows), default=0)
    keep = (keep + [now])[-most:] if most else []
    token = None
    if max_concurrent is not None:
        token = f"{now + lease:.6f}:{uuid.uuid4().hex[:12]}"
        live.append(token)
    return 0.0, keep, live, token


class SharedRateLimiter(Slots):
    """The limits of ``RateLimiter`` (``windows``: (max_requests, seconds) pairs;
    ``max_concurrent``) for every process of one database, under ``key`` (text).

    ``connect()`` is a context manager that yields a cursor of its own and commits when the
    block ends (``odoo_connector`` in Odoo, ``psycopg2_connector`` elsewhere)."""

    def __init__(self, key, windows=(), max_concurrent=None, *, connect, lease=DEFAULT_LEASE, sleep=time.sleep):
        self.key = str(key)
        self.windows = [(int(n), float(s)) for n, s in windows]
        self.max_concurrent = max_concurrent
        self.connect = connect
        self.lease = float(lease)
        self._sleep = sleep
        self.local = RateLimiter(self.windows, max_concurrent)
        self._held = threading.local()  # this thread's leases, last taken first given back
        self._created = False
        self.round_trips = 0  # budget transactions (the cost of the shared part)

    def _take(self):
        """One budget transaction: 0 when a slot was taken, else the seconds to wait (-1: busy)."""
        with self.connect() as cr:
            cr.execute(READ_COMMITTED)
            if not self._created:
                cr.execute(f"INSERT INTO {TABLE} (key) VALUES (%s) ON CONFLICT DO NOTHING", [self.key])
                self._created = True
            cr.execute(
                f"SELECT stamps, leases, extract(epoch FROM clock_timestamp())::float8 FROM {TABLE}"
                " WHERE key = %s FOR UPDATE",
                [self.key],
            )
            row = cr.fetchone()
            if row is None:  # the row was removed under us: make it again next time
                self._created = False
                return 0.05
            stamps, leases, now = row
            wait, keep, live, token = grant(
                stamps or [], leases or [], now, self.windows, self.max_concurrent, self.lease
            )
            self.round_trips += 1
            if wait:
                return wait
            cr.execute(
                f"UPDATE {TABLE} SET stamps = %s::float8[], leases = %s::text[] WHERE key = %s", [keep, live, self.key]
            )
        if token:
            self._held.__dict__.setdefault("tokens", []).append(token)
        return 0.0

    def acquire(self, timeout=None):
        """Block until a request may start; return the seconds waited."""
        start = time.monotonic()
        self.local.acquire(timeout=timeout)
        try:
            while True:
                wait = self._take()
                if not wait:
                    return time.monotonic() - start
                if wait < 0:
                    wait = BUSY_POLL * (0.5 + random.random())
                else:  # a little jitter, so that processes woken together do not all queue on the row
                    wait += random.random() * 0.01
                if timeout is not None and time.monotonic() - start + wait > timeout:
                    raise TimeoutError("rate limiter: no slot within %.1f s" % timeout)
                self._sleep(wait)
        except BaseException:
            self.local.release()
            raise

    def release(self):
        tokens = getattr(self._held, "tokens", None)
        try:
            if tokens:
                token = tokens.pop()
                with self.connect() as cr:
                    cr.execute(READ_COMMITTED)
                    cr.execute(
                        f"UPDATE {TABLE} SET leases = array_remove(leases, %s) WHERE key = %s", [token, self.key]
                    )
        finally:
            self.local.release()


def psycopg2_connector(dsn):
    """``connect`` for a process without Odoo: one connection per thread, a short
    transaction per use."""
    import psycopg2

    local = threading.local()

    @contextmanager
    def connect():
        cnx = getattr(local, "cnx", None)
        if cnx is None or cnx.closed:
            cnx = local.cnx = psycopg2.connect(dsn)
        try:
            with cnx.cursor() as cr:
                yield cr
            cnx.commit()
        except BaseException:
            cnx.rollback()
            raise

    return connect


def odoo_connector(dbname):
    """``connect`` inside Odoo: a cursor of the server's connection pool for ``dbname``, never
    the job's, committed at once and given back."""

    @contextmanager
    def connect():
        from odoo import sql_db

        cr = sql_db.db_connect(dbname).cursor()
        try:
            yield cr
            cr.commit()
        finally:
            cr.close()  # rolls back whatever was not committed

    return connect
