from odoo import models


class AccountPayment(models.Model):
    _name = "account.payment"
    _inherit = ["account.payment", "connector.sync.status.mixin"]
    _connector_kinds = ("payment",)

    def action_post(self):
        res = super().action_post()
        self.env["connector.backend"]._enqueue_export("payment", self.filtered(lambda p: p.state != "draft"))
        return res
