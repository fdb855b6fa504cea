"""Documents as QuickBooks publishes them (the shapes of recorded API answers), loaded into
the sandbox and imported the way a new user does: what Odoo makes of them, and what the
accountant is told when it cannot."""

from datetime import date
from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QuickBooksCase


@tagged("post_install", "-at_install")
class TestQuickBooksPublishedDocuments(QuickBooksCase):
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
        self.import_kinds(("account", "tax", "party", "product"))
        company = self.sandbox.company
        self.customer = next(
            doc
            for doc in company.snapshot("Customer")
            if doc["CurrencyRef"]["value"] == "USD" and doc["SalesTermRef"]["name"] != "Due on receipt"
        )
        self.vendor = company.snapshot("Vendor")[0]
        self.item = company.snapshot("Item")[0]
        self.expense_account = next(doc for doc in company.snapshot("Account") if doc["AccountType"] == "Expense")

    def sales_line(self, amount, tax_code="NON"):
        return {
            "Id": "1",
            "LineNum": 1,
            "Amount": amount,
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": self.item["Id"]}, "TaxCodeRef": {"value": tax_code}},
        }

    def sales_document(self, doc_id, txn_date, amount, tax=0, lines=None, tax_code=None):
        """A CreditMemo or Invoice as QuickBooks answers a read of it (subtotal line and all)."""
        lines = lines or [self.sales_line(amount)]
        total = amount + tax
        tax_detail = {"TotalTax": tax}
        if tax_code:
            tax_detail["TxnTaxCodeRef"] = {"value": tax_code}
        return {
            "Id": doc_id,
            "SyncToken": "0",
            "DocNumber": f"PUB-{doc_id}",
            "TxnDate": txn_date,
            "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
            "CustomerRef": {"value": self.customer["Id"], "name": self.customer["DisplayName"]},
            "Line": [*lines, {"Amount": amount, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}],
            "TxnTaxDetail": tax_detail,
            "TotalAmt": total,
            "Balance": total,
        }

    def imported(self, external_id):
        return self.env["connector.binding"]._find_record(self.backend, "invoice", external_id)

    # ------------------------------------------------------------------ due dates
    def test_credit_notes_without_a_due_date_fall_due_on_their_own_date(self):
        """QuickBooks gives credit memos and vendor credits no DueDate: in aged receivables and
        payables they stand at their own date, not at the day of the import nor a term's end."""
        company = self.sandbox.company
        company.seed("CreditMemo", [dict(self.sales_document("9501", "2026-05-05", 100), RemainingCredit=100)])
        company.seed(
            "VendorCredit",
            [
                {
                    "Id": "9502",
                    "SyncToken": "0",
                    "TxnDate": "2026-05-06",
                    "CurrencyRef": {"value": "USD"},
                    "VendorRef": {"value": self.vendor["Id"]},
                    "Line": [
                        {
                            "Id": "1",
                            "Amount": 40,
                            "DetailType": "AccountBasedExpenseLineDetail",
                            "AccountBasedExpenseLineDetail": {
                                "AccountRef": {"value": self.expense_account["Id"]},
                                "TaxCodeRef": {"value": "NON"},
                            },
                        }
                    ],
                    "TotalAmt": 40,
                    "Balance": 40,
                }
            ],
        )
        self.import_kinds(("invoice",))
        credit_memo, vendor_credit = self.imported("CreditMemo/9501"), self.imported("VendorCredit/9502")
        self.assertEqual(
            (credit_memo.move_type, credit_memo.state, credit_memo.invoice_date_due),
            ("out_refund", "posted", date(2026, 5, 5)),
        )
        self.assertEqual(
            (vendor_credit.move_type, vendor_credit.state, vendor_credit.invoice_date_due),
            ("in_refund", "posted", date(2026, 5, 6)),
        )

    # ------------------------------------------------------------------ tax codes
    def test_a_tax_code_a_us_company_does_not_use_waits_for_its_mapping(self):
        """A line taxed with a tax code (GST) on a US company's invoice, whose lines QuickBooks
        marks TAX or NON: not a rounding difference of the whole tax, but a missing mapping
        named after the code; once it is mapped the invoice comes in with QuickBooks' total."""
        company = self.sandbox.company
        company.seed("TaxRate", [{"Id": "10", "Name": "GST", "RateValue": 10}])
        gst = {"Id": "10", "Name": "GST", "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "10"}}]}}
        company.seed("TaxCode", [gst])
        self.backend._import_batch("tax")
        lines = [self.sales_line(100, "10"), dict(self.sales_line(50, "NON"), Id="2", LineNum=2)]
        company.seed("Invoice", [self.sales_document("9601", "2026-05-07", 150, tax=10, lines=lines)])
        self.import_kinds(("invoice",))
        row = self.env["connector.quarantine"].search([("external_id", "=", "Invoice/9601")])
        self.assertEqual(
            (row.reason, row.waiting_model, row.waiting_key), ("mapping_missing", "connector.tax.mapping", "10")
        )
        self.assertIn("GST", row.message)
        self.assertFalse(row.force_allowed, "nothing to force: the code needs its mapping")
        self.assertFalse(self.imported("Invoice/9601"))
        gst_tax = self.env["account.tax"].create({"name": "GST 10%", "amount": 10, "type_tax_use": "sale"})
        mapping = self.env["connector.tax.mapping"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", "10")]
        )
        mapping.tax_id = gst_tax  # the accountant's fix: the waiting invoice is retried
        self.run_jobs()
        move = self.imported("Invoice/9601")
        self.assertEqual((move.state, move.amount_total, move.amount_tax), ("posted", 160.0, 10.0))
        self.assertEqual(row.state, "resolved")

    def test_force_is_offered_for_a_rounding_only(self):
        """Force accepts Odoo's total: for a cent, not for a total that is off by more."""
        self.backend.rounding_account_id = False  # so that a cent of difference waits too
        lines = [self.sales_line(100, "TAX")]  # tax code 3 is 8.25%: Odoo computes 8.25
        self.sandbox.company.seed(
            "Invoice",
            [
                self.sales_document("9701", "2026-05-08", 100, tax=Decimal("8.30"), lines=lines, tax_code="3"),
                self.sales_document("9702", "2026-05-08", 100, tax=Decimal("8.26"), lines=lines, tax_code="3"),
            ],
        )
        self.import_kinds(("invoice",))
        Quarantine = self.env["connector.quarantine"]
        five_cents = Quarantine.search([("external_id", "=", "Invoice/9701")])
        self.assertEqual((five_cents.reason, five_cents.total_difference), ("rounding_diff", "0.05"))
        self.assertFalse(five_cents.force_allowed)
        self.assertIn("Force is not offered", five_cents.suggested_fix)
        with self.assertRaises(UserError):
            five_cents.action_force()
        self.assertFalse(self.imported("Invoice/9701"))
        one_cent = Quarantine.search([("external_id", "=", "Invoice/9702")])
        self.assertEqual((one_cent.reason, one_cent.total_difference), ("rounding_diff", "0.01"))
        self.assertTrue(one_cent.force_allowed)
        one_cent.action_force()
        move = self.imported("Invoice/9702")
        self.assertEqual((move.state, move.amount_total, one_cent.state), ("posted", 108.25, "resolved"))

    # ------------------------------------------------------------------ object not found (610)
    def test_a_document_whose_customer_quickbooks_lacks_names_the_customer_and_the_fix(self):
        """QuickBooks' 610 never says which reference it could not find: the connector does."""
        company = self.sandbox.company
        orphan = dict(self.sales_document("9801", "2026-04-08", 100), CustomerRef={"value": "58", "name": "Kim"})
        company.seed("Invoice", [orphan])
        self.import_kinds(("invoice",))
        row = self.env["connector.quarantine"].search([("external_id", "=", "Invoice/9801")])
        self.assertEqual(
            (row.reason, row.waiting_model, row.waiting_key), ("mapping_missing", "connector.binding", "Customer/58")
        )
        self.assertIn("Customer 58 is not known to this connection", row.message)
        self.assertIn("import it", row.message)
        self.assertIn("Import the record it refers to", row.suggested_fix)
        self.assertFalse(row.force_allowed)
        company.seed("Customer", [{"Id": "58", "DisplayName": "Kim Lee", "CurrencyRef": {"value": "USD"}}])
        row.action_retry()  # imported into QuickBooks: Retry brings the customer, then the invoice
        self.assertEqual(self.imported("Invoice/9801").partner_id.name, "Kim Lee")
        self.assertEqual(row.state, "resolved")

    def test_an_export_refused_for_an_inactive_customer_names_it(self):
        partner = self.odoo_partner(f"Customer/{self.customer['Id']}")
        self.sandbox.company.write(
            "Customer",
            {"Id": self.customer["Id"], "SyncToken": self.customer["SyncToken"], "Active": False},
            sparse=True,
        )
        move = self.make_invoice(partner, "80.00")
        self.run_jobs()
        row = self.env["connector.quarantine"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual((row.reason, row.waiting_key), ("mapping_missing", f"Customer/{self.customer['Id']}"))
        self.assertIn(f"its Customer {self.customer['Id']} is inactive in QuickBooks", row.message)
