"""What an accountant reads on a quarantined record: what the record is (its document
number, partner, amount and date, from the data received or from the Odoo record) and why
it waits, in words, with the provider's own names and rates."""

import json

from odoo import api, fields, models
from odoo.tools.misc import format_amount, format_date

from ..lib.money import json_loads
from .connector_labels import KIND_WORDS, MAPPING_MODELS, as_date, as_number, percent, shorten


class ConnectorQuarantine(models.Model):
    _inherit = "connector.quarantine"

    display_label = fields.Char("Record", compute="_compute_display_label")
    kind_label = fields.Char("Record type", compute="_compute_document", store=True)
    document_number = fields.Char("Number", compute="_compute_document", store=True)
    partner_name = fields.Char("Partner", compute="_compute_document", store=True)
    document_date = fields.Date("Date", compute="_compute_document", store=True)
    amount_total = fields.Monetary("Amount", compute="_compute_document", store=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_document", store=True)
    explanation = fields.Text("Why it waits", compute="_compute_explanation")
    can_fix_mapping = fields.Boolean(compute="_compute_explanation")
    has_odoo_record = fields.Boolean(compute="_compute_has_odoo_record")

    # ------------------------------------------------------------------ what the record is
    def _data(self):
        """The data received or being sent, as a dict ({} when there is none or it is not JSON)."""
        try:
            data = json_loads(self.payload) if self.payload else {}
        except (json.JSONDecodeError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _record(self):
        if self.res_model in self.env and self.res_id:
            return self.env[self.res_model].browse(self.res_id).exists()
        return None

    @api.depends("kind", "payload", "res_model", "res_id")
    def _compute_document(self):
        for row in self:
            record = row._record()
            facts = row._facts_from_record(record) if record else row._facts_from_data(row._data())
            row.kind_label = facts.get("kind") or (
                self.env._(KIND_WORDS[row.kind]) if row.kind in KIND_WORDS else row.kind
            )
            row.document_number = shorten(facts.get("number"), 64) or False
            row.partner_name = shorten(facts.get("partner"), 128) or False
            row.document_date = as_date(facts.get("date")) or False
            row.amount_total = as_number(facts.get("amount")) or 0.0
            row.currency_id = facts.get("currency") or False

    def _facts_from_record(self, record):
        """kind, number, partner, date, amount, currency of an Odoo record."""
        if record._name == "account.move":
            types = dict(record._fields["move_type"]._description_selection(self.env))
            return {
                "kind": types.get(record.move_type)
                if record.move_type != "entry"
                else self.env._(KIND_WORDS["journal_entry"]),
                "number": record.name if record.name not in (False, "/") else record.ref,
                "partner": record.partner_id.display_name,
                "date": record.invoice_date or record.date,
                "amount": record.amount_total,
                "currency": record.currency_id,
            }
        if record._name == "account.payment":
            return {
                "kind": self.env._("Customer payment")
                if record.payment_type == "inbound"
                else self.env._("Vendor payment"),
                "number": record.name,
                "partner": record.partner_id.display_name,
                "date": record.date,
                "amount": record.amount,
                "currency": record.currency_id,
            }
        if record._name == "res.partner":
            return {"kind": self.env._(KIND_WORDS["party"]), "partner": record.display_name}
        return {"number": record.display_name}

    def _facts_from_data(self, data):
        """The same, read from canonical data; the partner by its Odoo name when it is bound."""
        if not data:
            return {}
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", data.get("currency") or "")], limit=1)
        )
        facts = {
            "number": data.get("number") or data.get("reference") or data.get("sku"),
            "date": data.get("date"),
            "amount": data.get("amount_total", data.get("amount")),
            "currency": currency or self.backend_id.company_id.currency_id,
        }
        if self.kind == "invoice" and data.get("move_type"):
            types = dict(self.env["account.move"]._fields["move_type"]._description_selection(self.env))
            facts["kind"] = types.get(data["move_type"])
        elif self.kind == "payment":
            facts["kind"] = (
                self.env._("Customer payment")
                if data.get("payment_type") == "inbound"
                else self.env._("Vendor payment")
            )
        if self.kind in ("party", "product", "account", "tax"):
            facts["partner" if self.kind == "party" else "number"] = data.get("name")
        elif data.get("partner"):
            facts["partner"] = self._partner_name(data["partner"])
        return facts

    def _partner_name(self, external_id):
        partner = self.env["connector.binding"].sudo()._find_record(self.backend_id, "party", external_id)
        if partner:
            return partner.display_name
        match = (
            self.env["connector.partner.match"]
            .sudo()
            .search([("backend_id", "=", self.backend_id.id), ("external_id", "=", str(external_id))], limit=1)
        )
        return match.external_name or external_id

    @api.depends("kind_label", "document_number", "partner_name", "document_date", "amount_total", "external_id")
    def _compute_display_label(self):
        for row in self:
            parts = [" ".join(filter(None, [row.kind_label, row.document_number]))]
            if row.partner_name and row.partner_name != row.document_number:
                parts.append(row.partner_name)
            if row.amount_total and row.currency_id:
                parts.append(format_amount(self.env, row.amount_total, row.currency_id))
            if row.document_date:
                parts.append(format_date(self.env, row.document_date))
            if not row.document_number and not row.partner_name and row.external_id:
                parts.append(row.external_id)
            row.display_label = " · ".join(part for part in parts if part)

    def _compute_has_odoo_record(self):
        for row in self:
            row.has_odoo_record = bool(row._produced_record())

    # ------------------------------------------------------------------ why it waits
    @api.depends("state", "reason", "message", "waiting_model", "waiting_key")
    def _compute_explanation(self):
        for row in self:
            row.can_fix_mapping = row.state == "open" and row.waiting_model in MAPPING_MODELS and bool(row.waiting_key)
            row.explanation = (row._mapping_explanation() if row.can_fix_mapping else None) or row.message

    def _mapping_explanation(self):
        """The missing mapping in words: the provider's name, rate, type or code, or the Odoo
        record with no counterpart at the provider."""
        provider = self.backend_id.provider_label
        what = (self.kind_label or "").lower() or self.env._("record")
        if self._waits_on_odoo_record():
            target = self._waiting_odoo_record()
            if not target:
                return None
            return self.env._(
                "Odoo %(thing)s %(name)s has no counterpart in %(provider)s yet. Fix the mapping: choose the "
                "%(provider)s %(thing)s it corresponds to, and this %(what)s is sent again.",
                thing=self._thing(),
                name=self._describe_odoo(target),
                provider=provider,
                what=what,
            )
        row = (
            self.env[self.waiting_model]
            .sudo()
            .search([("backend_id", "=", self.backend_id.id), ("external_id", "=", self.waiting_key)], limit=1)
        )
        return self.env._(
            "%(provider)s %(thing)s %(name)s has no Odoo %(target)s yet. Fix the mapping: choose the Odoo "
            "%(target)s it stands for, and this %(what)s is imported again.",
            provider=provider,
            thing=self._thing(),
            name=self._describe_provider(row) if row else self.waiting_key,
            target=self._thing(odoo=True),
            what=what,
        )

    def _thing(self, odoo=False):
        things = {
            "connector.tax.mapping": self.env._("tax"),
            "connector.account.mapping": self.env._("account"),
            "connector.payment.method.mapping": self.env._("payment method") if not odoo else self.env._("journal"),
            "connector.payment.term.mapping": self.env._("payment term"),
        }
        return things[self.waiting_model]

    def _waiting_odoo_record(self):
        comodel = self.env[self.waiting_model]._fields[self.env[self.waiting_model]._target_field].comodel_name
        try:
            record_id = int(self.waiting_key.split(":", 1)[1])
        except ValueError:
            return None
        return self.env[comodel].browse(record_id).exists()

    def _describe_provider(self, row):
        """'“Los Angeles” (10%, Sales)': the provider's name, then its rate and use, or code and type."""
        details = []
        if row._name == "connector.tax.mapping":
            if row.external_rate:
                details.append(f"{percent(row.external_rate)}%")
            if row.scope:
                details.append(dict(row._fields["scope"]._description_selection(self.env))[row.scope])
        elif row._name == "connector.account.mapping":
            types = dict(row._fields["external_type"]._description_selection(self.env))
            details = [row.external_code, types.get(row.external_type)]
        return self._quoted(row.external_name or row.external_id, details)

    def _describe_odoo(self, record):
        details = []
        if record._name == "account.tax":
            uses = dict(record._fields["type_tax_use"]._description_selection(self.env))
            details = [f"{percent(record.amount)}%", uses.get(record.type_tax_use)]
        return self._quoted(record.display_name, details)

    @staticmethod
    def _quoted(name, details):
        details = [detail for detail in details if detail]
        return f"“{name}” ({', '.join(details)})" if details else f"“{name}”"
