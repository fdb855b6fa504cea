from psycopg2 import IntegrityError

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from odoo.addons.connector_base.lib.errors import LockBusyError, TransientError


@tagged("post_install", "-at_install")
class TestQuietConflicts(TransactionCase):
    """Conflicts the connector handles (a retry later) write no ERROR line in the server log:
    an admin reading it must not see errors where nothing went wrong. Two workers are two
    committed transactions here, cleaned up afterwards."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.backend_id = env["connector.backend"].create({"name": "Two workers", "state": "connected"}).id
            env["connector.cursor"]._take(env["connector.backend"].browse(self.backend_id), "party")
        self.addCleanup(self._drop_backend)

    def _drop_backend(self):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["connector.backend"].browse(self.backend_id).unlink()

    def test_a_cursor_another_worker_polls_is_a_retry_without_an_error_line(self):
        with self.registry.cursor() as first, self.registry.cursor() as second:
            first.execute("SELECT id FROM connector_cursor WHERE backend_id = %s FOR UPDATE", [self.backend_id])
            env = api.Environment(second, SUPERUSER_ID, {})
            with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertRaises(LockBusyError):
                env["connector.cursor"]._take(env["connector.backend"].browse(self.backend_id), "party")

    def test_an_unknown_tax_two_workers_meet_is_a_retry_without_an_error_line(self):
        with self.registry.cursor() as first, self.registry.cursor() as second:
            env1 = api.Environment(first, SUPERUSER_ID, {})
            env2 = api.Environment(second, SUPERUSER_ID, {})
            env2["connector.tax.mapping"].search_count([])  # the second worker's snapshot starts now
            env1["connector.tax.mapping"]._resolve(env1["connector.backend"].browse(self.backend_id), "T77")
            first.commit()
            with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertRaises(TransientError):
                env2["connector.tax.mapping"]._resolve(env2["connector.backend"].browse(self.backend_id), "T77")

    def test_a_first_poll_two_workers_start_together_is_a_retry_without_an_error_line(self):
        with self.registry.cursor() as first, self.registry.cursor() as second:
            env1 = api.Environment(first, SUPERUSER_ID, {})
            env2 = api.Environment(second, SUPERUSER_ID, {})
            env2["connector.cursor"].search_count([])  # the second worker's snapshot starts now
            env1["connector.cursor"]._take(env1["connector.backend"].browse(self.backend_id), "invoice")
            first.commit()
            with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertRaises(LockBusyError):
                env2["connector.cursor"]._take(env2["connector.backend"].browse(self.backend_id), "invoice")

    def test_a_job_that_finds_the_cursor_busy_waits_its_turn_without_using_up_its_retries(self):
        """A poll behind a long read of the same kind (Wave's, under its request limit) must not
        fail after five retries: make chaos PROVIDER=wave saw 'Max. retries (5) reached'."""
        from odoo.addons.queue_job.exception import RetryableJobError

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["connector.cursor"]._take(env["connector.backend"].browse(self.backend_id), "invoice")
        with self.registry.cursor() as first, self.registry.cursor() as second:
            first.execute(
                "SELECT id FROM connector_cursor WHERE backend_id = %s AND kind = 'invoice' FOR UPDATE",
                [self.backend_id],
            )
            backend = api.Environment(second, SUPERUSER_ID, {})["connector.backend"].browse(self.backend_id)
            with self.assertRaises(RetryableJobError) as waited:
                backend._run_job("import_batch", "invoice")
            self.assertTrue(waited.exception.ignore_retry)
            self.assertEqual(waited.exception.seconds, 30)

    def test_a_record_two_workers_link_at_the_same_moment_is_a_retry_without_an_error_line(self):
        """A webhook's re-read and a poll (or an export and its echo) link the same record: the
        second link PostgreSQL refuses is a retry, which finds the first, and no ERROR line."""
        with self.registry.cursor() as first, self.registry.cursor() as second:
            env1 = api.Environment(first, SUPERUSER_ID, {})
            env2 = api.Environment(second, SUPERUSER_ID, {})
            partner_id = env1["res.partner"].create({"name": "Linked Twice"}).id
            first.commit()
            self.addCleanup(self._drop_partner, partner_id)
            env2["connector.binding"].search_count([])  # the second worker's snapshot starts now
            vals = {
                "backend_id": self.backend_id,
                "external_type": "party",
                "external_id": "C-77",
                "res_model": "res.partner",
                "res_id": partner_id,
            }
            env1["connector.binding"].create(vals)
            first.commit()
            with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertRaises(TransientError) as retried:
                with env2["connector.engine"]._savepoint("party", "C-77"):
                    env2["connector.binding"].create(vals)
            self.assertIn("linked by another job at the same moment", str(retried.exception))
            # the same refusal outside the engine's savepoint, which nothing handles, is still logged
            with self.assertLogs("odoo.sql_db", "ERROR"), self.assertRaises(IntegrityError):
                with second.savepoint():
                    env2["connector.binding"].create(vals)

    def _drop_partner(self, partner_id):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["res.partner"].browse(partner_id).unlink()
