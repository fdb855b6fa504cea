from odoo import api, models


class ProductTemplate(models.Model):
    """A product's connection status is its variants': the provider's items are variants."""

    _name = "product.template"
    _inherit = ["product.template", "connector.sync.status.mixin"]
    _connector_kinds = ("product",)
    _connector_bound_model = "product.product"

    def _connector_bound(self):
        return {
            variant.id: template.id
            for template in self.filtered("id")
            for variant in template.with_context(active_test=False).product_variant_ids
        }

    @api.model
    def _connector_owner_ids(self, bound_ids):
        variants = self.env["product.product"].with_context(active_test=False).browse(list(bound_ids)).exists()
        return set(variants.mapped("product_tmpl_id").ids)
