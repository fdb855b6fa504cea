"""Payments (the ``payment`` kind) and what they apply to: their values and journal, the
allocation to documents reconciled for exactly the allocated amounts, voiding, and putting
back the payments an update of a document took off. A payment of no money, and the credit
part of one that applies credit notes too, are credit applications (``credits.py``)."""

import logging
from decimal import Decimal

from odoo import fields, models

from ...lib import errors
from ...lib.money import quantize, to_decimal

PAYABLE_TYPES = ("asset_receivable", "liability_payable")
_logger = logging.getLogger(__name__)


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    def _payment_vals(self, backend, rec):
        """(values of the payment, [(document, amount the money pays)], [(credit note,
        invoice, amount of credit applied with it)])."""
        partner = self._dependency(backend, "party", rec["partner"])
        currency = self._currency(rec["currency"])
        journal = self._payment_journal(backend, rec)
        self._check_lock_date(backend, rec["date"], journal, False)
        documents, credits = self._credit_plan(self._allocated_documents(backend, rec))
        vals = {
            "payment_type": rec["payment_type"],
            "partner_type": "customer" if rec["payment_type"] == "inbound" else "supplier",
            "partner_id": partner.id,
            "amount": float(to_decimal(rec["amount"])),
            "currency_id": currency.id,
            "date": rec["date"],
            "journal_id": journal.id,
            "memo": rec.get("reference") or rec.get("memo") or False,
        }
        return vals, documents, credits

    def _prepare_new_payment(self, backend, rec):
        """A new payment of money that applies no credit note joins the page; the others
        take the one-record path."""
        if not to_decimal(rec["amount"]) or any(
            a.get("document_kind") == "credit_note" for a in rec.get("allocations", [])
        ):
            return None
        vals, documents, _credits = self._payment_vals(backend, rec)
        for move, _amount in documents:
            self._open_lines(move)  # refuses a document the payment cannot apply to
        return {"vals": vals, "documents": documents}

    def _create_new_payment(self, backend, prepared, records):
        """Payments created and posted together, then applied one by one. A refusal while
        applying sends the page to the one-record path (nothing of it stays)."""
        Payment = self._quiet(self.env["account.payment"]).with_company(backend.company_id)
        payments = Payment.create([item["vals"] for item in prepared])
        payments.action_post()
        for payment, item, rec in zip(payments, prepared, records, strict=True):
            if rec.get("state") == "void":
                self._void_payment(payment)
                continue
            if item.get("credits"):  # first: the money then settles what the credit left open
                self._apply_payment_credits(backend, payment, item["credits"])
            self._allocate(payment, item["documents"], backend)
        return list(payments)

    def _import_payment(self, backend, rec):
        if self._payment_model(backend, rec) != "account.payment":
            return self._import_credit_application(backend, rec)
        vals, documents, credits = self._payment_vals(backend, rec)

        def create():
            item = {"vals": vals, "documents": documents, "credits": credits}
            return self._create_new_payment(backend, [item], [rec])[0]

        def update(payment):
            payment = self._quiet(payment)
            if rec.get("state") == "void":
                return  # cancelled below, as it was (QuickBooks shows a void payment at 0)
            self._payment_applications(payment)._undo()
            if payment.state != "draft":
                payment.move_id.line_ids.remove_move_reconcile()
                payment.action_draft()
            payment.write(vals)
            payment.action_post()
            self._apply_payment_credits(backend, payment, credits)
            self._allocate(payment, documents, backend)

        payment = self._upsert(backend, "payment", rec, create, update)
        if rec.get("state") == "void":
            self._void_payment(payment)
        return payment

    def _void_payment(self, payment):
        """Cancel the payment, and take off the credit it applied with it."""
        if payment.state != "canceled":
            self._payment_applications(payment)._void()
            payment.move_id.line_ids.remove_move_reconcile()
            payment.action_draft()
            payment.action_cancel()

    def _payment_journal(self, backend, rec):
        Journal = self.env["account.journal"]
        if rec.get("method"):
            journal = self.env["connector.payment.method.mapping"]._resolve(backend, rec["method"])
            if journal:
                return journal
        if rec.get("deposit_account"):
            account = self.env["connector.account.mapping"]._resolve(backend, rec["deposit_account"])
            if account:
                journal = Journal.search(
                    [("company_id", "=", backend.company_id.id), ("default_account_id", "=", account.id)], limit=1
                )
                if journal:
                    return journal
        journal = backend.payment_journal_id or Journal.search(
            [("company_id", "=", backend.company_id.id), ("type", "=", "bank")], limit=1
        )
        if not journal:
            raise errors.MappingMissingError(
                "No journal for imported payments: set one on the connection",
                mapping_model="connector.payment.method.mapping",
                external_id=rec.get("method") or "default",
            )
        return journal

    def _allocate(self, payment, documents, backend):
        """Reconcile the payment with each document for exactly the allocated amount."""
        pay_lines = payment.move_id.line_ids.filtered(lambda ln: ln.account_id.account_type in PAYABLE_TYPES)
        for move, amount in documents:
            residual = quantize(Decimal(str(abs(move.amount_residual))), move.currency_id.decimal_places)
            if quantize(amount) > residual:
                self._read_document_again(backend, move)
                residual = quantize(Decimal(str(abs(move.amount_residual))), move.currency_id.decimal_places)
            inv_lines = self._open_lines(move)
            open_pay = pay_lines.filtered(lambda ln: not ln.reconciled)
            if quantize(amount) < residual and len(documents) > 1:
                self._partial_reconcile(open_pay, inv_lines, amount)
            else:
                (open_pay + inv_lines).reconcile()

    def _read_document_again(self, backend, move):
        """A payment applies more to a document than Odoo has open on it: the provider changed
        the document (a line added) after Odoo last read it, and the change has not come in
        yet. It is read now, so that the payment applies what the provider says; a document
        that cannot be (a conflict with a change made in Odoo) keeps what is open."""
        binding = self.env["connector.binding"].sudo()._for_record(backend, "invoice", move)
        if not binding:
            return
        remote = backend._get_adapter().read("invoice", binding.external_id)
        try:
            with self._savepoint("invoice", binding.external_id):
                self._import(backend, "invoice", remote)
        except errors.PermanentError as exc:
            _logger.info("%s read again for a payment, and left as it was: %s", move.display_name, exc)
        move.invalidate_recordset()

    @staticmethod
    def _open_lines(move):
        """The document's receivable or payable lines still open; a typed refusal when a
        payment cannot apply to it."""
        if move.state != "posted":
            raise errors.PayloadValidationError(f"{move.display_name} is not posted: the payment cannot apply to it")
        lines = move.line_ids.filtered(lambda ln: ln.account_id.account_type in PAYABLE_TYPES and not ln.reconciled)
        if not lines:
            raise errors.PayloadValidationError(f"{move.display_name} is already paid")
        return lines

    def _applied_payments(self, move):
        """What is reconciled with the document: [(counterpart line, amount in the document's
        currency, the credit applications that reconciliation belongs to)]."""
        applied = []
        lines = move.line_ids.filtered(lambda ln: ln.account_id.account_type in PAYABLE_TYPES)
        partials = lines.matched_debit_ids | lines.matched_credit_ids
        applications = self.env["connector.credit.application"].sudo()
        if partials:
            applications = applications.search([("partial_ids", "in", partials.ids)])
        for line in lines:
            for partial in line.matched_debit_ids:
                owners = applications.filtered(lambda a, p=partial: p in a.partial_ids)
                applied.append((partial.debit_move_id, Decimal(str(partial.credit_amount_currency)), owners))
            for partial in line.matched_credit_ids:
                owners = applications.filtered(lambda a, p=partial: p in a.partial_ids)
                applied.append((partial.credit_move_id, Decimal(str(partial.debit_amount_currency)), owners))
        return applied

    def _reapply_payments(self, move, applied):
        """Put back, amount for amount, the payments (and credit notes) an update of the
        document took off; a credit application keeps the reconciliation made again."""
        if move.state != "posted":
            return
        for counterpart, amount, applications in applied:
            if not counterpart.exists() or counterpart.reconciled or counterpart.move_id.state != "posted":
                continue
            open_lines = move.line_ids.filtered(
                lambda ln: ln.account_id.account_type in PAYABLE_TYPES and not ln.reconciled
            )
            if not open_lines:
                break
            residual = quantize(Decimal(str(abs(move.amount_residual))), move.currency_id.decimal_places)
            partial = self._partial_reconcile(counterpart, open_lines, min(quantize(amount), residual))
            if applications:
                applications.partial_ids = [fields.Command.link(partial.id)]

    def _partial_reconcile(self, pay_lines, inv_lines, amount):
        """Reconcile exactly ``amount`` (document currency) between two lines; return the
        reconciliation (made quietly: it is never a credit application made in Odoo)."""
        pay_line, inv_line = pay_lines[:1], inv_lines[:1]
        debit, credit = (inv_line, pay_line) if inv_line.balance > 0 else (pay_line, inv_line)
        currency = inv_line.currency_id
        rate = abs(inv_line.balance / inv_line.amount_currency) if inv_line.amount_currency else 1.0
        amount_company = inv_line.company_currency_id.round(float(amount) * rate)
        return self._quiet(self.env["account.partial.reconcile"]).create(
            {
                "debit_move_id": debit.id,
                "credit_move_id": credit.id,
                "amount": amount_company,
                "debit_amount_currency": currency.round(float(amount))
                if debit.currency_id == currency
                else amount_company,
                "credit_amount_currency": currency.round(float(amount))
                if credit.currency_id == currency
                else amount_company,
            }
        )
