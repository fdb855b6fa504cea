"""Importing a generated Canadian company from the Kashoo sandbox: totals to the cent, a second
import that creates nothing, an unknown record type in quarantine, the rolling poll window and the
nightly sweep over the whole range, removed records."""

import json
from datetime import date, timedelta
from decimal import Decimal

from odoo.tests import tagged

from .common import KashooCase
from .test_kashoo_initial_load import check_import_all


@tagged("post_install", "-at_install")
class TestKashooSync(KashooCase):
    def test_import_all_to_the_cent_and_a_second_import_creates_nothing(self):
        self.sandbox.generate(**self.company_size)
        check_import_all(self)  # the size: test_kashoo_initial_load

    def test_an_unknown_record_type_is_quarantined_with_its_type_named(self):
        self.sandbox.generate(customers=2, vendors=1, invoices=2, bills=1, payments=0)
        self.sandbox.seed_documents(
            {"Record": [{"id": 300000001, "type": "EXPENSE", "date": date.today().isoformat(), "amount": 1250}]}
        )
        self.sign_in()
        self.assertIn("EXPENSE", self.backend.kashoo_probe_summary)
        self.import_kinds()
        rows = self.quarantine().filtered(lambda q: "EXPENSE" in q.message)
        self.assertEqual(len(rows), 1, self.quarantine().mapped("message"))
        self.assertIn("type map does not know", rows.message)

    def test_bills_answering_404_and_an_unknown_type_leave_everything_else_imported(self):
        """The issue's must-show variant: bills off with the reason, the unknown records in
        quarantine naming their type, everything else in Odoo."""
        self.sandbox.generate(customers=6, vendors=2, invoices=12, bills=4, payments=0)
        self.sandbox.seed_documents(
            {"Record": [{"id": 300000001, "type": "EXPENSE", "date": date.today().isoformat(), "amount": 1250}]}
        )
        self.control("settings", disabled=["bills"])
        self.sign_in()
        self.assertIn("records/bills does not answer", json.loads(self.backend.kashoo_disabled)["bill"])
        self.import_kinds()
        held = self.quarantine().filtered(lambda q: q.state == "open")
        self.assertEqual(len(held), 1, held.mapped("message"))
        self.assertIn("EXPENSE", held.message)
        invoices = [d for d in self.docs("records") if d["type"] == "INVOICE" and not d["removed"]]
        self.assertEqual(len(invoices), 12)
        for doc in invoices:
            self.assertEqual(Decimal(str(self.bound("invoice", doc["id"]).amount_total)) * 100, doc["amount"])
        bound = self.env["connector.binding"].search(
            [("backend_id", "=", self.backend.id), ("external_type", "=", "invoice")]
        )
        self.assertEqual(len(bound), 12, "the invoices, no bill")
        for doc in self.docs("contacts"):
            self.assertTrue(self.bound("party", doc["id"]), doc["name"])

    def test_the_poll_reads_a_window_and_the_sweep_the_whole_range(self):
        self.sign_in()
        business = self.sandbox.tenant()
        contact = business.add_contact({"name": "Old client"}, ["customer"])
        old = (date.today() - timedelta(days=100)).isoformat()
        self.control(
            "change", kind="invoice", fields={"contact": contact["id"], "date": old, "lines": [{"amount": 1000}]}
        )
        self.import_kinds()
        doc = next(d for d in self.docs("records") if d["type"] == "INVOICE")
        move = self.bound("invoice", doc["id"])
        self.assertEqual(move.amount_total, 10.0)
        self.control("change", record=doc["id"], fields={"lines": [{"amount": 2000}]})
        self.backend._import_kind("invoice")  # the poll: 35 days back, the invoice is older
        self.assertEqual(move.amount_total, 10.0)
        self.assertEqual(self.backend._sweep_since(25), "2020-01-01")
        self.backend._sweep("invoice", 25)
        self.assertEqual(move.amount_total, 20.0)

    def test_a_removed_record_follows_the_delete_policy(self):
        self.sandbox.generate(customers=2, vendors=1, invoices=8, bills=0, payments=0)
        self.sign_in()
        self.import_kinds()
        doc = next(
            d for d in self.docs("records") if d["type"] == "INVOICE" and not d["removed"] and not d["taxIncluded"]
        )
        move = self.bound("invoice", doc["id"])
        self.assertEqual(move.state, "posted")
        self.control("change", record=doc["id"], removed=True)
        self.backend._sweep("invoice", 25)  # the whole range: the invoice may be older than the poll's window
        self.assertEqual(move.state, "cancel")
