from odoo import fields, models


class ConnectorPaymentTermMapping(models.Model):
    _name = "connector.payment.term.mapping"
    _inherit = "connector.mapping.mixin"
    _description = "Connector Payment Term Mapping"
    _target_field = "payment_term_id"
    _suggestion_field = "suggested_payment_term_id"

    due_days = fields.Integer("Due after (days)")
    payment_term_id = fields.Many2one("account.payment.term", "Odoo payment term")
    suggested_payment_term_id = fields.Many2one("account.payment.term", "Suggestion")

    def _suggest(self):
        Term = self.env["account.payment.term"]
        for row in self:
            candidates = Term.search([("company_id", "in", [False, row.backend_id.company_id.id])])
            best, score = None, 0.0
            if row.due_days:
                by_days = candidates.filtered(
                    lambda t, d=row.due_days: len(t.line_ids) == 1 and t.line_ids.nb_days == d
                )
                best, score = (by_days[:1], 0.9) if by_days else (None, 0.0)
            if not best:
                best, score = self._best(candidates, row.external_name, threshold=0.8)
            row.write({"suggested_payment_term_id": best.id if best else False, "score": score})
