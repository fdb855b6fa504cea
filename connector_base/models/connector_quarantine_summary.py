"""The data of a quarantined record as a person reads it: partner, dates, lines and totals,
with the provider's references turned into names where Odoo knows them. The raw JSON
stays behind its own tab."""

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools.misc import format_amount, format_date
from odoo.tools.translate import LazyTranslate

from .connector_labels import as_date, as_number, percent, shorten

_lt = LazyTranslate(__name__)

#: canonical key -> label, in the order a person reads a document's head
HEAD_FIELDS = [
    ("partner", _lt("Partner")),
    ("name", _lt("Name")),
    ("number", _lt("Number")),
    ("reference", _lt("Reference")),
    ("date", _lt("Date")),
    ("due_date", _lt("Due date")),
    ("email", _lt("E-mail")),
    ("phone", _lt("Phone")),
    ("vat", _lt("Tax id")),
    ("sku", _lt("Internal reference")),
    ("code", _lt("Code")),
    ("rate", _lt("Rate")),
    ("currency", _lt("Currency")),
    ("memo", _lt("Memo")),
]
TOTAL_FIELDS = [
    ("amount_untaxed", _lt("Untaxed amount")),
    ("amount_tax", _lt("Tax")),
    ("amount_total", _lt("Total")),
    ("amount", _lt("Amount")),
    ("amount_residual", _lt("Balance due")),
]


class ConnectorQuarantine(models.Model):
    _inherit = "connector.quarantine"

    payload_summary = fields.Html("Summary", compute="_compute_payload_summary", sanitize=False)

    @api.depends("payload", "res_model", "res_id")
    def _compute_payload_summary(self):
        for row in self:
            data = row._data()
            record = row._record()
            if data:
                head, lines, totals = row._summary_of_data(data)
            elif record:
                head, lines, totals = row._summary_of_record(record)
            else:
                row.payload_summary = False
                continue
            row.payload_summary = row._render_summary(head, lines, totals)

    # ------------------------------------------------------------------ from the data
    def _summary_of_data(self, data):
        currency = self.currency_id or self.backend_id.company_id.currency_id
        head = []
        for key, label in HEAD_FIELDS:
            value = data.get(key)
            if value in (None, "", []):
                continue
            if key == "partner":
                value = self._partner_name(value)
            elif key in ("date", "due_date") and as_date(value):
                value = format_date(self.env, as_date(value))
            elif key == "rate":
                value = f"{percent(value)}%"
            head.append((self.env._(label), shorten(value)))
        address = data.get("address") if isinstance(data.get("address"), dict) else {}
        place = ", ".join(str(address[k]) for k in ("street", "city", "zip", "country_code") if address.get(k))
        if place:
            head.append((self.env._("Address"), place))
        lines = [self._line_of_data(line, currency) for line in data.get("lines") or [] if isinstance(line, dict)]
        lines += [
            [self._name_of("invoice", alloc.get("document")), "", "", "", self._money(alloc.get("amount"), currency)]
            for alloc in data.get("allocations") or []
            if isinstance(alloc, dict)
        ]
        totals = [
            (self.env._(label), self._money(data[key], currency))
            for key, label in TOTAL_FIELDS
            if data.get(key) not in (None, "")
        ]
        return head, lines, totals

    def _money(self, value, currency):
        """An amount received, formatted in its currency; as received when it is not a number."""
        number = as_number(value)
        return format_amount(self.env, number, currency) if number is not None else shorten(value)

    def _line_of_data(self, line, currency):
        """[what, quantity, unit price, taxes, amount] of a canonical line."""
        what = shorten(line.get("description"))
        if line.get("product"):
            product = self._name_of("product", line["product"])
            what = f"{product}: {what}" if what and what != product else product
        if line.get("account"):
            what = f"{what} ({self._mapping_name('connector.account.mapping', line['account'])})"
        taxes = ", ".join(self._mapping_name("connector.tax.mapping", tax) for tax in line.get("taxes") or [])
        if "debit" in line or "credit" in line:  # a journal entry's line
            amount = (as_number(line.get("debit")) or 0.0) - (as_number(line.get("credit")) or 0.0)
            return [what, "", "", "", format_amount(self.env, amount, currency)]
        amount = line.get("amount")
        return [
            what,
            percent(line.get("quantity", "")),
            self._money(line.get("price_unit"), currency),
            taxes,
            self._money(amount, currency) if amount not in (None, "") else "",
        ]

    def _name_of(self, kind, external_id):
        record = self.env["connector.binding"].sudo()._find_record(self.backend_id, kind, external_id)
        return record.display_name if record else str(external_id)

    def _mapping_name(self, model, external_id):
        row = (
            self.env[model]
            .sudo()
            .search([("backend_id", "=", self.backend_id.id), ("external_id", "=", str(external_id))], limit=1)
        )
        if not row:
            return str(external_id)
        rate = row["external_rate"] if "external_rate" in row._fields and row["external_rate"] else None
        return f"{row.external_name} ({percent(rate)}%)" if rate else row.external_name or row.external_id

    # ------------------------------------------------------------------ from the Odoo record
    def _summary_of_record(self, record):
        if record._name == "account.move":
            currency = record.currency_id
            head = [
                (self.env._("Partner"), record.partner_id.display_name),
                (self.env._("Number"), record.name),
                (self.env._("Date"), format_date(self.env, record.invoice_date or record.date)),
                (self.env._("Due date"), format_date(self.env, record.invoice_date_due)),
                (self.env._("Currency"), currency.name),
            ]
            lines = [
                [
                    line.product_id.display_name or line.name or line.account_id.display_name,
                    percent(line.quantity),
                    format_amount(self.env, line.price_unit, currency),
                    ", ".join(line.tax_ids.mapped("name")),
                    format_amount(self.env, line.price_subtotal, currency),
                ]
                for line in record.invoice_line_ids.filtered(lambda ln: ln.display_type == "product")
            ]
            totals = [
                (self.env._("Untaxed amount"), format_amount(self.env, record.amount_untaxed, currency)),
                (self.env._("Tax"), format_amount(self.env, record.amount_tax, currency)),
                (self.env._("Total"), format_amount(self.env, record.amount_total, currency)),
            ]
            return [item for item in head if item[1]], lines, totals
        if record._name == "account.payment":
            head = [
                (self.env._("Partner"), record.partner_id.display_name),
                (self.env._("Date"), format_date(self.env, record.date)),
                (self.env._("Memo"), record.memo),
            ]
            lines = [
                [move.display_name, "", "", "", format_amount(self.env, move.amount_total, move.currency_id)]
                for move in record.reconciled_invoice_ids | record.reconciled_bill_ids
            ]
            totals = [(self.env._("Amount"), format_amount(self.env, record.amount, record.currency_id))]
            return [item for item in head if item[1]], lines, totals
        head = [(self.env._("Name"), record.display_name)]
        for field, label in (("email", _lt("E-mail")), ("phone", _lt("Phone")), ("vat", _lt("Tax id"))):
            if field in record._fields and record[field]:
                head.append((self.env._(label), record[field]))
        return head, [], []

    # ------------------------------------------------------------------ rendering
    def _render_summary(self, head, lines, totals):
        html = Markup('<table class="table table-sm table-borderless w-auto mb-3"><tbody>')
        for label, value in head:
            html += Markup('<tr><th class="text-muted pe-4">%s</th><td>%s</td></tr>') % (label, value)
        html += Markup("</tbody></table>")
        if lines:
            columns = [self.env._("Description"), self.env._("Quantity"), self.env._("Unit price")]
            columns += [self.env._("Taxes"), self.env._("Amount")]
            html += Markup('<table class="table table-sm"><thead><tr>')
            html += Markup("").join(
                Markup('<th class="%s">%s</th>') % ("text-end" if index else "", title)
                for index, title in enumerate(columns)
            )
            html += Markup("</tr></thead><tbody>")
            for line in lines:
                html += Markup("<tr>%s</tr>") % Markup("").join(
                    Markup('<td class="%s">%s</td>') % ("text-end" if index else "", escape(cell))
                    for index, cell in enumerate(line)
                )
            html += Markup("</tbody></table>")
        if totals:
            html += Markup('<table class="table table-sm table-borderless w-auto ms-auto"><tbody>')
            for label, value in totals:
                html += Markup('<tr><th class="text-end pe-4">%s</th><td class="text-end">%s</td></tr>') % (
                    label,
                    value,
                )
            html += Markup("</tbody></table>")
        return html
