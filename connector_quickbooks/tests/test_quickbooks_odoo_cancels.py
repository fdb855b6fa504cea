"""What an accountant undoes in Odoo after it was sent reaches QuickBooks, against the
sandbox: a cancelled invoice or payment is voided there, a cancelled journal entry deleted
(QuickBooks has no void for one), an unreconciled credit note's application is voided there,
and what was cancelled before it was ever sent is not sent."""

from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.connector_base.lib.money import quantize as money

from .common import QuickBooksCase


@tagged("post_install", "-at_install")
class TestQuickBooksOdooCancels(QuickBooksCase):
    def setUp(self):
        super().setUp()
        self.connect()
        self.import_kinds(("account", "tax"))
        self.Binding = self.env["connector.binding"]

    def remote(self, kind, record):
        entity, doc_id = self.Binding._for_record(self.backend, kind, record).external_id.split("/")
        return self.sandbox.company.get(entity, doc_id)

    def pay(self, move, amount):
        register = self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids)
        return register.create({"amount": amount})._create_payments()

    def test_an_invoice_cancelled_in_odoo_is_voided_in_quickbooks_and_its_echo_changes_nothing(self):
        move = self.make_invoice(self.partner_a, "100.00")
        self.run_jobs()
        self.assertEqual(money(self.remote("invoice", move)["Balance"]), money(move.amount_total))
        move.button_cancel()
        self.run_jobs()
        self.assertFalse(self.quarantine_messages())
        doc = self.remote("invoice", move)
        self.assertEqual((money(doc["TotalAmt"]), money(doc["Balance"])), (Decimal(0), Decimal(0)))
        self.assertEqual(doc["PrivateNote"], "Voided")
        self.backend._import_record("invoice", self.Binding._for_record(self.backend, "invoice", move).external_id)
        self.assertFalse(self.quarantine_messages())
        self.assertEqual(move.state, "cancel")
        self.assertEqual(
            len([d for d in self.qbo_docs("Invoice") if d["Id"] == doc["Id"]]), 1, "voided, not made again"
        )

    def test_an_invoice_cancelled_before_it_was_sent_is_not_sent(self):
        before = len(self.qbo_docs("Invoice"))
        move = self.make_invoice(self.partner_a, "55.00")
        move.button_cancel()
        self.run_jobs()
        self.assertEqual(len(self.qbo_docs("Invoice")), before)
        self.assertFalse(self.Binding._for_record(self.backend, "invoice", move))
        log = self.env["connector.sync.log"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(set(log.mapped("state")), {"skipped"})

    def test_a_payment_cancelled_in_odoo_is_voided_and_its_invoice_open_again_in_quickbooks(self):
        move = self.make_invoice(self.partner_a, "100.00")
        self.run_jobs()
        payment = self.pay(move, 40.0)
        self.run_jobs()
        self.assertEqual(money(self.remote("payment", payment)["TotalAmt"]), Decimal("40.00"))
        payment.action_cancel()
        self.run_jobs()
        self.assertFalse(self.quarantine_messages())
        self.assertEqual(money(self.remote("payment", payment)["TotalAmt"]), Decimal(0))
        self.assertEqual(money(move.amount_residual), money(move.amount_total))
        self.assertEqual(money(self.remote("invoice", move)["Balance"]), money(move.amount_total))

    def test_a_payment_unreconciled_in_odoo_is_sent_again_without_its_invoice(self):
        move = self.make_invoice(self.partner_a, "100.00")
        self.run_jobs()
        payment = self.pay(move, 40.0)
        self.run_jobs()
        receivable = move.line_ids.filtered(lambda ln: ln.account_id.account_type == "asset_receivable")
        receivable.remove_move_reconcile()
        self.run_jobs()
        self.assertFalse(self.quarantine_messages())
        doc = self.remote("payment", payment)
        self.assertEqual(money(doc["TotalAmt"]), Decimal("40.00"), "the money stays received")
        self.assertFalse([line for line in doc.get("Line") or [] if line.get("LinkedTxn")], "applied to nothing")
        self.assertEqual(money(self.remote("invoice", move)["Balance"]), money(move.amount_total))

    def test_a_credit_note_unreconciled_in_odoo_has_its_application_voided_in_quickbooks(self):
        invoice = self.make_invoice(self.partner_a, "100.00")
        refund = self.make_invoice(self.partner_a, "30.00", move_type="out_refund")
        self.run_jobs()
        refund_line = refund.line_ids.filtered(lambda ln: ln.account_id.account_type == "asset_receivable")
        invoice.js_assign_outstanding_line(refund_line.id)
        self.run_jobs()
        application = self.env["connector.credit.application"].search([("credit_note_id", "=", refund.id)])
        self.assertEqual(money(self.remote("invoice", invoice)["Balance"]), money(invoice.amount_residual))
        refund_line.remove_move_reconcile()
        self.run_jobs()
        self.assertFalse(self.quarantine_messages())
        self.assertEqual(application.state, "void")
        self.assertEqual(money(invoice.amount_residual), money(invoice.amount_total))
        self.assertEqual(money(self.remote("invoice", invoice)["Balance"]), money(invoice.amount_total))
        self.assertEqual(money(self.remote("invoice", refund)["RemainingCredit"]), money(refund.amount_total))
        # the application's void read back changes nothing in Odoo
        self.backend._import_record(
            "payment", self.Binding._for_record(self.backend, "payment", application).external_id
        )
        self.assertFalse(self.quarantine_messages())
        self.assertEqual(money(invoice.amount_residual), money(invoice.amount_total))

    def test_a_journal_entry_cancelled_in_odoo_is_deleted_in_quickbooks(self):
        self.backend.direction_journal_entry = "both"
        entry = self.make_journal_entry(500.0)
        self.run_jobs()
        entry_id = self.Binding._for_record(self.backend, "journal_entry", entry).external_id
        self.assertTrue(self.sandbox.company.get("JournalEntry", entry_id))
        entry.button_cancel()
        self.run_jobs()
        self.assertFalse(self.quarantine_messages())
        self.assertFalse(
            [doc for doc in self.qbo_docs("JournalEntry") if doc["Id"] == entry_id], "gone from QuickBooks' books"
        )
        self.assertEqual(entry.state, "cancel")
        # QuickBooks' change feed then reports the deletion: the echo of our own, nothing changes
        self.env["connector.engine"]._import_safely(
            self.backend, "journal_entry", {"external_id": entry_id, "deleted": True}
        )
        self.assertEqual(entry.state, "cancel")
        self.assertFalse(self.quarantine_messages())

    def test_a_journal_entry_cancelled_before_it_was_sent_is_not_sent(self):
        self.backend.direction_journal_entry = "both"
        before = len(self.qbo_docs("JournalEntry"))
        entry = self.make_journal_entry(75.0)
        entry.button_cancel()
        self.run_jobs()
        self.assertEqual(len(self.qbo_docs("JournalEntry")), before)
        self.assertFalse(self.Binding._for_record(self.backend, "journal_entry", entry))
