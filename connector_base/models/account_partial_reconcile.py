from odoo import api, models


class AccountPartialReconcile(models.Model):
    """Reconciliations made or undone in Odoo reach the provider: a credit note reconciled with
    an invoice is a credit application (undone: voided or reduced there too), and a payment
    reconciled or unreconciled after it was posted is sent again with its allocations."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        if not self.env.context.get("connector_no_export"):
            self.env["connector.credit.application"]._from_reconciliation(partials)
            self.env["connector.backend"]._enqueue_export("payment", partials._connector_payments())
        return partials

    def unlink(self):
        if self.env.context.get("connector_no_export"):
            return super().unlink()
        payments = self._connector_payments()
        changed = self.env["connector.credit.application"]._from_unreconciliation(self)
        result = super().unlink()
        backend = self.env["connector.backend"]
        backend._enqueue_export("payment", changed.filtered(lambda a: not a.payment_id))
        backend._enqueue_export("payment", (payments | changed.payment_id).exists())
        return result

    def _connector_payments(self):
        """The posted payments whose journal items these reconcile."""
        moves = (self.debit_move_id | self.credit_move_id).move_id
        return moves.origin_payment_id.filtered(lambda p: p.state not in ("draft", "canceled"))
