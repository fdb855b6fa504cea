"""Invoices, bills and credit notes (the ``invoice`` kind): their values and lines, the total
settled with the provider's (a one-cent tax difference to the rounding account), the state
(posted, draft, void), one at a time or a page of new ones together."""

from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import float_compare

from ...lib import errors
from ...lib.money import quantize, to_decimal

ONE_CENT = Decimal("0.01")


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    def _invoice_vals(self, backend, rec):
        move_type = rec["move_type"]
        use = "sale" if move_type.startswith("out_") else "purchase"
        partner = self._dependency(backend, "party", rec["partner"])
        currency = self._currency(rec["currency"])
        journal = self._journal(backend, move_type)
        lines = []
        has_tax = False
        included = rec.get("tax_mode") == "inclusive"
        for line in rec["lines"]:
            vals = {"name": line.get("description") or False, **self._line_quantity_price(line, currency)}
            if line.get("product"):
                product = self._dependency(backend, "product", line["product"])
                vals["product_id"] = product.id
                if not vals["name"]:
                    vals["name"] = product.display_name
            if vals.pop("as_amount", None):
                quantity = format(to_decimal(line["quantity"]), "f")
                vals["name"] = f"{vals['name'] or ''} ({quantity} x {line['price_unit']})"
            if line.get("account"):
                vals["account_id"] = self._account(backend, line["account"]).id
            taxes = self._taxes(backend, line.get("taxes"), use, included=included)
            has_tax = has_tax or bool(taxes)
            vals["tax_ids"] = [fields.Command.set(taxes.ids)]
            lines.append(vals)
        self._check_lock_date(backend, rec["date"], journal, has_tax)
        vals = {
            "move_type": move_type,
            "partner_id": partner.id,
            "journal_id": journal.id,
            "company_id": backend.company_id.id,
            "currency_id": currency.id,
            "invoice_date": rec["date"],
            "date": rec["date"],
            "ref": rec.get("number") or rec.get("reference") or False,
            "narration": rec.get("memo") or False,
        }
        if rec.get("payment_term"):
            term = self.env["connector.payment.term.mapping"]._resolve(backend, rec["payment_term"])
            if term:
                vals["invoice_payment_term_id"] = term.id
        if rec.get("due_date") and "invoice_payment_term_id" not in vals:
            vals["invoice_date_due"] = rec["due_date"]
            vals["invoice_payment_term_id"] = False
        if rec.get("exchange_rate") and currency != backend.company_id.currency_id:
            vals["invoice_currency_rate"] = float(Decimal(1) / to_decimal(rec["exchange_rate"]))
        return vals, lines

    def _line_quantity_price(self, line, currency):
        """Quantity, unit price and discount of a line. A unit price Odoo cannot hold to its
        precision (QuickBooks keeps up to 7 decimals: 450 x 0.9090889 = 409.09) would change
        the line's amount: such a line becomes one of its amount, its quantity and price
        in its label (``as_amount``)."""
        quantity = to_decimal(line["quantity"])
        price = to_decimal(line["price_unit"])
        discount = to_decimal(line.get("discount", 0))
        vals = {"quantity": float(quantity), "price_unit": float(price), "discount": float(discount)}
        if line.get("amount") is None:
            return vals
        digits = self.env["decimal.precision"].precision_get("Product Price")
        places = currency.decimal_places
        held = quantize(quantize(price, digits) * quantity * (1 - discount / 100), places)
        if held == quantize(line["amount"], places):
            return vals
        return {"quantity": 1.0, "price_unit": float(to_decimal(line["amount"])), "discount": 0.0, "as_amount": True}

    def _prepare_new_invoice(self, backend, rec):
        vals, lines = self._invoice_vals(backend, rec)
        return dict(vals, invoice_line_ids=[fields.Command.create(v) for v in lines])

    def _create_new_invoice(self, backend, vals_list, records):
        """Documents created together. A one-cent tax difference gets its rounding line as
        it would alone; a document whose difference cannot be settled is removed again
        (a draft: nothing of it stays) and left out (None) for the one-record path."""
        moves = self._quiet(self.env["account.move"]).with_company(backend.company_id).create(vals_list)
        kept, left_out = [], self.env["account.move"]
        for move, rec in zip(moves, records, strict=True):
            try:
                self._settle_total(backend, move, rec)
                kept.append(move)
            except errors.RoundingDiffError:
                kept.append(None)
                left_out |= move
        left_out.unlink()
        pairs = [(move, rec) for move, rec in zip(kept, records, strict=True) if move]
        moves.browse([move.id for move, rec in pairs if rec.get("state", "posted") == "posted"]).action_post()
        for move, rec in pairs:
            if rec.get("state") == "void":
                self._apply_state(move, rec)
        return kept

    def _import_invoice(self, backend, rec):
        Move = self._quiet(self.env["account.move"]).with_company(backend.company_id)
        vals, lines = self._invoice_vals(backend, rec)

        def create():
            move = Move.create(dict(vals, invoice_line_ids=[fields.Command.create(v) for v in lines]))
            self._finish_document(backend, move, rec)
            return move

        def update(move):
            move = self._quiet(move)
            applied = self._applied_payments(move)  # resetting to draft takes them off
            if move.state in ("posted", "cancel"):
                move.button_draft()
            move.write(
                dict(
                    vals,
                    invoice_line_ids=[fields.Command.clear()] + [fields.Command.create(v) for v in lines],
                )
            )
            self._finish_document(backend, move, rec)
            self._reapply_payments(move, applied)

        return self._upsert(backend, "invoice", rec, create, update)

    @staticmethod
    def _total_difference(move, rec):
        """The provider's total less Odoo's, in the document's currency (0 without a total)."""
        if rec.get("amount_total") is None:
            return Decimal(0)
        places = move.currency_id.decimal_places
        return quantize(rec["amount_total"], places) - quantize(Decimal(str(move.amount_total)), places)

    def _finish_document(self, backend, move, rec):
        """Reconcile Odoo's totals with the provider's, then post (or cancel)."""
        self._settle_total(backend, move, rec)
        self._apply_state(move, rec)

    def _settle_total(self, backend, move, rec):
        """Make the document's total the provider's: a difference of a cent goes to the
        connection's rounding account; more is a RoundingDiffError."""
        diff = self._total_difference(move, rec)
        if not diff or self.env.context.get("connector_force"):
            return
        actual = quantize(Decimal(str(move.amount_total)), move.currency_id.decimal_places)
        if abs(diff) > ONE_CENT:
            raise errors.RoundingDiffError(
                f"Odoo computes a total of {actual} {move.currency_id.name}, the provider {actual + diff}: "
                f"a difference of {diff} is more than a rounding",
                details={"difference": str(diff)},
            )
        if not backend.rounding_account_id:
            raise errors.RoundingDiffError(
                f"A rounding difference of {diff} needs a rounding account on the connection {backend.name}",
                details={"difference": str(diff)},
            )
        move.write(
            {
                "invoice_line_ids": [
                    fields.Command.create(
                        {
                            "name": self.env._("Tax rounding difference"),
                            "account_id": backend.rounding_account_id.id,
                            "quantity": 1,
                            "price_unit": float(diff),
                            "tax_ids": [fields.Command.clear()],
                        }
                    )
                ]
            }
        )

    @staticmethod
    def _apply_state(move, rec):
        """Post the document, or cancel it, as the provider has it."""
        state = rec.get("state", "posted")
        if state == "posted" and move.state == "draft":
            move.action_post()
        elif state == "void" and move.state != "cancel":
            if move.state == "posted":
                move.button_draft()
            move.button_cancel()

    # a helper for tests and checks
    @api.model
    def _amounts_match(self, move, rec):
        """True when the Odoo document's total and residual equal the canonical ones."""
        places = move.currency_id.decimal_places
        ok = float_compare(move.amount_total, float(rec["amount_total"]), precision_digits=places) == 0
        if rec.get("amount_residual") is not None:
            ok = ok and float_compare(move.amount_residual, float(rec["amount_residual"]), precision_digits=places) == 0
        return ok
