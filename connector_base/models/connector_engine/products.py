"""Products (the ``product`` kind): their values, with income and expense accounts and taxes
through the mappings, one at a time or a page of new ones together."""

from odoo import fields, models

from ...lib.money import to_decimal


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    def _import_product(self, backend, rec):
        vals = self._prepare_new_product(backend, rec)
        company = backend.company_id
        return self._upsert(
            backend,
            "product",
            rec,
            lambda: self._create_new_product(backend, [vals], [rec]),
            lambda product: self._quiet(product).with_company(company).write(vals),
        )

    def _create_new_product(self, backend, vals_list, records):
        return self._quiet(self.env["product.product"]).with_company(backend.company_id).create(vals_list)

    def _prepare_new_product(self, backend, rec):
        """The product's values (the same for a new product and an update)."""
        vals = {
            "name": rec["name"],
            "default_code": rec.get("sku") or False,
            "type": "service" if rec["type"] == "service" else "consu",
            "description_sale": rec.get("description") or False,
            "description_purchase": rec.get("purchase_description") or False,
            "active": rec.get("active", True),
        }
        if rec.get("sale_price") is not None:
            vals["list_price"] = float(to_decimal(rec["sale_price"]))
        if rec.get("cost") is not None:
            vals["standard_price"] = float(to_decimal(rec["cost"]))
        if rec.get("income_account"):
            vals["property_account_income_id"] = self._account(backend, rec["income_account"]).id
        if rec.get("expense_account"):
            vals["property_account_expense_id"] = self._account(backend, rec["expense_account"]).id
        if "sale_taxes" in rec:
            vals["taxes_id"] = [fields.Command.set(self._taxes(backend, rec["sale_taxes"], "sale").ids)]
        if "purchase_taxes" in rec:
            vals["supplier_taxes_id"] = [
                fields.Command.set(self._taxes(backend, rec["purchase_taxes"], "purchase").ids)
            ]
        return vals
