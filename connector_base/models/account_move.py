from odoo import models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "connector.sync.status.mixin"]
    _connector_kinds = ("invoice", "journal_entry")

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        backend = self.env["connector.backend"]
        backend._enqueue_export("invoice", posted._connector_invoices())
        backend._enqueue_export("journal_entry", posted._connector_journal_entries())
        return posted

    def button_cancel(self):
        """An invoice or journal entry cancelled in Odoo is voided at the provider (deleted where
        it has no void); one never sent is not sent."""
        res = super().button_cancel()
        cancelled = self.filtered(lambda m: m.state == "cancel")
        backend = self.env["connector.backend"]
        backend._enqueue_export("invoice", cancelled._connector_invoices())
        backend._enqueue_export("journal_entry", cancelled._connector_journal_entries())
        return res

    def _connector_invoices(self):
        """The invoices, bills and credit notes a connection sends as documents (not receipts)."""
        return self.filtered(lambda m: m.is_invoice(include_receipts=False))

    def _connector_journal_entries(self):
        """The miscellaneous entries a connection sends as journal entries: not those of a
        payment or a bank statement line, which the provider has as their own documents."""
        return self.filtered(lambda m: m.move_type == "entry" and not m.origin_payment_id and not m.statement_line_id)
