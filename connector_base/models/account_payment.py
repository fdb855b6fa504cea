from odoo import models


class AccountPayment(models.Model):
    _name = "account.payment"
    _inherit = ["account.payment", "connector.sync.status.mixin"]
    _connector_kinds = ("payment",)

    def action_post(self):
        res = super().action_post()
        self.env["connector.backend"]._enqueue_export("payment", self.filtered(lambda p: p.state != "draft"))
        return res

    def action_cancel(self):
        """A payment cancelled in Odoo is voided at the provider (deleted where it has no void)."""
        res = super().action_cancel()
        self.env["connector.backend"]._enqueue_export("payment", self)
        return res
