"""An Odoo record's canonical form, for export (``_to_canonical_<kind>``): its references
through the bindings (exporting what is not bound yet) and the mapping tables."""

from decimal import Decimal

from odoo import fields, models

from ...lib import errors
from ...lib.money import quantize


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    def _external_mapping(self, backend, model, field, record, what):
        row = self.env[model].sudo().search([("backend_id", "=", backend.id), (field, "=", record.id)], limit=1)
        if not row:
            raise errors.MappingMissingError(
                f"{what} {record.display_name} has no counterpart at the provider: map it first",
                mapping_model=model,
                external_id=f"odoo:{record.id}",
            )
        return row.external_id

    def _to_canonical_party(self, backend, partner):
        roles = []
        if partner.customer_rank or not partner.supplier_rank:
            roles.append("customer")
        if partner.supplier_rank:
            roles.append("vendor")
        data = {
            "name": partner.name,
            "is_company": partner.is_company,
            "roles": roles,
            "email": partner.email or None,
            "phone": partner.phone or None,
            "mobile": partner.mobile or None,
            "website": partner.website or None,
            "vat": partner.vat or None,
            "active": partner.active,
            "address": {
                "street": partner.street or None,
                "street2": partner.street2 or None,
                "city": partner.city or None,
                "zip": partner.zip or None,
                "state_code": partner.state_id.code or None,
                "country_code": partner.country_id.code or None,
            },
        }
        # the currency a partner trades in: its pricelist's (some providers fix it per contact)
        pricelist = partner["property_product_pricelist"] if "property_product_pricelist" in partner else None
        if pricelist and pricelist.currency_id:
            data["currency"] = pricelist.currency_id.name
        return data

    def _mapped_external(self, backend, model, field, record):
        """The provider id mapped to ``record``, or None (no error: the provider has a default)."""
        if not record:
            return None
        row = self.env[model].sudo().search([("backend_id", "=", backend.id), (field, "=", record.id)], limit=1)
        return row.external_id if row else None

    def _to_canonical_product(self, backend, product):
        data = {
            "name": product.name,
            "sku": product.default_code or None,
            "type": "service" if product.type == "service" else "goods",
            "description": product.description_sale or None,
            "sale_price": quantize(Decimal(str(product.list_price)), 6),
            "cost": quantize(Decimal(str(product.standard_price)), 6),
            "active": product.active,
        }
        accounts = product.product_tmpl_id.with_company(backend.company_id).get_product_accounts()
        for field, key in (("income_account", "income"), ("expense_account", "expense")):
            external = self._mapped_external(backend, "connector.account.mapping", "account_id", accounts.get(key))
            if external:
                data[field] = external
        return data

    def _to_canonical_invoice(self, backend, move):
        use = "sale" if move.move_type.startswith("out_") else "purchase"
        places = move.currency_id.decimal_places
        product_lines = move.invoice_line_ids.filtered(lambda ln: ln.display_type == "product")
        # tax-inclusive when every taxed line's taxes include the price; a document that mixes
        # goes out without tax included, its price-included lines at their amount without tax
        taxed = product_lines.filtered("tax_ids")
        inclusive = bool(taxed) and all(line.tax_ids._connector_price_included() for line in taxed)
        lines = []
        for line in product_lines:
            untaxed = quantize(Decimal(str(line.price_subtotal)), places)
            data = {
                "description": line.name or None,
                "quantity": Decimal(str(line.quantity)),
                "price_unit": Decimal(str(line.price_unit)),
                "amount": untaxed,
                "taxes": self._external_taxes(backend, line.tax_ids, use),
            }
            if line.discount:
                data["discount"] = Decimal(str(line.discount))
            if inclusive:
                data["amount"] = quantize(Decimal(str(line.price_total)), places)
                data["amount_untaxed"] = untaxed
            elif line.tax_ids and line.tax_ids._connector_price_included() and line.quantity:
                data["price_unit"] = quantize(untaxed / Decimal(str(line.quantity)), 6)
                data.pop("discount", None)
            if line.product_id:
                data["product"] = self._external_ref(backend, "product", line.product_id)
            else:
                data["account"] = self._external_mapping(
                    backend, "connector.account.mapping", "account_id", line.account_id, "Account"
                )
            lines.append(data)
        if inclusive:
            self._settle_inclusive_lines(move, lines)
        data = {
            "move_type": move.move_type,
            "number": move.name if move.name and move.name != "/" else None,
            "reference": move.ref or None,
            "partner": self._external_ref(
                backend, "party", move.commercial_partner_id, "vendor" if use == "purchase" else "customer"
            ),
            "date": fields.Date.to_string(move.invoice_date or move.date),
            "due_date": fields.Date.to_string(move.invoice_date_due) if move.invoice_date_due else None,
            "currency": move.currency_id.name,
            "tax_mode": "inclusive" if inclusive else "exclusive",
            "state": "posted" if move.state == "posted" else ("void" if move.state == "cancel" else "draft"),
            "lines": lines,
            "amount_untaxed": quantize(Decimal(str(move.amount_untaxed)), places),
            "amount_tax": quantize(Decimal(str(move.amount_tax)), places),
            "amount_total": quantize(Decimal(str(move.amount_total)), places),
        }
        if move.currency_id != move.company_id.currency_id and move.invoice_currency_rate:
            data["exchange_rate"] = quantize(Decimal(1) / Decimal(str(move.invoice_currency_rate)), 6)
        return data

    @staticmethod
    def _settle_inclusive_lines(move, lines):
        """The lines of a tax-inclusive document add up to its totals. Rounding globally, Odoo
        rounds the document's amount without tax once, which can part by a cent from the sum
        of the lines' amounts with tax (the price the customer saw): that cent goes on the
        largest line, so that the provider's total, the sum of its lines, is Odoo's."""
        places = move.currency_id.decimal_places
        if not lines:
            return
        largest = max(lines, key=lambda line: abs(line["amount"]))
        for key, total in (("amount", move.amount_total), ("amount_untaxed", move.amount_untaxed)):
            left = quantize(Decimal(str(total)), places) - sum((line[key] for line in lines), Decimal(0))
            largest[key] += left

    def _external_taxes(self, backend, taxes, use):
        """The provider's tax codes of a line's Odoo taxes, in the order Odoo applies them.

        A tax made from a mapped one (price included, before a compound tax) carries the
        code of the original. Taxes that together are a group mapped to one code (GST and
        PST charged on it) go out as that code."""
        if len(taxes) > 1:
            code = self._external_group_code(backend, taxes)
            if code:
                return [code]
        return [self._external_tax_code(backend, tax, use) for tax in taxes]

    def _external_tax_code(self, backend, tax, use):
        Mapping = self.env["connector.tax.mapping"].sudo()
        fields_by_use = ["tax_id", "tax_included_id", "tax_before_compound_id", "purchase_tax_id"]
        if use == "purchase":
            fields_by_use.insert(0, fields_by_use.pop())
        current = tax
        while current:
            domain = [("backend_id", "=", backend.id), "|", "|", "|"] + [(f, "=", current.id) for f in fields_by_use]
            rows = Mapping.search(domain)
            for field in fields_by_use:
                row = rows.filtered(lambda r, f=field, t=current: r[f] == t)[:1]
                if row:
                    return row.external_id
            current = current.connector_variant_of_id
        raise errors.MappingMissingError(
            f"Tax {tax.display_name} has no counterpart at the provider: map it first",
            mapping_model="connector.tax.mapping",
            external_id=f"odoo:{tax.id}",
        )

    def _external_group_code(self, backend, taxes):
        """The code mapped to a group of exactly these taxes (or the originals they were made from)."""
        originals = {tax._connector_original().id for tax in taxes}
        rows = self.env["connector.tax.mapping"].sudo().search([("backend_id", "=", backend.id)])
        for row in rows:
            for group in row.tax_id | row.tax_included_id | row.purchase_tax_id:
                if group.amount_type != "group":
                    continue
                if {child._connector_original().id for child in group.children_tax_ids} == originals:
                    return row.external_id
        return None

    def _to_canonical_payment(self, backend, payment):
        allocations = []
        for move in payment.reconciled_invoice_ids | payment.reconciled_bill_ids:
            amount = self._allocated_amount(payment, move)
            if amount:
                allocations.append({"document": self._external_ref(backend, "invoice", move), "amount": amount})
        data = {
            "payment_type": payment.payment_type,
            "partner": self._external_ref(
                backend,
                "party",
                payment.partner_id.commercial_partner_id,
                "vendor" if payment.partner_type == "supplier" else "customer",
            ),
            "date": fields.Date.to_string(payment.date),
            "amount": quantize(Decimal(str(payment.amount)), payment.currency_id.decimal_places),
            "currency": payment.currency_id.name,
            "reference": payment.memo or None,
            "state": "void" if payment.state == "canceled" else "posted",
            "allocations": allocations,
        }
        deposit = self._mapped_external(
            backend, "connector.account.mapping", "account_id", payment.journal_id.default_account_id
        )
        if deposit:
            data["deposit_account"] = deposit
        return data

    def _allocated_amount(self, payment, move):
        total = Decimal(0)
        for line in payment.move_id.line_ids:
            for partial in line.matched_debit_ids | line.matched_credit_ids:
                other = partial.debit_move_id if partial.credit_move_id == line else partial.credit_move_id
                if other.move_id == move:
                    amount = (
                        partial.debit_amount_currency
                        if other == partial.debit_move_id
                        else partial.credit_amount_currency
                    )
                    total += Decimal(str(amount))
        return quantize(total, move.currency_id.decimal_places)

    def _to_canonical_journal_entry(self, backend, move):
        lines = []
        for line in move.line_ids:
            amount = Decimal(str(line.amount_currency))
            data = {
                "account": self._external_mapping(
                    backend, "connector.account.mapping", "account_id", line.account_id, "Account"
                ),
                "description": line.name or None,
            }
            if amount >= 0:
                data["debit"] = quantize(amount, move.currency_id.decimal_places)
            else:
                data["credit"] = quantize(-amount, move.currency_id.decimal_places)
            if line.partner_id:
                role = {"liability_payable": "vendor", "asset_receivable": "customer"}.get(line.account_id.account_type)
                data["partner"] = self._external_ref(backend, "party", line.partner_id.commercial_partner_id, role)
            lines.append(data)
        data = {
            "number": move.name if move.name != "/" else None,
            "date": fields.Date.to_string(move.date),
            "currency": move.currency_id.name,
            "memo": move.ref or None,
            "lines": lines,
        }
        if move.state == "cancel":  # deleted at the provider (a posted entry's digest is left as it was)
            data["state"] = "void"
        return data
