from odoo import models

EXPORTED_FIELDS = {"name", "default_code", "type", "description_sale", "list_price", "standard_price", "active"}


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "connector.sync.status.mixin"]
    _connector_kinds = ("product",)

    def write(self, vals):
        res = super().write(vals)
        if EXPORTED_FIELDS.intersection(vals) and not self.env.context.get("connector_no_export"):
            bound = (
                self.env["connector.binding"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", "product.product"),
                        ("res_id", "in", self.ids),
                        ("external_type", "=", "product"),
                    ]
                )
            )
            if bound:
                self.env["connector.backend"]._enqueue_export("product", self.browse(bound.mapped("res_id")))
        return res
