import re
from decimal import Decimal

from odoo import Command
from odoo.tests import tagged

from .common import ReckonCase


@tagged("post_install", "-at_install")
class TestReckonExport(ReckonCase):
    book_size = {
        "customers": 5,
        "suppliers": 1,
        "both": 1,
        "items": 4,
        "invoices": 0,
        "receipts": 0,
        "credit_notes": 0,
        "bills": 0,
        "journals": 0,
        "payments": 0,
    }

    def setUp(self):
        super().setUp()
        self.connect()
        self.import_kinds(("account", "tax", "party", "product"))

    def make_invoice(self, customer, item, quantity, price_unit, rate=10):
        """A draft customer invoice of one line of ``item``, with the GST of ``rate``."""
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": "2026-11-02",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": item.id,
                            "quantity": quantity,
                            "price_unit": price_unit,
                            "tax_ids": [Command.set(self.taxes[("sale", rate)].ids)],
                        }
                    )
                ],
            }
        )

    def stamped(self, move):
        stamp = re.compile(rf"odoo:account\.move:{move.id}(?!\d)")
        return [doc for doc in self.docs("invoices") if stamp.search(doc.get("notes") or "")]

    def test_fifty_invoices_reach_reckon_once_each_approved_while_a_fifth_of_the_answers_are_lost(self):
        customers = [self.bound("party", c["id"]) for c in self.docs("contacts") if c["entityTypes"]["isCustomer"]]
        items = [self.bound("product", i["id"]) for i in self.docs("items")]
        self.control("faults", lose_response_rate=0.2, seed=11)
        moves = self.env["account.move"]
        for n in range(50):
            rate = 0 if n % 5 == 0 else 10  # a GST-free invoice now and then
            moves |= self.make_invoice(customers[n % len(customers)], items[n % len(items)], 1 + n % 3, 100 + n, rate)
        moves.action_post()
        self.run_jobs()
        self.assertEqual(self.quarantine_messages(), [])
        for move in moves:
            found = self.stamped(move)
            self.assertEqual(len(found), 1, f"{move.name} reached Reckon once")
            self.assertEqual(found[0]["status"], "Approved", move.name)
            self.assertEqual(Decimal(str(found[0]["totalAmount"])), Decimal(str(move.amount_total)), move.name)
            self.assertEqual(self.bound("invoice", f"Invoice/{found[0]['id']}"), move)
        self.assertEqual(len(self.docs("invoices")), 50, "nothing written twice")
        self.assertGreater(self.sandbox.stats.get("writes", 0), 100, "created, then approved")
        report = self.sandbox.contract.report()
        if report["enabled"]:
            self.assertGreaterEqual(report["requests"]["validated"], 100, "every write held to openapi.yaml")

    def test_an_invoice_cancelled_in_odoo_is_deleted_in_reckon(self):
        customer = next(c for c in self.docs("contacts") if c["entityTypes"]["isCustomer"])
        item = self.bound("product", self.docs("items")[0]["id"])
        move = self.make_invoice(self.bound("party", customer["id"]), item, 2, 45)
        move.action_post()
        self.run_jobs()
        self.assertEqual(len(self.stamped(move)), 1)
        move.button_cancel()
        self.run_jobs()
        self.assertEqual(self.quarantine_messages(), [])
        self.assertEqual(self.stamped(move), [], "gone from Reckon")

    def test_an_invoice_left_draft_by_a_job_killed_before_approving_it_is_approved_not_made_again(self):
        customer = next(self.bound("party", c["id"]) for c in self.docs("contacts") if c["entityTypes"]["isCustomer"])
        item = self.bound("product", self.docs("items")[0]["id"])
        move = self.make_invoice(customer, item, 2, 150)
        move.action_post()
        self.run_jobs()
        (doc,) = self.stamped(move)
        # what a worker SIGKILLed between Reckon's create and the approval leaves: the invoice Draft
        # in Reckon, the note of the create (committed before it left), no binding, and no memory
        # of the write in any process
        with self.sandbox.book.lock:
            self.sandbox.book.get("invoices", doc["id"])["status"] = "Draft"
        Binding, Attempts = self.env["connector.binding"], self.env["connector.export.attempt"]
        Binding._for_records(self.backend, "invoice", move).unlink()
        Attempts._note(self.backend, [self.env["connector.engine"]._role_reference(move, "all")])
        self.backend._job_export_record("invoice", "account.move", move.id)  # the job run again
        (found,) = self.stamped(move)
        self.assertEqual(found["id"], doc["id"], "the invoice Reckon made is the one bound, not made again")
        self.assertEqual(found["status"], "Approved", "and approved, as the posted invoice in Odoo is")
        self.assertEqual(self.bound("invoice", f"Invoice/{doc['id']}"), move)
        self.assertEqual(self.quarantine_messages(), [])
