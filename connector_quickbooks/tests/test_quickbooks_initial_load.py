from odoo.tests import tagged

from .common import QuickBooksCase


@tagged("post_install", "-at_install")
class TestQuickBooksInitialLoad(QuickBooksCase):
    """The issue's must-show: a company of 200 customers, 100 items, 500 invoices in two
    currencies with mixed taxes and 300 payments, some partial."""

    company_size = {
        "customers": 200,
        "items": 100,
        "invoices": 500,
        "payments": 300,
        "bills": 10,
        "journal_entries": 3,
        "credit_memos": 5,
    }

    def test_initial_import_matches_quickbooks_to_the_cent_and_a_second_creates_nothing(self):
        self.connect()
        self.import_kinds()
        company = self.sandbox.company
        invoices = company.snapshot("Invoice")
        self.assertEqual(len(invoices), 500)
        self.assertEqual({d["CurrencyRef"]["value"] for d in invoices}, {"USD", "EUR"})
        partial = [d for d in invoices if 0 < d["Balance"] < d["TotalAmt"]]
        self.assertTrue(partial, "some payments are partial")
        Binding = self.env["connector.binding"]
        mismatches = []
        for doc in invoices:
            move = Binding._find_record(self.backend, "invoice", f"Invoice/{doc['Id']}")
            if not move:
                mismatches.append((doc["Id"], "missing"))
                continue
            if round(move.amount_total - float(doc["TotalAmt"]), 2) or round(
                move.amount_residual - float(doc["Balance"]), 2
            ):
                mismatches.append((doc["Id"], move.amount_total, doc["TotalAmt"], move.amount_residual, doc["Balance"]))
        self.assertEqual(mismatches, [])
        quarantined = self.env["connector.quarantine"].search([("backend_id", "=", self.backend.id)])
        self.assertFalse(quarantined, quarantined.mapped("message")[:5])

        counts = {
            m: self.env[m].search_count([])
            for m in ("account.move", "res.partner", "account.payment", "product.product", "connector.binding")
        }
        self.backend.action_import_all()
        self.env["queue.job"].sudo().search([("model_name", "=", "connector.backend")]).unlink()
        self.import_kinds()
        self.assertEqual(counts, {m: self.env[m].search_count([]) for m in counts}, "a second import creates nothing")
