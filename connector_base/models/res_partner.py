from odoo import models

EXPORTED_FIELDS = {
    "name",
    "email",
    "phone",
    "mobile",
    "website",
    "vat",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_id",
    "is_company",
    "active",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        res = super().write(vals)
        if EXPORTED_FIELDS.intersection(vals) and not self.env.context.get("connector_no_export"):
            bound = (
                self.env["connector.binding"]
                .sudo()
                .search(
                    [("res_model", "=", "res.partner"), ("res_id", "in", self.ids), ("external_type", "=", "party")]
                )
            )
            if bound:
                self.env["connector.backend"]._enqueue_export("party", self.browse(bound.mapped("res_id")))
        return res
