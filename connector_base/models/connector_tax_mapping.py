from decimal import Decimal

from odoo import fields, models


class ConnectorTaxMapping(models.Model):
    _name = "connector.tax.mapping"
    _inherit = "connector.mapping.mixin"
    _description = "Connector Tax Mapping"
    _target_field = "tax_id"
    _suggestion_field = "suggested_tax_id"

    external_rate = fields.Char("Rate (%)", help="The provider's combined rate, as a decimal string.")
    scope = fields.Selection([("sale", "Sales"), ("purchase", "Purchases"), ("both", "Both"), ("none", "None")])
    tax_id = fields.Many2one("account.tax", "Odoo tax", index=True)
    purchase_tax_id = fields.Many2one(
        "account.tax", "Odoo purchase tax", help="When the provider code serves both sales and purchases."
    )
    suggested_tax_id = fields.Many2one("account.tax", "Suggestion")

    def _tax_for(self, use):
        """The mapped tax for a sale or purchase document."""
        self.ensure_one()
        if use == "purchase" and self.purchase_tax_id:
            return self.purchase_tax_id
        return self.tax_id

    def _suggest(self):
        Tax = self.env["account.tax"]
        for row in self:
            domain = [("company_id", "=", row.backend_id.company_id.id), ("amount_type", "=", "percent")]
            if row.scope in ("sale", "purchase"):
                domain.append(("type_tax_use", "=", row.scope))
            candidates = Tax.search(domain)
            if row.external_rate not in (None, False, ""):
                rate = Decimal(row.external_rate)
                candidates = candidates.filtered(
                    lambda t, r=rate: Decimal(str(t.amount)).quantize(Decimal("0.0001"))
                    == r.quantize(Decimal("0.0001"))
                )
            best, score = self._best(candidates, row.external_name, threshold=0.0)
            if not best and len(candidates) >= 1:
                best, score = candidates[0], 0.5
            row.write({"suggested_tax_id": best.id if best else False, "score": score if best else 0.0})
