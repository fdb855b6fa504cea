from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        """A credit note reconciled with an invoice in Odoo (not through a payment) is a
        credit application, which the connections that export payments send out."""
        partials = super().create(vals_list)
        if not self.env.context.get("connector_no_export"):
            self.env["connector.credit.application"]._from_reconciliation(partials)
        return partials
