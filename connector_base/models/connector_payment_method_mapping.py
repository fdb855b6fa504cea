from odoo import fields, models


class ConnectorPaymentMethodMapping(models.Model):
    """A provider payment method or deposit account -> the Odoo journal payments go to."""

    _name = "connector.payment.method.mapping"
    _inherit = "connector.mapping.mixin"
    _description = "Connector Payment Method Mapping"
    _target_field = "journal_id"
    _suggestion_field = "suggested_journal_id"

    journal_id = fields.Many2one("account.journal", "Odoo journal", domain="[('type', 'in', ('bank', 'cash'))]")
    suggested_journal_id = fields.Many2one("account.journal", "Suggestion")

    def _suggest(self):
        Journal = self.env["account.journal"]
        for row in self:
            candidates = Journal.search(
                [("company_id", "=", row.backend_id.company_id.id), ("type", "in", ("bank", "cash"))]
            )
            best, score = self._best(candidates, row.external_name, threshold=0.75)
            if not best and candidates:
                best, score = candidates.filtered(lambda j: j.type == "bank")[:1] or candidates[:1], 0.3
            row.write({"suggested_journal_id": best.id if best else False, "score": score})
