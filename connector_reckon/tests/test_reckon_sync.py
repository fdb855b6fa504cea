from odoo.tests import tagged

from .common import ReckonBooksCase


@tagged("post_install", "-at_install")
class TestReckonSync(ReckonBooksCase):
    """A small generated book (the generator's defaults): import, changes by polling, deletions."""

    def test_import_all_matches_reckon_and_a_change_made_in_reckon_arrives_by_the_next_poll(self):
        self.import_all()
        self.assertEqual(self.quarantine_messages(), [])
        self.assert_invoices_match_reckon()
        self.assert_invoices_match_reckon("creditnotes")
        contact = next(c for c in self.docs("contacts") if c["entityTypes"]["isCustomer"])
        self.control("change", collection="customers", id=contact["id"], body={"name": "Renamed in Reckon Pty Ltd"})
        self.env["connector.backend"]._cron_poll()
        self.assertFalse(self.pending_jobs(), "polled every minute: not due yet")
        self.env["connector.cursor"].search([("backend_id", "=", self.backend.id)]).write(
            {"last_run_at": "2020-01-01 00:00:00"}
        )
        self.env.invalidate_all()
        self.env["connector.backend"]._cron_poll()
        self.assertTrue(self.pending_jobs("_job_import_batch"), "a minute later, the poll is due")
        self.run_jobs()
        self.assertEqual(self.bound("party", contact["id"]).name, "Renamed in Reckon Pty Ltd")

    def test_the_nightly_sweep_finds_an_invoice_deleted_in_reckon_and_follows_the_delete_policy(self):
        self.import_all()
        unpaid = next(
            d for d in self.docs("invoices") if d["status"] == "Approved" and d["balance"] == d["totalAmount"]
        )
        move = self.bound("invoice", f"Invoice/{unpaid['id']}")
        self.assertEqual(move.state, "posted")
        book = self.sandbox.book
        with book.lock:  # gone from Reckon, as Reckon's own screens delete it: nothing announces it
            del book.tables["invoices"][unpaid["id"].lower()]
        self.env["connector.binding"].search([("backend_id", "=", self.backend.id)]).write(
            {"last_sync_at": "2020-01-01 00:00:00"}
        )
        result = self.backend._sweep("invoice", 25)
        self.assertIn("1 deleted at the provider", result)
        self.assertEqual(move.state, "cancel", "the delete policy applies: cancelled in Odoo")
