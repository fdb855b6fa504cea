"""Credit notes applied to invoices, through the fake provider: a payment of no money (a
credit application) and a payment of money that applies credit too, in and out."""

from decimal import Decimal as D

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import FakeProviderCase

CENT = D("0.01")


def money(value):
    return D(str(value)).quantize(CENT)


@tagged("post_install", "-at_install")
class TestCreditImport(FakeProviderCase):
    def setUp(self):
        super().setUp()
        self.adapter.put("invoice", self.invoice("INV1"))  # 230.00
        self.adapter.put("invoice", self.credit_note("CN1"))  # 115.00
        self.engine._import_safely(self.backend, "invoice", self.invoice("INV1"))
        self.engine._import_safely(self.backend, "invoice", self.credit_note("CN1"))
        self.move, self.credit = self.bound("invoice", "INV1"), self.bound("invoice", "CN1")

    def credit_note(self, external_id, quantity="1", **kw):
        quantity = D(quantity)
        return self.invoice(
            external_id,
            move_type="out_refund",
            lines=[{"product": "P1", "quantity": quantity, "price_unit": D("100.00"), "taxes": ["T15"]}],
            amount_untaxed=money(quantity * 100),
            amount_tax=money(quantity * 15),
            amount_total=money(quantity * 115),
            **kw,
        )

    def payment(self, external_id, amount, invoices=(), credits=(), **kw):
        """A provider payment of ``amount`` allocating invoices and credit notes (document, amount)."""
        record = {
            "external_id": external_id,
            "payment_type": "inbound",
            "partner": "C1",
            "date": "2026-02-21",
            "amount": D(amount),
            "currency": self.env.company.currency_id.name,
            "allocations": [{"document": doc, "amount": D(value)} for doc, value in invoices]
            + [{"document": doc, "document_kind": "credit_note", "amount": D(value)} for doc, value in credits],
        }
        record.update(kw)
        return record

    def application(self, external_id, amount, invoice="INV1", credit="CN1", **kw):
        """A payment of no money applying ``amount`` of a credit note to an invoice."""
        return self.payment(external_id, "0.00", [(invoice, amount)], [(credit, amount)], **kw)

    def residuals(self):
        return money(self.move.amount_residual), money(self.credit.amount_residual)

    def test_a_credit_note_applied_whole_reconciles_it_with_the_invoice(self):
        application = self.engine._import_safely(self.backend, "payment", self.application("AP1", "115.00"))
        self.assertEqual(application._name, "connector.credit.application")
        self.assertEqual(self.residuals(), (D("115.00"), D("0.00")))
        self.assertEqual((self.move.payment_state, self.credit.payment_state), ("partial", "paid"))
        self.assertEqual(application.credit_note_id, self.credit)
        self.assertEqual(money(application.amount), D("115.00"))
        self.assertEqual(application.partner_id, self.move.partner_id)
        self.assertEqual(len(application.partial_ids), 1)
        self.assertEqual(money(application.partial_ids.amount), D("115.00"))
        self.assertFalse(self.env["account.payment"].search([("partner_id", "=", self.move.partner_id.id)]))
        binding = self.env["connector.binding"]._find(self.backend, "payment", "AP1")
        self.assertEqual((binding.res_model, binding.res_id), ("connector.credit.application", application.id))
        # read again: nothing changes
        self.engine._import_safely(self.backend, "payment", self.application("AP1", "115.00"))
        self.assertEqual(self.residuals(), (D("115.00"), D("0.00")))
        self.assertEqual(self.env["connector.credit.application"].search_count([]), 1)

    def test_part_of_a_credit_note_applies_to_the_cent_then_changes_then_is_voided(self):
        application = self.engine._import_safely(self.backend, "payment", self.application("AP2", "40.01"))
        self.assertEqual(self.residuals(), (D("189.99"), D("74.99")))
        self.assertEqual(self.credit.payment_state, "partial")
        # changed at the provider: the reconciliation it made is taken off and made again
        self.engine._import_safely(self.backend, "payment", self.application("AP2", "80.00", version="2"))
        self.assertEqual(self.residuals(), (D("150.00"), D("35.00")))
        self.assertEqual(len(application.partial_ids), 1)
        self.assertEqual(money(application.partial_ids.amount), D("80.00"))
        # voided at the provider (QuickBooks keeps it at 0 with no lines): the credit is open again
        void = dict(self.application("AP2", "0", version="3"), state="void", allocations=[])
        self.assertTrue(self.engine._import_safely(self.backend, "payment", void))
        self.assertEqual(self.residuals(), (D("230.00"), D("115.00")))
        self.assertEqual((application.state, application.partial_ids.ids), ("void", []))

    def test_an_application_deleted_at_the_provider_takes_its_credit_off(self):
        self.backend.remote_delete_policy = "apply"
        application = self.engine._import_safely(self.backend, "payment", self.application("AP3", "50.00"))
        self.assertEqual(self.residuals(), (D("180.00"), D("65.00")))
        self.engine._import_safely(self.backend, "payment", {"external_id": "AP3", "deleted": True})
        self.assertEqual(self.residuals(), (D("230.00"), D("115.00")))
        self.assertEqual(application.state, "void")
        self.assertFalse(self.env["connector.binding"]._find(self.backend, "payment", "AP3"))

    def test_more_credit_than_is_open_is_quarantined_and_nothing_stays(self):
        self.engine._import_safely(self.backend, "payment", self.application("AP4", "100.00"))
        self.assertIsNone(self.engine._import_safely(self.backend, "payment", self.application("AP5", "20.00")))
        row = self.env["connector.quarantine"].search([("external_id", "=", "AP5")])
        self.assertEqual(row.reason, "validation")
        self.assertIn("15.00 of the credit", row.message)
        self.assertEqual(self.residuals(), (D("130.00"), D("15.00")))
        self.assertFalse(self.bound("payment", "AP5"))

    def test_an_invoice_changed_at_the_provider_keeps_the_credit_applied_to_it(self):
        application = self.engine._import_safely(self.backend, "payment", self.application("AP6", "50.00"))
        self.engine._import_safely(self.backend, "invoice", self.invoice("INV1", memo="changed", version="2"))
        self.assertEqual(self.move.state, "posted")
        self.assertEqual(self.residuals(), (D("180.00"), D("65.00")))
        self.assertEqual(len(application.partial_ids), 1, "the reconciliation made again is the application's")
        void = dict(self.application("AP6", "0", version="2"), state="void", allocations=[])
        self.engine._import_safely(self.backend, "payment", void)
        self.assertEqual(self.residuals(), (D("230.00"), D("115.00")))

    def test_a_payment_of_money_and_credit_pays_the_rest_of_the_invoice(self):
        record = self.payment("PAY-MIX", "115.00", [("INV1", "230.00")], [("CN1", "115.00")])
        payment = self.engine._import_safely(self.backend, "payment", record)
        self.assertEqual(payment._name, "account.payment")
        self.assertEqual(money(payment.amount), D("115.00"))
        self.assertEqual(self.residuals(), (D("0.00"), D("0.00")))
        self.assertIn(self.move.payment_state, ("paid", "in_payment"))
        self.assertEqual(payment.reconciled_invoice_ids, self.move)
        application = self.env["connector.credit.application"].search([("payment_id", "=", payment.id)])
        self.assertEqual((money(application.amount), application.credit_note_id), (D("115.00"), self.credit))
        # the money changes at the provider: less money, less of the invoice paid
        record.update(version="2", amount=D("100.00"))
        record["allocations"][0]["amount"] = D("215.00")
        self.engine._import_safely(self.backend, "payment", record)
        self.assertEqual(self.residuals(), (D("15.00"), D("0.00")))
        # voided: neither the money nor the credit stays applied
        self.engine._import_safely(self.backend, "payment", dict(record, version="3", state="void"))
        self.assertEqual(payment.state, "canceled")
        self.assertEqual(self.residuals(), (D("230.00"), D("115.00")))
        self.assertEqual(application.state, "void")

    def test_credit_applied_by_an_import_is_not_sent_back(self):
        with trap_jobs() as trap:
            self.assertTrue(self.engine._import_safely(self.backend, "payment", self.application("AP8", "115.00")))
            trap.assert_jobs_count(0, only=self.backend._job_export_record)
        self.assertEqual(self.env["connector.credit.application"].search([]).origin, "import")

    def test_a_page_of_payments_with_applications_among_them(self):
        self.adapter.put("payment", self.application("AP7", "15.00"))
        self.adapter.put("payment", self.payment("PAY7", "100.00", [("INV1", "100.00")]))
        self.backend._job_import_batch("payment")
        self.assertEqual(self.bound("payment", "AP7")._name, "connector.credit.application")
        self.assertEqual(self.bound("payment", "PAY7")._name, "account.payment")
        self.assertEqual(self.residuals(), (D("115.00"), D("100.00")))
        self.assertFalse(self.env["connector.quarantine"].search([("backend_id", "=", self.backend.id)]))


@tagged("post_install", "-at_install")
class TestCreditExport(FakeProviderCase):
    def setUp(self):
        super().setUp()
        self.partner = self.env["res.partner"].create({"name": "Bob's Burger Joint", "customer_rank": 1})

    def document(self, move_type, price):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": self.partner.id,
                "invoice_date": "2026-03-02",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "quantity": 1,
                            "price_unit": price,
                            "tax_ids": [Command.set(self.tax_sale_a.ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def remote(self, record):
        binding = self.env["connector.binding"]._for_record(self.backend, "payment", record)
        return binding, self.adapter.read("payment", binding.external_id) if binding else None

    def test_a_credit_note_reconciled_with_an_invoice_in_odoo_goes_out_once_as_a_payment_of_nothing(self):
        invoice = self.document("out_invoice", 1000.0)  # 1,150.00
        refund = self.document("out_refund", 300.0)  # 345.00
        accountant = new_test_user(self.env, "credit_clerk", groups="account.group_account_invoice")
        with trap_jobs() as trap:
            # the invoice's "outstanding credits", used by an accountant who sees no connector model
            refund_line = refund.line_ids.filtered(lambda ln: ln.account_id.account_type == "asset_receivable")
            invoice.with_user(accountant).js_assign_outstanding_line(refund_line.id)
            trap.assert_jobs_count(1, only=self.backend._job_export_record)
            application = self.env["connector.credit.application"].search([("credit_note_id", "=", refund.id)])
            self.assertEqual((application.origin, money(application.amount)), ("odoo", D("345.00")))
            trap.perform_enqueued_jobs()
        self.assertEqual(money(invoice.amount_residual), D("805.00"))
        binding, data = self.remote(application)
        self.assertEqual(money(data["amount"]), D("0.00"))
        invoice_id = self.env["connector.binding"]._for_record(self.backend, "invoice", invoice).external_id
        refund_id = self.env["connector.binding"]._for_record(self.backend, "invoice", refund).external_id
        self.assertEqual(
            [(a["document"], a.get("document_kind"), money(a["amount"])) for a in data["allocations"]],
            [(invoice_id, None, D("345.00")), (refund_id, "credit_note", D("345.00"))],
        )
        # exported again (a retried job): nothing is written twice
        calls = []
        self.backend.with_context(fake_calls=calls)._job_export_record(
            "payment", "connector.credit.application", application.id
        )
        self.assertNotIn("write", calls)
        self.assertEqual(self.env["connector.fake.record"].search_count([("kind", "=", "payment")]), 1)
        # its echo read back changes nothing and imports no second application
        self.backend._job_import_batch("payment")
        self.assertEqual(self.env["connector.credit.application"].search_count([]), 1)
        self.assertEqual(money(invoice.amount_residual), D("805.00"))

    def test_an_echo_read_before_the_export_recorded_its_link_is_adopted(self):
        invoice = self.document("out_invoice", 100.0)
        refund = self.document("out_refund", 100.0)
        self.backend.direction_payment = "import"  # not sent: the provider's copy is made by hand below
        (invoice | refund).line_ids.filtered(lambda ln: ln.account_id.account_type == "asset_receivable").reconcile()
        self.assertFalse(self.env["connector.credit.application"].search([]), "no connection exports payments")
        self.backend.direction_payment = "both"
        application = self.env["connector.credit.application"]._from_reconciliation(
            invoice.line_ids.matched_debit_ids | invoice.line_ids.matched_credit_ids
        )
        data = self.engine._to_canonical_payment(self.backend, application)
        origin = f"odoo:{application._name}:{application.id}"
        self.adapter.put("payment", dict(data, external_id="F-RACE", origin=origin))
        self.backend._job_import_batch("payment")
        self.assertEqual(self.bound("payment", "F-RACE"), application)
        self.assertEqual(self.env["connector.credit.application"].search_count([]), 1)
        self.assertEqual(len(application.partial_ids), 1)
