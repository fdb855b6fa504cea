"""What a record's references resolve to in Odoo: the provider's accounts and tax codes (the
``account`` and ``tax`` kinds land in their mapping tables, with a suggestion, and documents
resolve through them), currencies, journals, and the lock dates that close a period."""

from odoo import fields, models

from ...lib import errors
from ...lib.money import to_decimal


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    def _currency(self, code):
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
        if not currency:
            raise errors.CurrencyMismatchError(f"Currency {code} is unknown to Odoo")
        if not currency.active:
            raise errors.CurrencyMismatchError(f"Currency {code} is not active in Odoo: activate it, then retry")
        return currency

    def _import_account(self, backend, rec):
        """Provider accounts land in the account mapping table with a suggestion."""
        Mapping = self.env["connector.account.mapping"].sudo()
        vals = {
            "external_name": rec["name"],
            "external_code": rec.get("code") or False,
            "external_type": rec["type"],
        }

        def create():
            row = Mapping.search([("backend_id", "=", backend.id), ("external_id", "=", rec["external_id"])])
            row = row or Mapping.create(dict(vals, backend_id=backend.id, external_id=rec["external_id"]))
            row.write(vals)
            if not row.account_id:
                row._suggest()
            return row

        def update(row):
            row.write(vals)
            if not row.account_id:
                row._suggest()

        return self._upsert(backend, "account", rec, create, update)

    def _import_tax(self, backend, rec):
        Mapping = self.env["connector.tax.mapping"].sudo()
        vals = {
            "external_name": rec["name"],
            "external_rate": format(to_decimal(rec["rate"]), "f"),
            "scope": rec["scope"],
            "compound": bool(rec.get("compound")),
            "external_components": [
                {"name": c["name"], "rate": format(to_decimal(c["rate"]), "f"), "compound": bool(c.get("compound"))}
                for c in rec.get("components") or []
            ]
            or False,
        }

        def create():
            row = Mapping.search([("backend_id", "=", backend.id), ("external_id", "=", rec["external_id"])])
            row = row or Mapping.create(dict(vals, backend_id=backend.id, external_id=rec["external_id"]))
            row.write(vals)
            if not row.tax_id:
                row._suggest()
            return row

        def update(row):
            row.write(vals)
            if not row.tax_id:
                row._suggest()

        return self._upsert(backend, "tax", rec, create, update)

    def _account(self, backend, external_id, name=None):
        account = self.env["connector.account.mapping"]._resolve(backend, external_id, name)
        if not account:
            raise errors.MappingMissingError(
                f"Account {name or external_id} is not mapped to an Odoo account",
                mapping_model="connector.account.mapping",
                external_id=str(external_id),
            )
        return account

    def _taxes(self, backend, external_ids, use, included=False):
        """The Odoo taxes of a line's tax codes (in application order): price included on a
        tax-inclusive document; before a compound tax, the variant that adds itself to the
        base of the taxes after it, and the compound tax charged on what they added."""
        Tax = self.env["account.tax"]
        Mapping = self.env["connector.tax.mapping"]
        rows = []
        for external_id in external_ids or []:
            Mapping._resolve(backend, external_id)
            row = Mapping.search([("backend_id", "=", backend.id), ("external_id", "=", str(external_id))], limit=1)
            tax = row._tax_for(use) if row else Tax
            if not tax:
                raise errors.MappingMissingError(
                    f"Tax {row.external_name or external_id} is not mapped to an Odoo tax",
                    mapping_model="connector.tax.mapping",
                    external_id=str(external_id),
                )
            rows.append(row)
        compound = [row.compound for row in rows]
        chained = any(compound[1:])
        found, including = [], False
        for i, row in enumerate(rows):
            before = chained and any(compound[i + 1 :])
            affected = (True if compound[i] else (False if including else None)) if chained else None
            found.append(row._tax_for(use, included=included, before_compound=before, base_affected=affected))
            including = including or before
        if chained:
            Tax._connector_check_order(found)
        taxes = Tax
        for tax in found:
            taxes |= tax
        return taxes

    def _check_lock_date(self, backend, date, journal, has_tax):
        violated = backend.company_id._get_violated_lock_dates(fields.Date.to_date(date), has_tax, journal)
        if violated:
            lock_date, lock_type = violated[-1]
            raise errors.ClosedPeriodError(
                f"{date} falls in a closed period ({lock_type} lock date {lock_date}) of {backend.company_id.name}"
            )

    def _journal(self, backend, move_type):
        if move_type.startswith("out_"):
            journal = backend.sale_journal_id
            jtype = "sale"
        elif move_type.startswith("in_"):
            journal = backend.purchase_journal_id
            jtype = "purchase"
        else:
            journal = backend.misc_journal_id
            jtype = "general"
        if not journal:
            journal = self.env["account.journal"].search(
                [("company_id", "=", backend.company_id.id), ("type", "=", jtype)], limit=1
            )
        if not journal:
            raise errors.MappingMissingError(
                f"No {jtype} journal in {backend.company_id.name}",
                mapping_model="account.journal",
                external_id=jtype,
            )
        return journal
