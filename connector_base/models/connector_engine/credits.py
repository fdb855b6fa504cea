"""Credit applications: credit notes applied to invoices, within the ``payment`` kind.

A canonical payment's allocations may name credit notes (``document_kind: credit_note``); its
money is then the invoices allocated less the credit notes. A payment of no money (QuickBooks'
zero-amount Payment linking a CreditMemo and an Invoice) is a ``connector.credit.application``
bound like any record; a payment of money that applies credit too is an ``account.payment``
plus an application of its own (``payment_id``) for the credit part. Either way each credit
note is reconciled with its invoices for exactly the amounts applied (``lib.credits``), and
the application keeps those partial reconciliations: an update takes them off and makes them
again, a void or a deletion at the provider takes them off. Out: an application made in Odoo
(a credit note reconciled with an invoice, see connector.credit.application) is exported as
a payment of 0 that allocates both."""

from decimal import Decimal

from odoo import fields, models

from ...lib import errors
from ...lib.credits import plan_credits
from ...lib.money import quantize, to_decimal
from ..connector_credit_application import CREDIT_NOTE_TYPES

APPLICATION = "connector.credit.application"


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    # ------------------------------------------------------------------ in
    def _allocated_documents(self, backend, rec):
        """[(document, kind, amount)] of a payment's allocations, the documents imported first."""
        documents = []
        for alloc in rec.get("allocations", []):
            move = self._dependency(backend, "invoice", alloc["document"])
            kind = alloc.get("document_kind") or "invoice"
            if kind == "credit_note" and move.move_type not in CREDIT_NOTE_TYPES:
                raise errors.PayloadValidationError(
                    f"{alloc['document']} is applied as a credit note, but {move.display_name} is not one"
                )
            documents.append((move, kind, to_decimal(alloc["amount"])))
        return documents

    @staticmethod
    def _credit_plan(documents):
        """([(invoice, amount the money pays)], [(credit note, invoice, amount of credit)])."""
        invoices = [(move, amount) for move, kind, amount in documents if kind != "credit_note"]
        credits = [(move, amount) for move, kind, amount in documents if kind == "credit_note"]
        if not credits:
            return invoices, []
        applied, money = plan_credits(invoices, credits)
        return money, applied

    def _payment_model(self, backend, rec):
        """The Odoo model of a provider payment: an application when no money moves. A void
        one (QuickBooks shows it at 0) stays what it was; one bound to the other model (a
        payment changed at the provider from the one to the other) is voided and unbound."""
        Binding = self.env["connector.binding"].sudo()
        binding = Binding._find(backend, "payment", rec["external_id"])
        no_money = not to_decimal(rec["amount"])
        if binding and no_money and rec.get("state") == "void":
            return binding.res_model
        model = APPLICATION if no_money else "account.payment"
        if binding and binding.res_model != model:
            target = self.env[binding.res_model].browse(binding.res_id).exists()
            if target and target._name == APPLICATION:
                target._void()
            elif target:
                self._void_payment(self._quiet(target))
            binding.unlink()
        return model

    def _import_credit_application(self, backend, rec):
        Application = self.env[APPLICATION].sudo()
        partner = self._dependency(backend, "party", rec["partner"])
        currency = self._currency(rec["currency"])
        documents = self._allocated_documents(backend, rec)
        money, applied = self._credit_plan(documents)
        if money:  # canonical validation refuses it before: the invoices exceed the credit
            raise errors.PayloadValidationError("a payment of 0 can only apply credit notes to invoices")
        vals = {
            "backend_id": backend.id,
            "company_id": backend.company_id.id,
            "partner_id": partner.commercial_partner_id.id,
            "date": rec["date"],
            "currency_id": currency.id,
            "origin": "import",
            "state": "applied",
            "line_ids": [fields.Command.clear()] + self._application_lines(documents),
        }

        def apply(application):
            if rec.get("state") == "void":
                application._void()
            else:
                application.partial_ids = [fields.Command.set(self._apply_credits(applied).ids)]

        def create():
            application = Application.create(vals)
            apply(application)
            return application

        def update(application):
            application._undo()
            application.write(vals)
            apply(application)

        return self._upsert(backend, "payment", rec, create, update)

    @staticmethod
    def _application_lines(documents):
        """Lines of an application from [(document, kind, amount)], one per document."""
        totals = {}
        for move, kind, amount in documents:
            key = (move.id, kind)
            totals[key] = totals.get(key, Decimal(0)) + amount
        return [
            fields.Command.create({"move_id": move_id, "document_kind": kind, "amount": float(amount)})
            for (move_id, kind), amount in totals.items()
        ]

    def _payment_applications(self, payments):
        return self.env[APPLICATION].sudo().search([("payment_id", "in", payments.ids)])

    def _apply_payment_credits(self, backend, payment, applied):
        """The credit part of a payment that moved money too: its own application."""
        application = self._payment_applications(payment)[:1]
        if application:
            application._undo()
        if not applied:
            if application:
                application.unlink()
            return application
        documents = [(credit, "credit_note", amount) for credit, _invoice, amount in applied]
        documents += [(invoice, "invoice", amount) for _credit, invoice, amount in applied]
        vals = {
            "backend_id": backend.id,
            "company_id": backend.company_id.id,
            "partner_id": payment.partner_id.commercial_partner_id.id,
            "date": payment.date,
            "currency_id": payment.currency_id.id,
            "payment_id": payment.id,
            "origin": "import",
            "state": "applied",
            "line_ids": [fields.Command.clear()] + self._application_lines(documents),
        }
        if application:
            application.write(vals)
        else:
            application = self.env[APPLICATION].sudo().create(vals)
        application.partial_ids = [fields.Command.set(self._apply_credits(applied).ids)]
        return application

    def _apply_credits(self, applied):
        """Reconcile each credit note with its invoice; return the reconciliations made."""
        partials = self.env["account.partial.reconcile"]
        for credit, invoice, amount in applied:
            partials |= self._apply_credit(credit, invoice, amount)
        return partials

    def _apply_credit(self, credit, invoice, amount):
        """Reconcile ``amount`` (the invoice's currency) of the credit note with the invoice:
        Odoo's reconciliation when it is all that either has open, else exactly that much."""
        credit_lines, invoice_lines = self._open_lines(credit), self._open_lines(invoice)
        places = invoice.currency_id.decimal_places
        amount = quantize(amount, places)
        open_credit = quantize(Decimal(str(abs(credit.amount_residual))), places)
        open_invoice = quantize(Decimal(str(abs(invoice.amount_residual))), places)
        if amount > min(open_credit, open_invoice):
            raise errors.PayloadValidationError(
                f"{amount} of {credit.display_name} cannot be applied to {invoice.display_name}: "
                f"{open_credit} of the credit and {open_invoice} of the invoice are open"
            )
        if amount < min(open_credit, open_invoice):
            return self._partial_reconcile(credit_lines, invoice_lines, amount)
        lines = self._quiet(credit_lines | invoice_lines)
        Partial = self.env["account.partial.reconcile"]
        domain = ["|", ("debit_move_id", "in", lines.ids), ("credit_move_id", "in", lines.ids)]
        before = Partial.search(domain)
        lines.reconcile()
        return Partial.search(domain) - before

    # ------------------------------------------------------------------ deleted at the provider
    def _apply_remote_delete(self, backend, kind, external_id):
        """A credit application deleted at the provider takes its reconciliations off; so does
        the credit part of a payment (the payment itself is cancelled as any other)."""
        if kind != "payment" or backend.remote_delete_policy != "apply":
            return super()._apply_remote_delete(backend, kind, external_id)
        binding = self.env["connector.binding"].sudo()._find(backend, kind, external_id)
        target = self.env[binding.res_model].browse(binding.res_id).exists() if binding else None
        if target and target._name == APPLICATION:
            target._void()
            binding.unlink()
            return target
        if target:
            self._payment_applications(target)._void()
        return super()._apply_remote_delete(backend, kind, external_id)

    # ------------------------------------------------------------------ out
    def _to_canonical_payment(self, backend, record):
        """A credit application made in Odoo: a payment of 0 allocating the invoices and the
        credit note (a vendor's also names the bank account, which QuickBooks requires)."""
        if record._name != APPLICATION:
            return super()._to_canonical_payment(backend, record)
        places = record.currency_id.decimal_places
        allocations = []
        for line in record.line_ids.sorted(lambda ln: (ln.document_kind == "credit_note", ln.id)):
            allocation = {
                "document": self._external_ref(backend, "invoice", line.move_id),
                "amount": quantize(Decimal(str(line.amount)), places),
            }
            if line.document_kind == "credit_note":
                allocation["document_kind"] = "credit_note"
            allocations.append(allocation)
        outbound = record.credit_note_id.move_type == "in_refund"
        data = {
            "payment_type": "outbound" if outbound else "inbound",
            "partner": self._external_ref(backend, "party", record.partner_id.commercial_partner_id),
            "date": fields.Date.to_string(record.date),
            "amount": quantize(Decimal(0), places),
            "currency": record.currency_id.name,
            "state": "void" if record.state == "void" else "posted",
            "allocations": allocations,
        }
        if outbound:
            journal = backend.payment_journal_id or self.env["account.journal"].search(
                [("company_id", "=", backend.company_id.id), ("type", "=", "bank")], limit=1
            )
            deposit = self._mapped_external(
                backend, "connector.account.mapping", "account_id", journal.default_account_id
            )
            if deposit:
                data["deposit_account"] = deposit
        return data
