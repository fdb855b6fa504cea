import logging
import time

from odoo.tests import tagged

from .common import ReckonBooksCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestReckonInitialLoad(ReckonBooksCase):
    """The issue's must-show: 200 contacts (20 both customer and supplier), 100 items, 500
    invoices (half tax-inclusive; GST and GST-free lines), 300 receipts (some partial, some
    over two invoices)."""

    book_size = {
        "customers": 180,
        "suppliers": 20,
        "both": 20,
        "items": 100,
        "invoices": 500,
        "receipts": 300,
        "credit_notes": 4,
        "bills": 8,
        "journals": 2,
        "payments": 4,
        "half_inclusive": True,
        "two_invoice_receipts": 60,
    }

    def test_import_all_matches_reckon_to_the_cent_with_one_partner_per_dual_contact_and_a_second_import_adds_nothing(
        self,
    ):
        contacts = self.docs("contacts")
        dual = [c for c in contacts if c["entityTypes"]["isCustomer"] and c["entityTypes"]["isSupplier"]]
        invoices = self.docs("invoices")
        receipts = self.docs("receipts")
        self.assertEqual((len(contacts), len(dual), len(self.docs("items")), len(invoices)), (200, 20, 100, 500))
        self.assertEqual(len([i for i in invoices if i["amountTaxStatus"] == "Inclusive"]), 250)
        rates = {line.get("taxRate", {}).get("name") for i in invoices for line in i["lineItems"]}
        self.assertTrue({"GST", "FRE"} <= rates, rates)
        self.assertGreaterEqual(len(receipts), 290)
        self.assertTrue([r for r in receipts if len(r["transactionLinks"]) == 2], "receipts over two invoices")
        started = time.monotonic()
        self.import_all()
        elapsed = time.monotonic() - started
        self.assertEqual(self.quarantine_messages(), [])
        figures = self.assert_invoices_match_reckon()
        self.assertTrue([1 for s, t, b in figures.values() if s != "Draft" and 0 < b < t], "some receipts partial")
        Binding = self.env["connector.binding"]
        for contact in dual:
            links = Binding.search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("external_type", "=", "party"),
                    ("external_id", "=", contact["id"]),
                ]
            )
            self.assertEqual(len(links), 1, contact["name"])
            partner = self.env["res.partner"].browse(links.res_id)
            self.assertTrue(partner.customer_rank and partner.supplier_rank, contact["name"])
            self.assertEqual(self.env["res.partner"].search_count([("name", "=", contact["name"])]), 1)
        payments = Binding.search([("backend_id", "=", self.backend.id), ("external_id", "=like", "Receipt/%")])
        self.assertEqual(len(payments), len(receipts))

        models = ("account.move", "res.partner", "account.payment", "product.product", "connector.binding")
        counts = {model: self.env[model].search_count([]) for model in models}
        started_again = time.monotonic()
        self.backend.action_import_all()  # the cursors go back to the start: everything is read again
        self.run_jobs()
        self.assertEqual(counts, {model: self.env[model].search_count([]) for model in models})
        self.assertEqual(self.quarantine_messages(), [])
        _logger.info(
            "Reckon initial load: %d invoices, %d receipts, %d contacts imported in %.1f s; the second import "
            "(nothing new) in %.1f s",
            len(invoices),
            len(receipts),
            len(contacts),
            elapsed,
            time.monotonic() - started_again,
        )
