"""Credit memos applied to invoices, against the QuickBooks sandbox: QuickBooks' Payment of 0
whose lines link a CreditMemo and an Invoice comes into Odoo as the two documents reconciled,
and a credit note reconciled with an invoice in Odoo reaches QuickBooks as such a Payment."""

from decimal import Decimal

from odoo.tests import tagged

from .common import QuickBooksCase

CENT = Decimal("0.01")


def money(value):
    return Decimal(str(value)).quantize(CENT)


@tagged("post_install", "-at_install")
class TestQuickBooksCreditApplications(QuickBooksCase):
    company_size = {
        "customers": 4,
        "items": 3,
        "invoices": 0,
        "payments": 0,
        "bills": 0,
        "journal_entries": 0,
        "credit_memos": 0,
    }

    def setUp(self):
        super().setUp()
        self.connect()
        company = self.sandbox.company
        self.customer = next(doc for doc in company.snapshot("Customer") if doc["CurrencyRef"]["value"] == "USD")
        self.item = company.snapshot("Item")[0]

    def sales(self, entity, *lines, tax_code=None):
        """An Invoice or CreditMemo made in QuickBooks: lines of (quantity, unit price, taxed)."""
        body = {
            "CustomerRef": {"value": self.customer["Id"]},
            "TxnDate": "2026-11-03",
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": Decimal(qty) * Decimal(price),
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": self.item["Id"]},
                        "Qty": Decimal(qty),
                        "UnitPrice": Decimal(price),
                        "TaxCodeRef": {"value": "TAX" if taxed else "NON"},
                    },
                }
                for qty, price, taxed in lines
            ],
        }
        if tax_code:
            body["TxnTaxDetail"] = {"TxnTaxCodeRef": {"value": tax_code}}
        return self.sandbox.company.write(entity, body)

    def apply_credit(self, invoice, memo, amount):
        """What QuickBooks records when a credit memo is applied to an invoice: a Payment of 0."""
        amount = Decimal(amount)
        return self.sandbox.company.write(
            "Payment",
            {
                "CustomerRef": {"value": self.customer["Id"]},
                "TotalAmt": Decimal(0),
                "TxnDate": "2026-11-04",
                "PrivateNote": "Created by QB Online to link credits to charges.",
                "Line": [
                    {"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]},
                    {"Amount": amount, "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]},
                ],
            },
        )

    def bound(self, kind, external_id):
        return self.env["connector.binding"]._find_record(self.backend, kind, external_id)

    def test_credit_memos_applied_by_zero_payments_reduce_the_invoice_to_the_cent(self):
        invoice = self.sales("Invoice", ("3", "19.99", True), ("1", "250.00", False), tax_code="3")  # 8.25%
        whole = self.sales("CreditMemo", ("1", "45.67", False))
        part = self.sales("CreditMemo", ("2", "40.00", False))
        self.apply_credit(invoice, whole, "45.67")
        partial = self.apply_credit(invoice, part, "33.33")
        self.import_kinds(("account", "tax", "party", "product", "invoice", "payment"))
        self.assertFalse(self.quarantine_messages())
        company = self.sandbox.company
        qbo_invoice = company.get("Invoice", invoice["Id"])
        self.assertEqual(money(qbo_invoice["TotalAmt"]), Decimal("314.92"))
        self.assertEqual(money(qbo_invoice["Balance"]), Decimal("235.92"))
        move = self.bound("invoice", f"Invoice/{invoice['Id']}")
        memos = {memo["Id"]: self.bound("invoice", f"CreditMemo/{memo['Id']}") for memo in (whole, part)}
        self.assertEqual(money(move.amount_total), money(qbo_invoice["TotalAmt"]))
        self.assertEqual(money(move.amount_residual), money(qbo_invoice["Balance"]))
        self.assertEqual(move.payment_state, "partial")
        for memo_id, credit_note in memos.items():
            remaining = company.get("CreditMemo", memo_id)["RemainingCredit"]
            self.assertEqual(money(credit_note.amount_residual), money(remaining), memo_id)
        self.assertEqual(money(memos[part["Id"]].amount_residual), Decimal("46.67"))
        application = self.bound("payment", f"Payment/{partial['Id']}")
        self.assertEqual(application._name, "connector.credit.application")
        self.assertEqual((money(application.amount), application.credit_note_id), (Decimal("33.33"), memos[part["Id"]]))
        self.assertFalse(self.env["account.payment"].search([("partner_id", "=", move.partner_id.id)]), "no money")
        # the partial application is voided in QuickBooks: its credit is open again, to the cent
        partial = company.get("Payment", partial["Id"])
        company.write("Payment", {"Id": partial["Id"], "SyncToken": partial["SyncToken"]}, operation="void")
        self.backend._import_record("payment", f"Payment/{partial['Id']}")
        self.assertEqual(money(company.get("Invoice", invoice["Id"])["Balance"]), Decimal("269.25"))
        self.assertEqual(money(move.amount_residual), Decimal("269.25"))
        self.assertEqual(money(memos[part["Id"]].amount_residual), Decimal("80.00"))
        self.assertEqual(application.state, "void")

    def test_a_payment_of_money_and_credit_pays_the_invoice_with_both(self):
        invoice = self.sales("Invoice", ("1", "100.00", False))
        memo = self.sales("CreditMemo", ("1", "30.00", False))
        self.sandbox.company.write(
            "Payment",
            {
                "CustomerRef": {"value": self.customer["Id"]},
                "TotalAmt": Decimal("70.00"),
                "TxnDate": "2026-11-05",
                "Line": [
                    {"Amount": Decimal("100.00"), "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]},
                    {"Amount": Decimal("30.00"), "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]},
                ],
            },
        )
        self.import_kinds(("account", "tax", "party", "product", "invoice", "payment"))
        self.assertFalse(self.quarantine_messages())
        move = self.bound("invoice", f"Invoice/{invoice['Id']}")
        credit_note = self.bound("invoice", f"CreditMemo/{memo['Id']}")
        payment = self.env["account.payment"].search([("partner_id", "=", move.partner_id.id)])
        self.assertEqual(money(payment.amount), Decimal("70.00"))
        self.assertEqual((money(move.amount_residual), money(credit_note.amount_residual)), (0, 0))
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def test_a_credit_note_reconciled_in_odoo_reaches_quickbooks_once_as_a_zero_payment(self):
        self.import_kinds(("account", "tax"))
        invoice = self.make_invoice(self.partner_a, "100.00")  # 108.25
        refund = self.make_invoice(self.partner_a, "30.00", post=False, move_type="out_refund")
        refund.action_post()
        self.run_jobs()
        refund_line = refund.line_ids.filtered(lambda ln: ln.account_id.account_type == "asset_receivable")
        invoice.js_assign_outstanding_line(refund_line.id)  # the invoice's outstanding credit, applied
        self.run_jobs()
        self.assertFalse(self.quarantine_messages())
        application = self.env["connector.credit.application"].search([("credit_note_id", "=", refund.id)])
        self.assertEqual(application.origin, "odoo")
        reference = f"odoo:connector.credit.application:{application.id}"
        (payment,) = (doc for doc in self.qbo_docs("Payment") if doc.get("PrivateNote") == reference)
        Binding = self.env["connector.binding"]
        invoice_id = Binding._for_record(self.backend, "invoice", invoice).external_id.split("/")[1]
        memo_id = Binding._for_record(self.backend, "invoice", refund).external_id.split("/")[1]
        credit = money(refund.amount_total)
        self.assertEqual(money(payment["TotalAmt"]), Decimal("0.00"))
        self.assertEqual(
            [(money(line["Amount"]), line["LinkedTxn"]) for line in payment["Line"]],
            [
                (credit, [{"TxnId": invoice_id, "TxnType": "Invoice"}]),
                (credit, [{"TxnId": memo_id, "TxnType": "CreditMemo"}]),
            ],
        )
        company = self.sandbox.company
        self.assertEqual(money(company.get("Invoice", invoice_id)["Balance"]), money(invoice.amount_residual))
        self.assertEqual(money(invoice.amount_residual), money(invoice.amount_total) - credit)
        self.assertEqual(money(company.get("CreditMemo", memo_id)["RemainingCredit"]), Decimal("0.00"))
        # once: a repeated export, the echo read back, and the read-back before the link was recorded
        self.backend._export_record("payment", application._name, application.id)
        binding = Binding._for_record(self.backend, "payment", application)
        self.backend._import_record("payment", binding.external_id)
        binding.unlink()
        self.backend._import_record("payment", f"Payment/{payment['Id']}")
        self.assertEqual(len([doc for doc in self.qbo_docs("Payment") if doc.get("PrivateNote") == reference]), 1)
        self.assertEqual(self.env["connector.credit.application"].search_count([]), 1)
        self.assertEqual(self.bound("payment", f"Payment/{payment['Id']}"), application)
        self.assertEqual(money(invoice.amount_residual), money(invoice.amount_total) - credit)
