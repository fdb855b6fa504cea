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
            moves |= self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customers[n % len(customers)].id,
                    "invoice_date": "2026-11-02",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": items[n % len(items)].id,
                                "quantity": 1 + n % 3,
                                "price_unit": 100 + n,
                                "tax_ids": [Command.set(self.taxes[("sale", rate)].ids)],
                            }
                        )
                    ],
                }
            )
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
