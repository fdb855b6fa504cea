"""Invoices posted in Odoo reach the Kashoo sandbox once each while a fifth of the writes lose
their answer after Kashoo committed them: each lost create is looked up by its ``odoo:`` stamp
in ``memo`` before anything is written again."""

from decimal import Decimal

from odoo import Command
from odoo.tests import tagged

from .common import KashooCase


@tagged("post_install", "-at_install")
class TestKashooExport(KashooCase):
    def stamped(self):
        """{stamp: [Kashoo invoices carrying it first in their memo]}."""
        found = {}
        for doc in self.docs("records"):
            if doc["type"] == "INVOICE" and not doc["removed"] and (doc.get("memo") or "").startswith("odoo:"):
                found.setdefault(doc["memo"].split("\n")[0], []).append(doc)
        return found

    def test_fifty_invoices_reach_kashoo_once_each_while_a_fifth_of_the_answers_are_lost(self):
        self.sandbox.generate(customers=5, vendors=1, invoices=12, bills=0, payments=0)
        self.sign_in()
        self.import_kinds(("account", "tax", "party"))
        customers = self.env["res.partner"].browse(
            [
                self.bound("party", doc["id"]).id
                for doc in self.docs("contacts")
                if doc.get("customer") or "customer" in (doc.get("roles") or ())
            ]
        )
        self.assertEqual(len(customers), 5)
        mapped = self.env["connector.tax.mapping"].search([("backend_id", "=", self.backend.id)])
        codes = sorted(set(mapped.mapped("external_id")) & {"GST", "HST", "PST"})
        self.assertTrue(codes, "the imported documents named Canadian taxes")
        self.control("faults", lose_response_rate=0.2, seed=5)
        moves = self.env["account.move"]
        for n in range(50):
            moves |= self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customers[n % 5].id,
                    "invoice_date": "2026-11-02",
                    "currency_id": self.env.ref("base.CAD").id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": f"Bookkeeping {n}",
                                "quantity": 1 + n % 3,
                                "price_unit": float(Decimal(f"{40 + n}.{n:02d}")),
                                "account_id": self.company_data["default_account_revenue"].id,
                                "tax_ids": [Command.set([self.taxes[(codes[n % len(codes)], "sale")].id])],
                            }
                        )
                    ],
                }
            )
        moves.action_post()
        self.run_jobs()
        self.assertFalse(self.quarantine().filtered(lambda q: q.state == "open").mapped("message"))
        self.assertFalse(self.pending_jobs(), "no export left waiting")
        stamped = self.stamped()
        self.assertEqual(len(stamped), 50, "fifty stamped invoices in Kashoo")
        for move in moves:
            docs = stamped.get(f"odoo:account.move:{move.id}", [])
            self.assertEqual(len(docs), 1, f"{move.name} reached Kashoo once")
            self.assertEqual(Decimal(docs[0]["amount"]) / 100, Decimal(str(move.amount_total)), move.name)
            self.assertEqual(self.bound("invoice", docs[0]["id"]), move)
        self.assertEqual(
            sum(Decimal(docs[0]["amount"]) for docs in stamped.values()) / 100,
            sum(Decimal(str(move.amount_total)) for move in moves),
            "the totals of Kashoo and Odoo agree",
        )
        self.assertGreater(self.sandbox.stats.get("lost_answers", 0), 5, "answers were lost after the commit")
