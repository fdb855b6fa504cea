"""The provider request budget shared through PostgreSQL (connector_base/lib/budget.py): the
decision itself, then several processes hammering one budget on a real database, with the
cross-process part on (never more than the budget in any window, never more in flight than
the cap) and off (each process its own budget: the window overflows, which is what Intuit
answers 429 to)."""

import multiprocessing
import os
import threading
import time
import uuid
from contextlib import contextmanager

import pytest

from odoo.addons.connector_base.lib import budget
from odoo.addons.connector_base.lib.ratelimit import RateLimiter

psycopg2 = pytest.importorskip("psycopg2")

LIMIT, WINDOW, CONCURRENT = 30, 2.0, 4
PROCESSES, THREADS, RUN = 4, 3, 3.2  # seconds of hammering
HOLD = 0.01  # each request's time in flight


# ---------------------------------------------------------------------- the decision
def test_grant_waits_for_the_oldest_stamp_of_a_full_window():
    stamps = [100.0, 100.5, 101.0]
    wait, keep, _live, token = budget.grant(stamps, [], 102.0, [(3, 60.0)], None, 60)
    assert token is None and wait == pytest.approx(58.0)  # 100.0 leaves the window at 160.0
    assert keep == stamps
    wait, keep, _live, _token = budget.grant(stamps, [], 160.2, [(3, 60.0)], None, 60)
    assert wait == 0 and keep == [100.5, 101.0, 160.2]


def test_grant_caps_leases_and_forgets_expired_ones():
    leases = ["200.000000:a", "150.000000:b"]
    wait, _keep, live, token = budget.grant([], leases, 160.0, [(10, 60.0)], 2, 30)
    assert wait == 0 and token.startswith("190.000000:")  # b expired at 150: its slot is free
    assert live == ["200.000000:a", token]
    wait, _keep, _live, token = budget.grant([], live, 161.0, [(10, 60.0)], 2, 30)
    assert wait < 0 and token is None  # busy: two live leases


def test_grant_keeps_only_what_the_longest_window_holds():
    stamps = [float(s) for s in range(100)]
    wait, keep, _live, _token = budget.grant(stamps, [], 3650.0, [(5, 10.0), (120, 3600.0)], None, 60)
    assert wait == 0 and keep == [float(s) for s in range(51, 100)] + [3650.0]


# ---------------------------------------------------------------------- on PostgreSQL
@pytest.fixture(scope="module")
def dsn():
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER_ODOO", "odoo")
    db = os.environ.get("BUDGET_TEST_DB", "connectors_budget_unit")
    base = f"host={host} port={port} user={user} dbname={db} connect_timeout=5"
    try:
        try:
            cnx = psycopg2.connect(base)
        except psycopg2.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise
            admin = psycopg2.connect(f"host={host} port={port} user={user} dbname=template1 connect_timeout=5")
            admin.autocommit = True
            with admin.cursor() as cr:
                cr.execute(f'CREATE DATABASE "{db}" TEMPLATE template0')
            admin.close()
            cnx = psycopg2.connect(base)
    except psycopg2.Error as exc:
        pytest.skip(f"no PostgreSQL database for the shared budget: {exc}")
    schema = f"budget_test_{uuid.uuid4().hex[:8]}"  # a schema of its own, dropped at the end
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute(f"CREATE SCHEMA {schema}")
        cr.execute(f"SET search_path = {schema}")
        budget.ensure_table(cr)
    yield f"{base} options='-c search_path={schema}'"
    with cnx.cursor() as cr:
        cr.execute(f"DROP SCHEMA {schema} CASCADE")
    cnx.close()


def _repeatable_read(dsn):
    """Connections at Odoo's isolation level (REPEATABLE READ), as inside an Odoo worker."""
    connect = budget.psycopg2_connector(dsn)

    def at_odoo_level():
        with connect() as cr:
            if cr.connection.isolation_level != psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ:
                cr.connection.rollback()
                cr.connection.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ)
            yield cr

    return contextmanager(at_odoo_level)


def _hammer(dsn, key, shared, out):
    """One process: THREADS threads taking slots as fast as they are given for RUN seconds."""
    if shared:
        limiter = budget.SharedRateLimiter(key, [(LIMIT, WINDOW)], CONCURRENT, connect=_repeatable_read(dsn))
    else:
        limiter = RateLimiter([(LIMIT, WINDOW)], CONCURRENT)
    slots = []
    end = time.time() + RUN

    def work():
        while time.time() < end:
            try:
                limiter.acquire(timeout=max(0.05, end - time.time()))
            except TimeoutError:
                return
            except Exception as exc:  # a database error is a slot the job would lose with its work
                slots.append(("error", repr(exc)))
                return
            started = time.time()
            time.sleep(HOLD)
            slots.append((started, time.time()))
            limiter.release()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(slots)


def _run(dsn, shared):
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    key = f"test:{uuid.uuid4().hex}"
    processes = [context.Process(target=_hammer, args=(dsn, key, shared, out)) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    slots = [s for _ in processes for s in out.get(timeout=60)]
    for process in processes:
        process.join(timeout=30)
    failures = [text for first, text in slots if first == "error"]
    assert not failures, failures[:3]
    slots = sorted(slots)
    starts = [s for s, _e in slots]
    # the most requests started within any window (a little shorter: the recorded start is a
    # moment after the database stamped the grant)
    most = max(sum(1 for t in starts[i:] if t - s < WINDOW - 0.05) for i, s in enumerate(starts))
    events = sorted([(s, 1) for s, _e in slots] + [(e, -1) for _s, e in slots])
    flying = peak = 0
    for _t, step in events:
        flying += step
        peak = max(peak, flying)
    return len(slots), most, peak


def test_processes_sharing_one_budget_never_exceed_it(dsn):
    granted, most, peak = _run(dsn, shared=True)
    assert most <= LIMIT, f"{most} requests within one {WINDOW} s window, budget {LIMIT}"
    assert peak <= CONCURRENT, f"{peak} requests in flight at once, cap {CONCURRENT}"
    # and the budget is used, not just respected: two windows' worth in RUN seconds
    assert granted >= 2 * LIMIT * 0.9


def test_without_the_shared_part_each_process_spends_a_whole_budget(dsn):
    _granted, most, peak = _run(dsn, shared=False)
    assert most > LIMIT * 2  # four budgets in one window: what a provider answers 429 to
    assert peak > CONCURRENT


def test_a_dead_holder_gives_its_slot_back_when_the_lease_ends(dsn):
    key = f"test:{uuid.uuid4().hex}"
    connect = budget.psycopg2_connector(dsn)
    dead = budget.SharedRateLimiter(key, [(100, 60.0)], 1, connect=connect, lease=0.6)
    dead.acquire()  # and never released: its process is gone
    alive = budget.SharedRateLimiter(key, [(100, 60.0)], 1, connect=connect, lease=0.6)
    with pytest.raises(TimeoutError):
        alive.acquire(timeout=0.2)
    waited = alive.acquire(timeout=2.0)
    assert 0.2 < waited < 1.5
    alive.release()


def test_a_slot_is_committed_at_once_whatever_the_caller_does(dsn):
    """The budget's transaction is its own: the caller's rollback does not give the slot back."""
    key = f"test:{uuid.uuid4().hex}"
    limiter = budget.SharedRateLimiter(key, [(1, 60.0)], None, connect=budget.psycopg2_connector(dsn))
    caller = psycopg2.connect(dsn)  # a job's cursor, rolled back after the call
    limiter.acquire()
    limiter.release()
    caller.rollback()
    caller.close()
    other = budget.SharedRateLimiter(key, [(1, 60.0)], None, connect=budget.psycopg2_connector(dsn))
    with pytest.raises(TimeoutError):
        other.acquire(timeout=0.3)  # the one request of this minute is spent, for every process
