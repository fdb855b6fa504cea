import re
from decimal import Decimal
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from .common import WaveCase


@tagged("post_install", "-at_install")
class TestWaveExport(WaveCase):
    company_size = {"customers": 3, "vendors": 2, "products": 3, "invoices": 0, "payments": 0}

    def setUp(self):
        super().setUp()
        self.connect()
        self.import_kinds(("account", "tax", "party", "product"))

    def stamped(self, move):
        stamp = re.compile(rf"odoo:account\.move:{move.id}(?!\d)")  # not odoo:account.move:10 for 1
        return [doc for doc in self.docs("Invoice") if stamp.search(doc.get("memo") or "")]

    def test_fifty_invoices_reach_wave_once_each_approved_while_a_fifth_of_the_answers_are_lost(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Export Customer {n}", "email": f"export{n}@example.com"} for n in range(5)]
        )
        self.control("faults", lose_response_rate=0.2, seed=11)
        moves = self.env["account.move"]
        for n in range(50):
            taxes = ("State Sales Tax", "County Tax", "City Surcharge") if n % 2 else ("State Sales Tax",)
            moves |= self.make_invoice(partners[n % 5], f"{100 + n}.{n:02d}", taxes=taxes, post=False)
        moves.action_post()
        self.run_jobs()
        self.assertEqual(self.quarantine_messages(), [])
        figures = self.wave_figures()
        self.assertEqual(len(figures), 50, "no invoice in Wave but the fifty, none twice")
        for move in moves:
            found = self.stamped(move)
            self.assertEqual(len(found), 1, f"{move.name} reached Wave once")
            status, currency, total, _due = figures[found[0]["id"]]
            self.assertNotEqual(status, "DRAFT", "approved")
            self.assertEqual((currency, Decimal(str(total))), ("USD", Decimal(str(move.amount_total))), move.name)
            self.assertEqual(self.bound("invoice", found[0]["id"]), move)
        self.assertEqual(
            sum(Decimal(str(total)) for _status, _currency, total, _due in figures.values()),
            sum(Decimal(str(move.amount_total)) for move in moves),
            "the totals of Wave and Odoo agree",
        )
        emails = [doc["email"] for doc in self.docs("Customer")]
        for partner in partners:
            self.assertEqual(emails.count(partner.email), 1, "each customer created once too")
        self.assertGreater(self.sandbox.stats.get("lost_answers", 0), 5, "answers were lost after the commit")

    def test_a_create_wave_made_before_its_job_died_is_found_not_made_twice(self):
        partner = self.env["res.partner"].create(
            {"name": "Killed Job Customer", "email": "killed.job@example.com", "customer_rank": 1}
        )
        Attempts, Binding = self.env["connector.export.attempt"], self.env["connector.binding"]
        adapter_class = type(self.backend._get_adapter())
        send, noted = adapter_class.write, []

        def write(adapter, kind, record, **kwargs):
            noted.append(Attempts._noted(self.backend, [kwargs["reference"]]))
            return send(adapter, kind, record, **kwargs)

        with patch.object(adapter_class, "write", write):
            self.backend._job_export_record("party", "res.partner", partner.id)
        reference = f"odoo:res.partner:{partner.id}:customer"
        self.assertEqual(noted, [{reference}], "the create was noted before it left")
        self.assertFalse(Attempts._noted(self.backend, [reference]), "and forgotten once bound")
        # what a worker killed after Wave answered leaves: the note (committed in a transaction
        # of its own before the create left) and no binding (its job's transaction is gone)
        Binding._for_records(self.backend, "party", partner).unlink()
        Attempts._note(self.backend, [reference])
        self.backend._job_export_record("party", "res.partner", partner.id)  # the job run again
        customers = [doc for doc in self.docs("Customer") if doc["email"] == "killed.job@example.com"]
        self.assertEqual(len(customers), 1, "Wave holds the customer once")
        (binding,) = Binding._for_records(self.backend, "party", partner)
        self.assertEqual(binding.external_id, customers[0]["id"])

    def test_a_line_without_a_product_goes_out_with_the_generic_product(self):
        move = self.make_invoice(self.partner_a, "80.00", product=False)
        self.run_jobs()
        self.assertEqual(self.quarantine_messages(), [])
        (invoice,) = self.stamped(move)
        generic = self.env["connector.binding"]._for_record(self.backend, "product", self.generic_product)
        self.assertTrue(generic, "the generic product was sent to Wave first")
        self.assertEqual(
            [item["product"] for item in invoice["items"]],
            [self.sandbox.tenant().number("Product", generic.external_id)],
        )

    def test_an_invoice_cancelled_in_odoo_is_deleted_in_wave_which_has_no_void(self):
        move = self.make_invoice(self.partner_a, "80.00")
        self.run_jobs()
        self.assertEqual(len(self.stamped(move)), 1)
        move.button_cancel()
        self.run_jobs()
        self.assertEqual(self.quarantine_messages(), [])
        self.assertEqual(self.stamped(move), [], "gone from Wave")
        self.assertEqual(move.state, "cancel")

    def test_what_wave_cannot_take_is_never_queued_nor_half_sent(self):
        vendor = self.bound("party", self.docs("Vendor")[0]["id"])
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": vendor.id,
                "invoice_date": "2026-11-02",
                "invoice_line_ids": [
                    Command.create({"name": "Paper", "quantity": 1, "price_unit": 40.0, "tax_ids": []})
                ],
            }
        )
        bill.action_post()
        refund = self.make_invoice(self.partner_a, "20.00", post=False)
        refund.move_type = "out_refund"
        refund.action_post()
        payment = self.env["account.payment"].create(
            {"payment_type": "outbound", "partner_type": "supplier", "partner_id": vendor.id, "amount": 40.0}
        )
        payment.action_post()
        vendor.phone = "555-0199"  # a vendor read from Wave, changed in Odoo: Wave's vendors are read-only
        self.assertFalse(self.pending_jobs(), "nothing Wave cannot take is queued")
        customer = self.make_invoice(self.partner_a, "30.00")
        self.assertEqual(len(self.pending_jobs("_job_export_record")), 1, "a customer invoice is")
        self.run_jobs()
        self.assertEqual(len(self.stamped(customer)), 1)
        self.assertFalse(self.stamped(bill) or self.stamped(refund))
        self.assertNotIn(vendor.name, [doc["name"] for doc in self.docs("Customer")], "no vendor sent as a customer")
        self.assertEqual(self.quarantine_messages(), [])
