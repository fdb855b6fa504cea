"""The accountant's and the admin's day on the screens, against the QuickBooks sandbox: a
QuickBooks tax Odoo does not know, an Odoo tax QuickBooks does not know, and connecting from
the Settings page. The tours are in connector_base/static/tests/tours.

With CONNECTOR_SCREENSHOTS=<folder> in the environment, the tests also save the README's
walkthrough screenshots there (docs/img)."""

import base64
import io
import os
import time
from decimal import Decimal

from odoo import Command
from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from .common import QuickBooksCase

QUARANTINE = "/odoo/action-connector_base.connector_quarantine_action"


@tagged("post_install", "-at_install")
class TestQuickBooksAccountant(QuickBooksCase):
    browser_size = "1400x900"
    company_size = {
        "customers": 6,
        "items": 4,
        "invoices": 4,
        "payments": 1,
        "bills": 1,
        "journal_entries": 0,
        "credit_memos": 0,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.la_tax = cls.env["account.tax"].create(
            {"name": "Los Angeles 10%", "amount": 10, "type_tax_use": "sale", "company_id": cls.env.company.id}
        )

    # ------------------------------------------------------------------ the situations
    def connected_and_imported(self):
        """Connected, the chart, tax codes, customers and items read; then QuickBooks gets a
        Los Angeles sales tax (California's 7.25% and the county's 2.75%)."""
        self.connect()
        self.import_kinds(("account", "tax", "party", "product"))
        company = self.sandbox.company
        company.seed("TaxRate", [{"Id": "4", "Name": "Los Angeles County", "RateValue": Decimal("2.75")}])
        details = [{"TaxRateRef": {"value": rate}, "TaxOrder": 0} for rate in ("1", "4")]
        company.seed(
            "TaxCode",
            [
                {
                    "Id": "5",
                    "Name": "Los Angeles",
                    "Taxable": True,
                    "TaxGroup": True,
                    "SalesTaxRateList": {"TaxRateDetail": details},
                }
            ],
        )

    def los_angeles_invoice(self):
        """A QuickBooks invoice taxed at Los Angeles' rate, read into Odoo: it waits in quarantine."""
        company = self.sandbox.company
        customer = next(
            c for c in company.snapshot("Customer") if (c.get("CurrencyRef") or {}).get("value", "USD") == "USD"
        )
        item = company.snapshot("Item")[0]
        line = {"ItemRef": {"value": item["Id"]}, "Qty": 2, "UnitPrice": 100, "TaxCodeRef": {"value": "TAX"}}
        doc = company.write(
            "Invoice",
            {
                "CustomerRef": {"value": customer["Id"]},
                "DocNumber": "1042",
                "TxnDate": "2026-11-10",
                "CurrencyRef": {"value": "USD"},
                "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 200, "SalesItemLineDetail": line}],
                "TxnTaxDetail": {"TxnTaxCodeRef": {"value": "5"}},
            },
        )
        external_id = f"Invoice/{doc['Id']}"
        self.backend._import_record("invoice", external_id)
        row = self.env["connector.quarantine"].search([("external_id", "=", external_id)])
        return doc, customer, row

    def unsent_odoo_invoice(self):
        """An invoice posted in Odoo with its Los Angeles tax, which QuickBooks' Los Angeles
        code (read, not mapped yet) should stand for: its export waits in quarantine."""
        self.backend._import_record("tax", "5")
        partner = self.odoo_partner(f"Customer/{self.sandbox.company.snapshot('Customer')[0]['Id']}")
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": "2026-11-12",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "quantity": 3,
                            "price_unit": 50,
                            "tax_ids": [Command.set(self.la_tax.ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        self.env["connector.engine"]._export_safely(self.backend, "invoice", move)
        row = self.env["connector.quarantine"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        return move, row

    # ------------------------------------------------------------------ without a browser
    def test_a_new_quickbooks_tax_is_named_and_rated_in_the_quarantine(self):
        self.connected_and_imported()
        self.assertIn(
            "Connected to the QuickBooks company Sandbox Company",
            " ".join(self.backend.message_ids.mapped("body")),
            "the company by its name, not its realm id",
        )
        doc, customer, row = self.los_angeles_invoice()
        self.assertEqual(row.reason, "mapping_missing")
        mapping = self.env["connector.tax.mapping"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", "5")]
        )
        self.assertEqual((mapping.external_name, mapping.scope), ("Los Angeles", "sale"))
        self.assertEqual(Decimal(mapping.external_rate), Decimal("10"), "California's 7.25% and the county's 2.75%")
        self.assertEqual(mapping.suggested_tax_id, self.la_tax)
        self.assertIn("QuickBooks Online tax “Los Angeles” (10%, Sales) has no Odoo tax yet", row.explanation)
        for part in (doc["DocNumber"], customer["DisplayName"], "220.00", "11/10/2026"):
            self.assertIn(part, row.display_label)

    def test_an_odoo_tax_without_a_counterpart_offers_quickbooks_tax_of_its_rate(self):
        self.connected_and_imported()
        move, row = self.unsent_odoo_invoice()
        self.assertIn(
            "Odoo tax “Los Angeles 10%” (10%, Sales) has no counterpart in QuickBooks Online", row.explanation
        )
        wizard = self.env["connector.counterpart.wizard"].browse(row.action_open_mapping()["res_id"])
        self.assertEqual(wizard.tax_mapping_id.external_name, "Los Angeles")
        self.assertFalse(wizard.can_create, "QuickBooks' tax codes cannot be created through its API")

    # ------------------------------------------------------------------ tours
    def test_tour_the_accountant_fixes_an_import_quarantine(self):
        self.connected_and_imported()
        doc, _customer, row = self.los_angeles_invoice()
        mapping = self.env["connector.tax.mapping"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", "5")]
        )
        self.snap("quarantine-form", f"{QUARANTINE}/{row.id}", "[name='payload_summary'] table")
        self.snap(
            "fix-the-mapping",
            f"/odoo/action-connector_base.connector_tax_mapping_action/{mapping.id}",
            "[name='suggested_tax_id'] a, [name='suggested_tax_id'] span",
        )
        self.start_tour(QUARANTINE, "connector_quarantine_import_tour", login="admin")
        move = self.env["connector.binding"]._find_record(self.backend, "invoice", f"Invoice/{doc['Id']}")
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.invoice_line_ids.tax_ids, self.la_tax)
        self.assertAlmostEqual(move.amount_total, 220.0)
        self.assertEqual(row.state, "resolved")
        self.assertTrue(mapping.confirmed)
        self.snap(
            "invoice-connection-status",
            f"/odoo/action-account.action_move_out_invoice_type/{move.id}",
            "[name='connector_status']",
            click="button[name='action_connector_status']",
            then=".modal [name='external_id']",
        )

    def test_tour_the_accountant_fixes_an_export_quarantine(self):
        self.connected_and_imported()
        move, row = self.unsent_odoo_invoice()
        self.snap(
            "export-fix",
            f"{QUARANTINE}/{row.id}",
            "[name='payload_summary'] table",
            click="button[name='action_open_mapping']",
            then=".modal [name='tax_mapping_id'] input",
        )
        self.start_tour(QUARANTINE, "connector_quarantine_export_tour", login="admin")
        self.assertEqual(row.state, "resolved")
        binding = self.env["connector.binding"]._for_record(self.backend, "invoice", move)
        sent = self.sandbox.company.get("Invoice", binding.external_id.split("/")[1])
        self.assertEqual(sent["TxnTaxDetail"]["TxnTaxCodeRef"]["value"], "5")
        self.assertEqual(Decimal(str(sent["TotalAmt"])), Decimal("165.00"))

    def test_tour_the_admin_connects_from_the_settings_page(self):
        self.sandbox.oauth.auto_consent = True  # Intuit's consent page, which a tour cannot click
        self.env.company.tax_exigibility = True  # the test company has cash-basis taxes: the page would say so
        self.start_tour("/odoo/action-account.action_account_config", "connector_admin_connect_tour", login="admin")
        self.assertEqual(self.backend.state, "connected")
        self.assertIn("Sandbox Company", self.backend.tenant_name)
        self.assertTrue(self.pending_jobs("_job_import_batch"), "the first import is queued")

    # ------------------------------------------------------------------ screenshots
    def snap(self, name, url, ready, click=None, then=None):
        """Save a screenshot of ``url`` once ``ready`` (a CSS selector) shows, after clicking
        ``click`` and waiting for ``then`` if given; only with CONNECTOR_SCREENSHOTS set."""
        folder = os.environ.get("CONNECTOR_SCREENSHOTS")
        if not folder:
            return
        from PIL import Image

        browser = ChromeBrowser(self)
        try:
            self.authenticate("admin", "admin", browser=browser)
            self.env.flush_all()
            browser.navigate_to(f"{self.base_url()}{url}", wait_stop=False)
            self.assertTrue(browser._wait_ready(f"!!document.querySelector({ready!r})", timeout=60), name)
            if click:
                browser._wait_ready(f"(document.querySelector({click!r}).click(), true)", timeout=10)
                self.assertTrue(browser._wait_ready(f"!!document.querySelector({then!r})", timeout=30), name)
            time.sleep(1.0)  # the last renders and transitions
            shot = browser._websocket_request("Page.captureScreenshot", params={"format": "png"})
        finally:
            browser.stop()
            self._wait_remaining_requests()
        image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
        image = image.quantize(colors=96, method=Image.Quantize.MEDIANCUT)
        image.save(os.path.join(folder, f"{name}.png"), optimize=True)
