"""What an accountant reads and does on the connector's screens, driven through the fake provider:
quarantined records named and explained in the provider's words, fixed from the screens, the
connection status of imported records, webhook events that finish, measured durations."""

import html
from decimal import Decimal as D

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import FakeProviderCase


@tagged("post_install", "-at_install")
class TestAccountantScreens(FakeProviderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.la_tax = cls.env["account.tax"].create(
            {"name": "Los Angeles 10%", "amount": 10, "type_tax_use": "sale", "company_id": cls.env.company.id}
        )
        cls.adapter.put("tax", {"external_id": "T10", "name": "Los Angeles", "rate": D("10"), "scope": "sale"})
        cls.adapter.put("tax", {"external_id": "T20", "name": "City levy", "rate": D("17.5"), "scope": "sale"})

    def setUp(self):
        super().setUp()
        # the customer and the product were read earlier: the quarantine can name them
        self.backend._import_record("party", "C1")
        self.backend._import_record("product", "P1")

    def la_invoice(self, external_id):
        """An invoice of 200.00 taxed at Los Angeles' 10%."""
        return self.invoice(external_id, taxes=("T10",), amount_tax=D("20.00"), amount_total=D("220.00"))

    def quarantined(self, external_id):
        return self.env["connector.quarantine"].search([("external_id", "=", external_id)])

    # ------------------------------------------------------------------ import
    def test_an_unknown_tax_is_named_and_rated_as_the_provider_has_it(self):
        self.assertIsNone(self.engine._import_safely(self.backend, "invoice", self.la_invoice("INV10")))
        mapping = self.env["connector.tax.mapping"].search([("external_id", "=", "T10")])
        self.assertEqual((mapping.external_name, mapping.external_rate, mapping.scope), ("Los Angeles", "10", "sale"))
        self.assertEqual(mapping.suggested_tax_id, self.la_tax, "the Odoo tax of the same rate, not a 15% one")
        row = self.quarantined("INV10")
        self.assertIn("Fake (tests) tax “Los Angeles” (10%, Sales) has no Odoo tax yet", row.explanation)
        self.assertIn("Tax Los Angeles is not mapped", row.message)
        for part in ("QB-INV10", "Amy's Bird Sanctuary", "220.00", "02/01/2026"):
            self.assertIn(part, row.display_label)
        self.assertEqual(row.display_name, row.display_label)
        self.assertEqual(row.kind_label, "Customer Invoice")
        summary = html.unescape(row.payload_summary)
        for part in ("Amy's Bird Sanctuary", "Garden design", "Los Angeles (10%)", "220.00", "Untaxed amount"):
            self.assertIn(part, summary)
        self.assertIn('"external_id": "INV10"', row.payload, "the raw JSON stays behind its tab")

    def test_no_suggestion_is_offered_without_a_tax_of_the_same_rate(self):
        self.engine._import_safely(self.backend, "invoice", self.invoice("INV20", taxes=("T20",)))
        mapping = self.env["connector.tax.mapping"].search([("external_id", "=", "T20")])
        self.assertEqual(mapping.external_name, "City levy")
        self.assertFalse(mapping.suggested_tax_id, "15% taxes exist, none of 17.5%: nothing to confirm by mistake")
        self.assertEqual(mapping.score, 0)
        mapping.action_confirm()
        self.assertFalse(mapping.confirmed, "nothing was confirmed")

    def test_a_provider_that_cannot_describe_a_tax_leaves_its_id(self):
        self.engine._import_safely(self.backend, "invoice", self.invoice("INV30", taxes=("T30",)))
        mapping = self.env["connector.tax.mapping"].search([("external_id", "=", "T30")])
        self.assertEqual(mapping.external_name, "T30")
        self.assertFalse(mapping.suggested_tax_id)
        self.assertEqual(self.quarantined("INV30").reason, "mapping_missing")

    def test_fix_the_mapping_opens_the_missing_row_and_confirming_it_imports_the_invoice(self):
        self.engine._import_safely(self.backend, "invoice", self.la_invoice("INV11"))
        row = self.quarantined("INV11")
        self.assertTrue(row.can_fix_mapping)
        action = row.action_open_mapping()
        mapping = self.env["connector.tax.mapping"].search([("external_id", "=", "T10")])
        self.assertEqual((action["res_model"], action["res_id"]), ("connector.tax.mapping", mapping.id))
        with trap_jobs():
            shown = mapping.with_context(**action["context"]).action_confirm()
        self.assertEqual((shown["res_model"], shown["res_id"]), ("connector.quarantine", row.id))
        self.assertEqual(row.state, "resolved")
        move = self.bound("invoice", "INV11")
        self.assertEqual(move.invoice_line_ids.tax_ids, self.la_tax)
        self.assertIn("Resolved: imported as", row.message_ids[0].body)
        self.assertIn(f'data-oe-id="{move.id}"', row.message_ids[0].body, "the message links the invoice")
        self.assertEqual(move.connector_status, "synced")
        self.assertEqual((move.connector_reference, move.connector_provider), ("INV11", "Fake (tests)"))
        self.assertTrue(move.connector_last_sync_at)

    def test_a_record_whose_data_make_no_sense_is_still_shown(self):
        line = {"description": "x" * 5000, "quantity": "two", "price_unit": None, "taxes": []}
        rec = self.invoice("BAD9", date="not a date", amount_total="lots", lines=[line])
        self.assertIsNone(self.engine._import_safely(self.backend, "invoice", rec))
        row = self.quarantined("BAD9")
        self.assertEqual(row.reason, "validation")
        self.assertIn("QB-BAD9", row.display_label)
        self.assertFalse(row.document_date)
        summary = html.unescape(row.payload_summary)
        self.assertIn("not a date", summary)
        self.assertIn("lots", summary)
        self.assertLess(len(summary), 3000, "a 5,000-character description is cut in the summary")

    # ------------------------------------------------------------------ export
    def _posted_invoice(self, tax):
        partner = self.env["res.partner"].create({"name": "Bob's Burger Joint", "customer_rank": 1})
        move = self.init_invoice("out_invoice", partner=partner, products=self.product_a, post=False)
        move.invoice_line_ids.tax_ids = tax
        with trap_jobs():
            move.action_post()
        return move

    def test_an_export_without_a_counterpart_is_fixed_by_choosing_the_providers_tax(self):
        self.env["connector.tax.mapping"].create(
            {"backend_id": self.backend.id, "external_id": "T10", "external_name": "Los Angeles", "external_rate": "10"}
        )
        move = self._posted_invoice(self.la_tax)
        self.assertIsNone(self.engine._export_safely(self.backend, "invoice", move))
        row = self.env["connector.quarantine"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(row.waiting_key, f"odoo:{self.la_tax.id}")
        self.assertIn("Odoo tax “Los Angeles 10%” (10%, Sales) has no counterpart in Fake (tests) yet", row.explanation)
        self.assertIn(move.name, row.display_label)
        summary = html.unescape(row.payload_summary)
        self.assertIn("Bob's Burger Joint", summary, "an export shows the Odoo record's content")
        self.assertTrue(move.connector_in_quarantine)
        self.assertIn(move, self.env["account.move"].search([("connector_in_quarantine", "=", True)]))
        action = row.action_open_mapping()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard._name, "connector.counterpart.wizard")
        self.assertEqual(wizard.tax_mapping_id.external_id, "T10", "the provider's tax of the same rate is offered")
        with trap_jobs():
            wizard.action_apply()
        self.assertEqual(row.state, "resolved")
        self.assertEqual(wizard.tax_mapping_id.tax_id, self.la_tax)
        move.invalidate_recordset()  # the status is read again, as the form does
        binding = self.env["connector.binding"]._for_record(self.backend, "invoice", move)
        self.assertIn(f"is in Fake (tests) as {binding.external_id}", row.message_ids[0].body)
        self.assertFalse(move.connector_in_quarantine)
        self.assertEqual(move.connector_status, "synced")

    def test_an_export_counterpart_is_created_at_a_provider_that_takes_them(self):
        tax = self.env["account.tax"].create({"name": "Special 12%", "amount": 12, "type_tax_use": "sale"})
        move = self._posted_invoice(tax)
        self.engine._export_safely(self.backend, "invoice", move)
        row = self.env["connector.quarantine"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        wizard = self.env["connector.counterpart.wizard"].browse(row.action_open_mapping()["res_id"])
        self.assertFalse(wizard.tax_mapping_id, "no provider tax of 12%")
        self.assertTrue(wizard.can_create)
        wizard.choice = "create"
        with trap_jobs():
            wizard.action_apply()
        self.assertEqual(row.state, "resolved")
        mapping = self.env["connector.tax.mapping"].search([("tax_id", "=", tax.id)])
        remote = self.env["connector.fake.record"].search(
            [("kind", "=", "tax"), ("external_id", "=", mapping.external_id)]
        )
        self.assertIn('"name": "Special 12%"', remote.data)

    def test_an_account_without_a_counterpart_is_fixed_by_choosing_the_providers_account(self):
        self.env["connector.account.mapping"].create(
            [
                {
                    "backend_id": self.backend.id,
                    "external_id": "A1",
                    "external_name": "Rent",
                    "external_type": "expense",
                },
                {
                    "backend_id": self.backend.id,
                    "external_id": "A2",
                    "external_name": "Sales",
                    "external_type": "income",
                },
            ]
        )
        revenue = self.company_data["default_account_revenue"]
        move = self.init_invoice(
            "out_invoice", partner=self.partner_a, amounts=[100], taxes=self.tax_sale_a, post=False
        )
        move.invoice_line_ids.account_id = revenue
        with trap_jobs():
            move.action_post()
        self.engine._export_safely(self.backend, "invoice", move)
        row = self.env["connector.quarantine"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(row.waiting_key, f"odoo:{revenue.id}")
        self.assertIn(f"Odoo account “{revenue.display_name}” has no counterpart in Fake (tests)", row.explanation)
        wizard = self.env["connector.counterpart.wizard"].browse(row.action_open_mapping()["res_id"])
        self.assertEqual(wizard.account_mapping_id.external_id, "A2", "the provider's account of the same type")
        with trap_jobs():
            wizard.action_apply()
        self.assertEqual(row.state, "resolved")
        self.assertEqual(wizard.account_mapping_id.account_id, revenue)

    def test_a_counterpart_already_taken_by_another_odoo_tax_is_refused(self):
        taken = self.env["connector.tax.mapping"].create(
            {
                "backend_id": self.backend.id,
                "external_id": "T10",
                "external_name": "Los Angeles",
                "tax_id": self.tax_sale_b.id,
            }
        )
        move = self._posted_invoice(self.la_tax)
        self.engine._export_safely(self.backend, "invoice", move)
        row = self.env["connector.quarantine"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        wizard = self.env["connector.counterpart.wizard"].browse(row.action_open_mapping()["res_id"])
        wizard.tax_mapping_id = taken
        with self.assertRaisesRegex(UserError, "already the counterpart"):
            wizard.action_apply()

    # ------------------------------------------------------------------ connection status
    def test_lists_filter_on_quarantine_and_not_yet_synchronised(self):
        imported = self.engine._import_safely(self.backend, "invoice", self.invoice("INV40"))
        fresh = self.init_invoice("out_invoice", partner=self.partner_a, amounts=[10], post=False)
        Move = self.env["account.move"]
        self.assertNotIn(imported, Move.search([("connector_synced", "=", False)]))
        self.assertIn(fresh, Move.search([("connector_synced", "=", False)]))
        self.assertIn(imported, Move.search([("connector_synced", "=", True)]))
        # the provider changes the invoice to a tax Odoo does not know: the import is quarantined
        self.engine._import_safely(self.backend, "invoice", self.invoice("INV40", taxes=("T20",), version="9"))
        self.assertEqual(imported.connector_status, "quarantine")
        self.assertEqual(imported.connector_quarantine_count, 1)
        self.assertIn(imported, Move.search([("connector_in_quarantine", "=", True)]))
        self.assertNotIn(fresh, Move.search([("connector_in_quarantine", "=", True)]))
        action = imported.action_connector_status()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("connector.quarantine", self.quarantined("INV40").id)
        )
        partner = self.bound("party", "C1")
        self.assertEqual(partner.connector_status, "synced")
        self.assertEqual(partner.action_connector_status()["res_model"], "connector.binding")
        template = self.bound("product", "P1").product_tmpl_id
        self.assertEqual((template.connector_status, template.connector_reference), ("synced", "P1"))
        self.assertIn(template, self.env["product.template"].search([("connector_synced", "=", True)]))

    # ------------------------------------------------------------------ webhook events and logs
    def test_a_webhook_event_is_done_or_failed_when_its_re_read_finishes(self):
        self.backend.tenant_id = "fake-realm"
        self.adapter.put("invoice", self.invoice("INV50"))
        self.adapter.put("invoice", self.invoice("INV51", taxes=("T20",)))
        events = [
            {
                "tenant": "fake-realm",
                "kind": "invoice",
                "label": "Invoice",
                "external_ids": [external_id],
                "operation": "Create",
                "dedup": external_id,
            }
            for external_id in ("INV50", "INV51")
        ]
        with trap_jobs():
            self.env["connector.backend"]._receive_webhook_events("fake", events, "{}")
        Event = self.env["connector.webhook.event"]
        self.assertEqual(Event.search([("backend_id", "=", self.backend.id)]).mapped("state"), ["queued", "queued"])
        self.backend._job_import_record("invoice", "INV50")
        self.backend._job_import_record("invoice", "INV51")
        done = Event.search([("external_id", "=", "INV50")])
        failed = Event.search([("external_id", "=", "INV51")])
        self.assertEqual(done.state, "done")
        self.assertEqual((failed.state, failed.note), ("failed", "In quarantine: Mapping missing"))

    def test_sync_log_durations_are_measured(self):
        self.engine._import_safely(self.backend, "invoice", self.invoice("INV60"))
        log = self.env["connector.sync.log"].search([("external_id", "=", "INV60"), ("state", "=", "done")])
        self.assertGreater(log.duration_ms, 0, "an invoice takes milliseconds, not 0")
        self.assertEqual(log.entity_label, "Invoice or bill")

    def test_connect_needs_a_provider_and_a_ready_one_connects(self):
        self.assertTrue(self.backend.provider_ready)
        draft = self.env["connector.backend"].create({"name": "My books"})
        self.assertFalse(draft.provider_ready)
        with self.assertRaisesRegex(UserError, "Choose the provider of the connection 'My books' first"):
            draft.action_connect()
        ready = self.env["connector.backend"].create({"name": "Fake two", "provider": "fake"})
        ready.action_connect()
        self.assertEqual((ready.state, ready.tenant_name), ("connected", "Fake Company Ltd"))
