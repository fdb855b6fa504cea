from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import WaveCase


@tagged("post_install", "-at_install")
class TestWaveSync(WaveCase):
    def test_a_change_made_in_wave_reaches_odoo_within_one_poll(self):
        self.connect()
        self.import_kinds()
        customer = self.docs("Customer")[0]
        self.control("change", kind="Customer", id=customer["id"], fields={"email": "new-address@example.com"})
        invoice = next(doc for doc in self.docs("Invoice") if doc["status"] == "DRAFT")
        self.control("change", kind="Invoice", id=invoice["id"], fields={"status": "SAVED"})
        self.env["connector.backend"]._cron_poll()
        self.assertFalse(self.pending_jobs(), "a poll every minute: not due a moment after the last")
        self.env["connector.cursor"].search([("backend_id", "=", self.backend.id)]).write(
            {"last_run_at": fields.Datetime.now() - timedelta(minutes=1, seconds=5)}
        )
        self.env.invalidate_all()  # a minute later, the cron runs in a transaction of its own
        self.env["connector.backend"]._cron_poll()
        polls = self.pending_jobs("_job_import_batch")
        self.assertEqual(
            sorted(job.args[0] for job in polls), ["account", "invoice", "party", "payment", "product", "tax"]
        )
        self.run_jobs()
        self.assertEqual(self.bound("party", customer["id"]).email, "new-address@example.com")
        self.assertEqual(self.bound("invoice", invoice["id"]).state, "posted", "approved in Wave, posted in Odoo")
        results = dict(zip(polls.mapped(lambda j: j.args[0]), polls.mapped("result"), strict=True))
        read = int(results["party"].split(": ")[1].split(" read")[0])
        self.assertLessEqual(read, 2, f"the poll reads what changed (and the last one read), not everything: {read}")
        self.assertIn("account: 0 read", results["account"], "unchanged accounts: their sequences say so")
        self.assertEqual(self.quarantine_messages(), [])

    def test_the_nightly_sweep_finds_what_was_deleted_in_wave_under_the_delete_policy(self):
        short_lived = self.sandbox_client().customer(name="Short-lived Customer", email="gone@example.com")
        self.connect()
        self.import_kinds()
        tenant = self.sandbox.tenant()
        paid_numbers = {payment["invoice"] for payment in tenant.records("InvoicePayment")}
        unpaid = next(d for d in self.docs("Invoice") if d["status"] == "SAVED" and d["n"] not in paid_numbers)
        paid = self.docs("InvoicePayment")[0]
        move, payment = self.bound("invoice", unpaid["id"]), self.bound("payment", paid["id"])
        partner = self.bound("party", short_lived["id"])
        for kind, doc in (("Invoice", unpaid), ("InvoicePayment", paid), ("Customer", short_lived)):
            self.control("change", kind=kind, id=doc["id"], delete=True)
        self.env["connector.binding"].search([("backend_id", "=", self.backend.id)]).write(
            {"last_sync_at": fields.Datetime.now() - timedelta(hours=20)}  # imported the day before
        )

        self.backend.remote_delete_policy = "review"
        self.backend._sweep("invoice", 25)
        self.assertEqual(move.state, "posted", "review: a person decides")
        rows = self.env["connector.quarantine"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(rows.mapped("external_id"), [unpaid["id"]])
        self.assertEqual(rows.reason, "conflict")

        self.backend.remote_delete_policy = "apply"
        results = {kind: self.backend._sweep(kind, 25) for kind in ("invoice", "payment", "party", "product")}
        for kind in ("invoice", "payment", "party"):
            self.assertIn("1 deleted at the provider", results[kind])
        self.assertIn("0 deleted at the provider", results["product"], "Wave archives products: nothing compared")
        self.assertEqual(move.state, "cancel", "an invoice deleted in Wave is cancelled in Odoo")
        self.assertEqual(payment.state, "canceled")
        self.assertFalse(partner.active, "a customer deleted in Wave is archived in Odoo")
        self.assertEqual(rows.state, "resolved")

    def test_a_sweep_that_finds_most_records_gone_changes_nothing_and_says_so(self):
        self.connect()
        self.import_kinds()
        for doc in self.docs("Invoice"):  # as if Wave answered for another business, or a short list
            self.control("change", kind="Invoice", id=doc["id"], delete=True)
        self.env["connector.binding"].search([("backend_id", "=", self.backend.id)]).write(
            {"last_sync_at": fields.Datetime.now() - timedelta(hours=20)}
        )
        moves = self.env["account.move"].search([("move_type", "=", "out_invoice")])
        result = self.backend._sweep("invoice", 25)
        self.assertIn("0 deleted at the provider", result)
        self.assertFalse(moves.filtered(lambda m: m.state == "cancel"), "nothing cancelled")
        said = " ".join(str(m.body) for m in self.backend.message_ids)
        self.assertIn("linked invoice records missing at the provider", said)
