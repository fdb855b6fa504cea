from odoo import api, fields, models

#: the move types a credit note can be, and the invoices each applies to
CREDIT_NOTE_TYPES = {"out_refund": "out_invoice", "in_refund": "in_invoice"}


class ConnectorCreditApplication(models.Model):
    """Credit notes applied to invoices with no money moving, reconciled in Odoo.

    One such application is a provider record (QuickBooks' Payment of 0 linking a CreditMemo
    and an Invoice, Reckon's credit allocation) bound like any other, or an Odoo
    reconciliation of a credit note with an invoice, exported as the provider's credit
    application. It keeps the partial reconciliations it stands for: an update or a void at
    the provider takes exactly those off. A payment that moved money and applied credit too
    keeps the credit part in an application of its own (``payment_id``)."""

    _name = "connector.credit.application"
    _description = "Credit Application"
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    backend_id = fields.Many2one(
        "connector.backend",
        "Connection",
        ondelete="cascade",
        index=True,
        help="The connection it was imported from; empty for a reconciliation made in Odoo.",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one("res.partner", "Partner", required=True, index=True)
    date = fields.Date(required=True)
    currency_id = fields.Many2one("res.currency", required=True)
    credit_note_id = fields.Many2one(
        "account.move", "Credit note", compute="_compute_credit_note_id", store=True, index=True
    )
    line_ids = fields.One2many("connector.credit.application.line", "application_id", "Documents")
    amount = fields.Monetary(
        "Credit applied", compute="_compute_amount", store=True, help="The credit notes' amounts applied."
    )
    partial_ids = fields.Many2many(
        "account.partial.reconcile",
        "connector_credit_application_partial_rel",
        "application_id",
        "partial_id",
        "Reconciliations",
        help="The partial reconciliations this application made (or, made in Odoo, stands for).",
    )
    payment_id = fields.Many2one(
        "account.payment",
        "With payment",
        ondelete="set null",
        index=True,
        help="The payment this credit was applied with, when money moved too.",
    )
    origin = fields.Selection([("import", "Imported"), ("odoo", "Made in Odoo")], required=True, default="import")
    state = fields.Selection([("applied", "Applied"), ("void", "Void")], required=True, default="applied")

    @api.depends("line_ids.move_id", "line_ids.document_kind")
    def _compute_credit_note_id(self):
        for application in self:
            credits = application.line_ids.filtered(lambda ln: ln.document_kind == "credit_note")
            application.credit_note_id = credits[:1].move_id

    @api.depends("line_ids.amount", "line_ids.document_kind")
    def _compute_amount(self):
        for application in self:
            credits = application.line_ids.filtered(lambda ln: ln.document_kind == "credit_note")
            application.amount = sum(credits.mapped("amount"))

    @api.depends("line_ids.move_id.name", "line_ids.document_kind")
    def _compute_name(self):
        for application in self:
            credits = application.line_ids.filtered(lambda ln: ln.document_kind == "credit_note")
            invoices = application.line_ids - credits
            if credits:
                application.name = self.env._(
                    "%(credits)s applied to %(invoices)s",
                    credits=", ".join(credits.move_id.mapped("display_name")),
                    invoices=", ".join(invoices.move_id.mapped("display_name")) or "-",
                )
            else:
                application.name = self.env._("Credit application")

    def _undo(self):
        """Take off the reconciliations this application made."""
        partials = self.sudo().partial_ids.exists()
        if partials:
            partials.with_context(connector_no_export=True).unlink()
        self.sudo().partial_ids = [fields.Command.clear()]

    def _void(self):
        self._undo()
        self.sudo().state = "void"

    @api.model
    def _from_reconciliation(self, partials):
        """An Odoo reconciliation of credit notes with invoices (not through a payment): one
        application per credit note, exported by the connections that export payments."""
        by_credit = {}
        for partial in partials:
            pair = self._credit_and_invoice(partial)
            if pair:
                by_credit.setdefault(pair[0].move_id, []).append((partial, pair[1]))
        if not by_credit:
            return self
        Backend = self.env["connector.backend"].sudo()
        companies = {move.company_id for move in by_credit}
        exporting = {
            company
            for company in companies
            if Backend.search([("company_id", "=", company.id), ("state", "in", ("connected", "paused"))]).filtered(
                lambda b: b._exports("payment")
            )
        }
        vals_list = []
        for move, pairs in by_credit.items():
            if move.company_id not in exporting:
                continue
            vals_list.append(
                {
                    "company_id": move.company_id.id,
                    "partner_id": move.commercial_partner_id.id,
                    "date": max(p.max_date for p, _line in pairs),
                    "currency_id": move.currency_id.id,
                    "origin": "odoo",
                    "line_ids": self._line_commands(move, pairs),
                    "partial_ids": [fields.Command.set([p.id for p, _line in pairs])],
                }
            )
        applications = self.sudo().create(vals_list)
        self.env["connector.backend"]._enqueue_export("payment", applications)
        return applications

    @api.model
    def _from_unreconciliation(self, partials):
        """``partials`` are being taken off in Odoo: an application that stood for them is
        voided (all of them) or reduced to what stays reconciled. Return the applications
        changed, for the caller to export once the partials are gone."""
        applications = self.sudo().search([("partial_ids", "in", partials.ids), ("state", "=", "applied")])
        for application in applications:
            left = application.partial_ids - partials
            pairs = [(partial, self._credit_and_invoice(partial)) for partial in left]
            if not left or not all(pair for _partial, pair in pairs):
                application.write({"state": "void", "partial_ids": [fields.Command.clear()]})
                continue
            lines = self._line_commands(application.credit_note_id, [(p, pair[1]) for p, pair in pairs])
            application.write(
                {"line_ids": [fields.Command.clear()] + lines, "partial_ids": [fields.Command.set(left.ids)]}
            )
        return applications

    @api.model
    def _line_commands(self, credit_note, pairs):
        """The documents of an application of ``credit_note`` that stands for ``pairs``
        [(partial, the invoice's line)]: the credit note for their sum, each invoice for its part."""
        applied = [(line.move_id, self._partial_amount(partial, line)) for partial, line in pairs]
        lines = [(credit_note, "credit_note", sum(amount for _invoice, amount in applied))]
        lines += [(invoice, "invoice", amount) for invoice, amount in applied]
        return [
            fields.Command.create({"move_id": doc.id, "document_kind": kind, "amount": amount})
            for doc, kind, amount in lines
        ]

    @staticmethod
    def _credit_and_invoice(partial):
        """(credit note's line, invoice's line) of a partial that reconciles a credit note
        with an invoice of the same kind directly, else None."""
        debit, credit = partial.debit_move_id, partial.credit_move_id
        for credit_line, invoice_line in ((debit, credit), (credit, debit)):
            move_type = credit_line.move_id.move_type
            if move_type in CREDIT_NOTE_TYPES and invoice_line.move_id.move_type == CREDIT_NOTE_TYPES[move_type]:
                return credit_line, invoice_line
        return None

    @staticmethod
    def _partial_amount(partial, invoice_line):
        """What a partial applied, in the invoice's currency."""
        if invoice_line == partial.debit_move_id:
            return partial.debit_amount_currency
        return partial.credit_amount_currency


class ConnectorCreditApplicationLine(models.Model):
    _name = "connector.credit.application.line"
    _description = "Credit Application Document"
    _order = "application_id, document_kind desc, id"

    application_id = fields.Many2one("connector.credit.application", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="application_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="application_id.currency_id")
    move_id = fields.Many2one("account.move", "Document", required=True, ondelete="cascade", index=True)
    document_kind = fields.Selection([("invoice", "Invoice"), ("credit_note", "Credit note")], required=True)
    amount = fields.Monetary(required=True)
