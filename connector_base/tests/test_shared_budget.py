"""The provider request budget inside Odoo: every worker and node of the database shares it
through PostgreSQL, in transactions of its own (a job's rollback gives nothing back)."""

import os
import threading
import uuid
from unittest import mock

from odoo import sql_db
from odoo.tests import TransactionCase, tagged

from ..lib import budget
from ..lib.ratelimit import RateLimiter, shared_limiter


@tagged("post_install", "-at_install")
class TestSharedBudget(TransactionCase):
    def setUp(self):
        super().setUp()
        self.key = ("test", uuid.uuid4().hex)
        self.dbname = self.env.cr.dbname
        self.addCleanup(self._forget)

    def _forget(self):
        with sql_db.db_connect(self.dbname).cursor() as cr:
            cr.execute(f"DELETE FROM {budget.TABLE} WHERE key = %s", [repr(self.key)])
            cr.commit()

    def _other_process(self, windows, concurrent=None):
        """The same budget as another worker or node holds it: an object of its own, on
        connections of its own."""
        return budget.SharedRateLimiter(repr(self.key), windows, concurrent, connect=budget.odoo_connector(self.dbname))

    def test_a_job_thread_gets_the_budget_of_the_database(self):
        self.assertEqual(getattr(threading.current_thread(), "dbname", None), self.dbname)
        limiter = shared_limiter(self.key, ((2, 60.0),), 1)
        self.assertIsInstance(limiter, budget.SharedRateLimiter)
        self.assertIs(shared_limiter(self.key, ((2, 60.0),), 1), limiter, "one limiter per budget in a process")

    def test_what_one_process_spends_another_cannot_spend_again(self):
        limiter = shared_limiter(self.key, ((2, 60.0),), 1)
        for _n in range(2):
            with limiter.slot(timeout=5):
                self.assertEqual(self.env["connector.rate.budget"]._usage(repr(self.key))[1], 1)
        self.env.cr.execute("SELECT 1")  # the job's own transaction goes on, untouched
        # read from a connection of its own: the slots are committed already, whatever the job does
        with sql_db.db_connect(self.dbname).cursor() as cr:
            cr.execute(
                f"SELECT cardinality(stamps), cardinality(leases) FROM {budget.TABLE} WHERE key = %s", [repr(self.key)]
            )
            self.assertEqual(cr.fetchone(), (2, 0), "two requests sent, none in flight")
        other = self._other_process(((2, 60.0),), 1)
        with self.assertRaises(TimeoutError):
            other.acquire(timeout=0.3)  # this minute's two requests are spent, for every process

    def test_the_cap_in_flight_holds_across_processes(self):
        mine = shared_limiter(self.key, ((100, 60.0),), 1)
        other = self._other_process(((100, 60.0),), 1)
        mine.acquire(timeout=5)
        with self.assertRaises(TimeoutError):
            other.acquire(timeout=0.3)
        mine.release()
        other.acquire(timeout=5)
        other.release()
        self.assertEqual(self.env["connector.rate.budget"]._usage(repr(self.key)), (2, 0))

    def test_the_cross_process_part_can_be_switched_off(self):
        with mock.patch.dict(os.environ, {"CONNECTOR_SHARED_BUDGET": "0"}):
            limiter = shared_limiter(self.key + ("off",), ((2, 60.0),), 1)
        self.assertIsInstance(limiter, RateLimiter)
        self.assertNotIsInstance(limiter, budget.SharedRateLimiter)
