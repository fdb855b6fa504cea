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
