from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import FakeProviderCase


@tagged("post_install", "-at_install")
class TestSchedules(FakeProviderCase):
    def jobs(self, method):
        return (
            self.env["queue.job"]
            .sudo()
            .search([("model_name", "=", "connector.backend"), ("method_name", "=", method), ("state", "=", "pending")])
        )

    def imported_kinds(self):
        return [
            k
            for k in ("account", "tax", "party", "product", "invoice", "payment", "journal_entry")
            if self.backend._imports(k)
        ]

    def test_poll_queues_one_read_per_kind_when_due_and_none_right_after_a_read(self):
        self.env["connector.backend"]._cron_poll()
        polls = self.jobs("_job_import_batch").filtered(lambda j: j.args and j.records == self.backend)
        self.assertEqual(sorted(j.args[0] for j in polls), sorted(self.imported_kinds()))
        self.env["connector.backend"]._cron_poll()
        self.assertEqual(len(self.jobs("_job_import_batch")), len(polls), "a waiting poll is not queued twice")
        polls.unlink()
        self.backend._import_kind("party")  # a read just now: the next poll is not due yet
        self.env["connector.backend"]._cron_poll()
        self.assertFalse(self.jobs("_job_import_batch"))

    def test_a_one_minute_poll_is_due_at_the_next_scheduler_minute(self):
        """The scheduler wakes once a minute, a few seconds after the last poll's reads ended: the
        poll must be due then, not a minute later (make bench PROVIDER=kashoo saw every 2 minutes)."""
        self.backend.poll_interval = 1
        self.backend._import_kind("party")
        cursors = self.env["connector.cursor"].sudo().search([("backend_id", "=", self.backend.id)])
        cursors.last_run_at = fields.Datetime.now() - timedelta(seconds=45)
        self.env["connector.backend"]._cron_poll()
        self.assertTrue(self.jobs("_job_import_batch"), "45 s after a read, a one-minute poll is due")
        self.jobs("_job_import_batch").unlink()
        cursors.last_run_at = fields.Datetime.now() - timedelta(seconds=20)
        self.env["connector.backend"]._cron_poll()
        self.assertFalse(self.jobs("_job_import_batch"), "20 s after a read it is not")

    def test_nightly_sweep_queues_each_kind_behind_webhook_reads(self):
        self.env["connector.backend"]._receive_webhook_events(
            "fake",
            [
                {
                    "tenant": False,
                    "kind": "party",
                    "label": "party",
                    "external_ids": ["C1"],
                    "operation": "Update",
                    "dedup": "d1",
                }
            ],
            "{}",
        )
        self.env["connector.backend"]._cron_sweep(hours=25)
        sweeps = self.jobs("_job_sweep")
        self.assertEqual(sorted(j.args[0] for j in sweeps), sorted(self.imported_kinds()))
        self.assertTrue(all(j.args[1] == 25 for j in sweeps))
        reads = self.jobs("_job_import_record")
        self.assertTrue(reads, "the webhook queued a read")
        self.assertLess(max(reads.mapped("priority")), min(sweeps.mapped("priority")), "changes first, the sweep last")
