from odoo import models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_post(self):
        res = super().action_post()
        self.env["connector.backend"]._enqueue_export("payment", self.filtered(lambda p: p.state != "draft"))
        return res
