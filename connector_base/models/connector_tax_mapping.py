from decimal import Decimal

from odoo import fields, models

from .connector_mapping_mixin import MIN_SCORE, name_similarity


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
        """The Odoo tax of the same rate and use, the nearest name among those; none when the
        provider's rate is unknown or no tax fits well enough (MIN_SCORE): a 10% code is
        never offered a 15% tax, whatever their names."""
        Tax = self.env["account.tax"]
        for row in self:
            candidates = Tax.search(
                [("company_id", "=", row.backend_id.company_id.id), ("amount_type", "=", "percent")]
            )
            best, score = None, 0.0
            if row.external_rate not in (None, False, "") and candidates:
                rate = Decimal(row.external_rate).quantize(Decimal("0.0001"))
                fits = [(row._fit(tax, rate), tax) for tax in candidates]
                fit, tax = max(fits, key=lambda pair: (pair[0], -pair[1].sequence, -pair[1].id))
                score = 0.5 * fit[0] + 0.2 * fit[1] + 0.3 * fit[2]
                if fit[0] and score >= MIN_SCORE:
                    best = tax
            row.write({"suggested_tax_id": best.id if best else False, "score": score if best else 0.0})

    def _fit(self, tax, rate):
        """(same rate, same use, name similarity) of an Odoo tax: compared in this order."""
        same_rate = Decimal(str(tax.amount)).quantize(Decimal("0.0001")) == rate
        same_use = self.scope in (False, "both", "none") or tax.type_tax_use == self.scope
        return (int(same_rate), int(same_use), name_similarity(self.external_name, tax.name))
