from odoo import models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "connector.sync.status.mixin"]
    _connector_kinds = ("invoice", "journal_entry")

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        backend = self.env["connector.backend"]
        invoices = posted.filtered(lambda m: m.is_invoice(include_receipts=False))
        backend._enqueue_export("invoice", invoices)
        backend._enqueue_export(
            "journal_entry",
            posted.filtered(lambda m: m.move_type == "entry" and not m.origin_payment_id and not m.statement_line_id),
        )
        return posted

    def button_cancel(self):
        """An invoice cancelled in Odoo is voided at the provider (deleted where it has no
        void); one never sent is not sent."""
        res = super().button_cancel()
        self.env["connector.backend"]._enqueue_export(
            "invoice", self.filtered(lambda m: m.state == "cancel" and m.is_invoice(include_receipts=False))
        )
        return res
