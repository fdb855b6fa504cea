from odoo import api, fields, models

from .connector_mapping_mixin import MIN_SCORE

# canonical account type -> Odoo 18 account_type values that fit it
ACCOUNT_TYPES = {
    "receivable": ["asset_receivable"],
    "payable": ["liability_payable"],
    "bank": ["asset_cash"],
    "cash": ["asset_cash"],
    "credit_card": ["liability_credit_card"],
    "current_assets": ["asset_current"],
    "non_current_assets": ["asset_non_current"],
    "fixed_assets": ["asset_fixed"],
    "prepayments": ["asset_prepayments"],
    "current_liabilities": ["liability_current"],
    "non_current_liabilities": ["liability_non_current"],
    "equity": ["equity", "equity_unaffected"],
    "income": ["income"],
    "other_income": ["income_other"],
    "expense": ["expense"],
    "direct_costs": ["expense_direct_cost"],
    "depreciation": ["expense_depreciation"],
    "off_balance": ["off_balance"],
}


class ConnectorAccountMapping(models.Model):
    _name = "connector.account.mapping"
    _inherit = "connector.mapping.mixin"
    _description = "Connector Account Mapping"
    _target_field = "account_id"
    _suggestion_field = "suggested_account_id"

    external_code = fields.Char("Code at the provider")
    external_type = fields.Selection(
        "_selection_external_type", "Type", help="The provider's account type, in the words of Odoo's chart."
    )
    account_id = fields.Many2one("account.account", "Odoo account", index=True)
    suggested_account_id = fields.Many2one("account.account", "Suggestion")

    @api.model
    def _selection_external_type(self):
        """The canonical account types, each labelled as Odoo labels the account type it maps to."""
        labels = dict(self.env["account.account"]._fields["account_type"]._description_selection(self.env))
        return [(kind, labels[types[0]]) for kind, types in ACCOUNT_TYPES.items()]

    def _suggest(self):
        Account = self.env["account.account"]
        for row in self:
            company = row.backend_id.company_id
            domain = [("company_ids", "in", company.ids)]
            types = ACCOUNT_TYPES.get(row.external_type or "")
            if types:
                domain.append(("account_type", "in", types))
            candidates = Account.search(domain)
            best, score = None, 0.0
            if row.external_code:
                best = candidates.filtered(lambda a, c=row.external_code: a.code == c)[:1] or None
                score = 1.0 if best else 0.0
            if not best:
                best, score = self._best(candidates, row.external_name)
            if not best and types and len(candidates) == 1:
                best, score = candidates, MIN_SCORE  # the only account of its type
            row.write({"suggested_account_id": best.id if best else False, "score": score if best else 0.0})
