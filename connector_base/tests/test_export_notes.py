"""The note of a create in flight (connector.export.attempt) as two workers' transactions see
it: real committed transactions here, cleaned up afterwards."""

import threading

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

REFERENCE = "odoo:account.move:424242"


@tagged("post_install", "-at_install")
class TestExportNotes(TransactionCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.backend_id = env["connector.backend"].create({"name": "Notes", "state": "connected"}).id
            env["connector.export.attempt"]._note(env["connector.backend"].browse(self.backend_id), [REFERENCE])
        self.addCleanup(self._drop_backend)

    def _drop_backend(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM connector_export_attempt WHERE backend_id = %s", [self.backend_id])
            api.Environment(cr, SUPERUSER_ID, {})["connector.backend"].browse(self.backend_id).unlink()

    def _noted_elsewhere(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["connector.export.attempt"]._noted(env["connector.backend"].browse(self.backend_id), [REFERENCE])

    def _forget_then_send_again(self, job):
        """A job forgets the note (a batch bound or looked it up) and then sends the same record
        again (the one-record path): the second note must not wait on the job's own lock."""
        env = api.Environment(job, SUPERUSER_ID, {})
        backend = env["connector.backend"].browse(self.backend_id)
        env["connector.export.attempt"]._forget(backend, [REFERENCE])
        noting = threading.Thread(target=env["connector.export.attempt"]._note, args=(backend, [REFERENCE]))
        noting.start()
        noting.join(15)
        if noting.is_alive():
            job.rollback()  # lets the waiting note go, so the test ends
            noting.join()
            self.fail("the job waited on its own note (make test's QuickBooks chaos run hung on this)")
        self.assertEqual(env["connector.export.attempt"]._noted(backend, [REFERENCE]), {REFERENCE})

    def test_a_record_sent_again_after_its_note_was_forgotten_is_noted_in_the_job(self):
        with self.registry.cursor() as job:
            self._forget_then_send_again(job)
            job.commit()
        self.assertEqual(self._noted_elsewhere(), {REFERENCE})

    def test_that_note_still_outlives_the_job_rolled_back(self):
        with self.registry.cursor() as job:
            self._forget_then_send_again(job)
            self.assertEqual(self._noted_elsewhere(), {REFERENCE}, "the committed note stands meanwhile")
            job.rollback()
        self.assertEqual(self._noted_elsewhere(), {REFERENCE})
