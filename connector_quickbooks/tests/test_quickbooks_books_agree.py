"""Books agree on the QuickBooks sandbox: after an import every figure agrees; an invoice
changed in QuickBooks (the poller held) and a payment deleted in Odoo are exactly two
differences, each on its partner and account, and the manager gets one activity."""

from decimal import Decimal

from odoo.tests import tagged

from .common import QuickBooksCase


@tagged("post_install", "-at_install")
class TestQuickBooksBooksAgree(QuickBooksCase):
    company_size = {
        "customers": 6,
        "items": 4,
        "invoices": 8,
        "payments": 5,
        "bills": 2,
        "journal_entries": 1,
        "credit_memos": 1,
        "foreign_share": 0,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # as a real chart has them: the sales taxes book on the tax account QuickBooks' sales tax
        # payable is mapped to (the common fixture's taxes book on the income line's account)
        tax_account = cls.company_data["default_account_tax_sale"]
        for tax in cls.taxes.values():
            (tax.invoice_repartition_line_ids | tax.refund_repartition_line_ids).filtered(
                lambda r: r.repartition_type == "tax"
            ).account_id = tax_account

    def check_now(self):
        action = self.backend.action_check_books()
        self.assertEqual(action["res_model"], "connector.reconciliation")
        check = self.env["connector.reconciliation"].browse(action["res_id"])
        self.assertEqual(check.state, "running")
        self.run_jobs("_job_books_agree")
        return check

    def summary(self, check):
        return "\n".join(
            f"{ln.status:12} {ln.line_type:8} {ln.label}: odoo {ln.odoo_value} / qbo {ln.remote_value} "
            f"{ln.explanation or ''}"
            for ln in check.line_ids
        )

    def todo_activities(self):
        return self.backend.activity_ids.filtered(lambda a: a.summary and a.summary.startswith("Books differ"))

    def test_books_agree_after_import_then_show_exactly_two_differences(self):
        self.connect()
        self.import_kinds()
        self.assertFalse(self.quarantine_messages())
        check = self.check_now()
        self.assertEqual(check.state, "agree", self.summary(check))
        types = set(check.line_ids.filtered(lambda ln: ln.status == "agree").mapped("line_type"))
        self.assertEqual(types, {"count", "partner", "account"}, self.summary(check))
        self.assertFalse(check.line_ids.filtered(lambda ln: ln.status == "unavailable"), self.summary(check))
        self.assertGreater(check.sample_agree_count, 0)
        self.assertFalse(self.todo_activities())

        # QuickBooks: an unpaid invoice gets one more unit, and no poll reads it
        company = self.sandbox.company
        doc = next(d for d in company.snapshot("Invoice") if not d.get("LinkedTxn"))
        line = doc["Line"][0]
        detail = line["SalesItemLineDetail"]
        detail["Qty"] = Decimal(str(detail["Qty"])) + 1
        line["Amount"] = detail["Qty"] * Decimal(str(detail["UnitPrice"]))
        changed = company.write(
            "Invoice",
            {"Id": doc["Id"], "SyncToken": doc["SyncToken"], "Line": doc["Line"], "sparse": True},
            operation="update",
            sparse=True,
        )
        invoice = self.env["connector.binding"]._find_record(self.backend, "invoice", f"Invoice/{doc['Id']}")
        # Odoo: a customer payment deleted
        paid = company.snapshot("Payment")[0]
        payment = self.env["connector.binding"]._find_record(self.backend, "payment", f"Payment/{paid['Id']}")
        payer = payment.partner_id.commercial_partner_id
        payment.action_draft()
        payment.unlink()
        self.env["queue.job"].sudo().search([("method_name", "=", "_job_export_record")]).unlink()

        check = self.check_now()
        records = check.line_ids.filtered(lambda ln: ln.line_type == "record" and ln.is_difference)
        self.assertEqual(check.difference_count, 2, self.summary(check))
        self.assertEqual(len(records), 2, self.summary(check))
        by_kind = {ln.kind: ln for ln in records}
        self.assertEqual(by_kind["invoice"].res_id, invoice.id)
        self.assertEqual(by_kind["invoice"].partner_id, invoice.commercial_partner_id)
        self.assertEqual(
            by_kind["invoice"].account_id,
            invoice.line_ids.account_id.filtered(lambda a: a.account_type == "asset_receivable"),
        )
        grown = float(changed["TotalAmt"]) - invoice.amount_total
        self.assertAlmostEqual(by_kind["invoice"].difference, grown, places=2)
        self.assertGreater(by_kind["invoice"].difference, 0)
        self.assertEqual(by_kind["payment"].partner_id, payer)
        self.assertEqual(by_kind["payment"].external_id, f"Payment/{paid['Id']}")
        self.assertIn("deleted", by_kind["payment"].label)
        self.assertEqual(check.state, "differ")
        # the partners' and accounts' lines that differ point at those two records, not counted again
        caused = check.line_ids.filtered(lambda ln: ln.status == "caused")
        self.assertEqual(set(caused.mapped("cause_id")), set(records), self.summary(check))
        self.assertEqual(
            set(caused.filtered(lambda ln: ln.line_type == "partner").mapped("partner_id")),
            {invoice.commercial_partner_id, payer},
            self.summary(check),
        )
        self.assertTrue(caused.filtered(lambda ln: ln.line_type == "account"), self.summary(check))
        self.assertEqual(len(self.todo_activities()), 1, "one activity for the manager, not one per line")
        self.assertEqual(self.todo_activities().user_id, self.backend._books_manager())

        # a second check that still differs keeps the one activity
        self.check_now()
        self.assertEqual(len(self.todo_activities()), 1)

    def test_the_form_shows_what_quickbooks_can_do_and_refuses_what_it_cannot(self):
        matrix = self.backend.capability_matrix
        self.assertIn("data-key='tax'", matrix)
        self.assertIn("data-key='party/vendor'", matrix)
        self.assertIn("not sent: Tax codes and rates are read-only in QuickBooks", matrix)
        # QuickBooks takes no new tax from Odoo: "both ways" becomes "import", with the reason
        answer = self.backend.with_context(connector_fitting_directions=False).write({"direction_tax": "both"})
        self.assertTrue(answer)
        self.assertEqual(self.backend.direction_tax, "import")
        self.assertIn("Taxes", self.backend.direction_limits)
        self.assertIn("not sent", self.backend.direction_limits)

    def test_tour_the_accountant_checks_the_books_and_the_admin_sees_the_dashboard(self):
        self.connect()
        self.import_kinds()
        accountant = self.env["res.users"].create(
            {
                "name": "Ada Accountant",
                "login": "ada_accountant",
                "password": "ada_accountant",
                "company_id": self.env.company.id,
                "company_ids": [(6, 0, self.env.company.ids)],
                "groups_id": [(6, 0, [self.env.ref("connector_base.group_connector_user").id])],
            }
        )
        form = f"/odoo/action-connector_base.connector_backend_action/{self.backend.id}"
        self.start_tour(form, "connector_books_agree_start_tour", login="ada_accountant")
        check = self.env["connector.reconciliation"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(check.state, "running")
        self.assertEqual(check.create_uid, accountant)
        self.run_jobs("_job_books_agree")
        self.assertEqual(check.state, "agree", self.summary(check))
        self.start_tour(form, "connector_books_agree_result_tour", login="ada_accountant")
        self.start_tour(
            "/odoo/action-connector_base.connector_dashboard_action", "connector_dashboard_tour", login="admin"
        )
