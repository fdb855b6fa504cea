"""Journal entries (the ``journal_entry`` kind): their lines, in the entry's currency and the
company's, through the account mappings."""

from odoo import fields, models

from ...lib.money import quantize, to_decimal


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    def _import_journal_entry(self, backend, rec):
        Move = self._quiet(self.env["account.move"]).with_company(backend.company_id)
        journal = self._journal(backend, "entry")
        currency = self._currency(rec["currency"])
        company_currency = backend.company_id.currency_id
        rate = to_decimal(rec.get("exchange_rate") or 1)
        self._check_lock_date(backend, rec["date"], journal, False)
        lines = []
        for line in rec["lines"]:
            amount = to_decimal(line.get("debit", 0)) - to_decimal(line.get("credit", 0))
            vals = {
                "account_id": self._account(backend, line["account"]).id,
                "name": line.get("description") or rec.get("memo") or "/",
                "currency_id": currency.id,
                "amount_currency": float(amount),
                "balance": float(quantize(amount * rate if currency != company_currency else amount)),
            }
            if line.get("partner"):
                vals["partner_id"] = self._dependency(backend, "party", line["partner"]).id
            lines.append(vals)
        vals = {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": rec["date"],
            "ref": rec.get("number") or rec.get("memo") or False,
            "narration": rec.get("memo") or False,
        }

        def create():
            move = Move.create(dict(vals, line_ids=[fields.Command.create(v) for v in lines]))
            move.action_post()
            return move

        def update(move):
            move = self._quiet(move)
            if move.state == "posted":
                move.button_draft()
            move.write(dict(vals, line_ids=[fields.Command.clear()] + [fields.Command.create(v) for v in lines]))
            move.action_post()

        return self._upsert(backend, "journal_entry", rec, create, update)
