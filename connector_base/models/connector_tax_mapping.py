"""A provider tax code and the Odoo tax it maps to (``tax_id``, ``purchase_tax_id``).

Documents sometimes need the tax computed otherwise, never by changing the mapped tax: a
tax-inclusive document the price-included variant (``tax_included_id``: suggested among
existing taxes of the same rate and type that include the price, made on confirmation when
there is none), a tax followed by a compound one on a line the variant that adds itself to
the base of the taxes after it (``tax_before_compound_id``). A code that combines several
rates with a compound one among them (QuickBooks' GST/PST whose PST is charged on the amount
with GST) maps to a group of taxes that computes in that order, found among existing groups
or made on confirmation from the Odoo taxes of its rates.
"""

from decimal import Decimal

from odoo import Command, api, fields, models

from .connector_mapping_mixin import MIN_SCORE, name_similarity

FOUR_PLACES = Decimal("0.0001")


def _same_rate(tax, rate):
    return Decimal(str(tax.amount)).quantize(FOUR_PLACES) == Decimal(str(rate)).quantize(FOUR_PLACES)


class ConnectorTaxMapping(models.Model):
    _name = "connector.tax.mapping"
    _inherit = "connector.mapping.mixin"
    _description = "Connector Tax Mapping"
    _target_field = "tax_id"
    _suggestion_field = "suggested_tax_id"

    external_rate = fields.Char("Rate (%)", help="The provider's combined rate, as a decimal string.")
    scope = fields.Selection([("sale", "Sales"), ("purchase", "Purchases"), ("both", "Both"), ("none", "None")])
    compound = fields.Boolean(
        help="The provider charges this tax on the line amount including the taxes before it on the line."
    )
    external_components = fields.Json(
        "Components", help="The rates the provider's code combines, in application order: name, rate, compound."
    )
    components_label = fields.Char("Combines", compute="_compute_components_label")
    tax_id = fields.Many2one("account.tax", "Odoo tax", index=True)
    purchase_tax_id = fields.Many2one(
        "account.tax", "Odoo purchase tax", help="When the provider code serves both sales and purchases."
    )
    suggested_tax_id = fields.Many2one("account.tax", "Suggestion")
    tax_included_id = fields.Many2one(
        "account.tax",
        "Odoo tax, prices including tax",
        index="btree_not_null",
        help="The Odoo tax of tax-inclusive documents: the mapped tax included in the price. Confirming "
        "the mapping takes the suggestion or makes one from the mapped tax.",
    )
    suggested_tax_included_id = fields.Many2one("account.tax", "Suggestion, prices including tax")
    tax_before_compound_id = fields.Many2one(
        "account.tax",
        "Odoo tax before a compound tax",
        index="btree_not_null",
        help="The mapped tax adding itself to the base of the taxes after it, for the lines where a "
        "compound tax follows it. Made from the mapped tax when first needed.",
    )

    @api.depends("external_components")
    def _compute_components_label(self):
        for row in self:
            parts = []
            for component in row.external_components or []:
                text = f"{component['name']} {Decimal(str(component['rate'])).normalize():f}%"
                parts.append(f"{text} on the amount with the taxes before it" if component.get("compound") else text)
            row.components_label = " + ".join(parts) or False

    def write(self, vals):
        changed = self.filtered(lambda r: "tax_id" in vals and r.tax_id.id != vals["tax_id"])
        res = super().write(vals)
        if changed:  # the variants were made from the tax mapped before
            kept = {field: False for field in ("tax_included_id", "tax_before_compound_id") if field not in vals}
            if kept:
                super(ConnectorTaxMapping, changed).write(kept)
            changed._suggest_included()
        return res

    # ------------------------------------------------------------------ what documents use
    def _tax_for(self, use, included=False, before_compound=False, base_affected=None):
        """The Odoo tax of a sale or purchase line: the mapped tax, or its variant that is
        price included (``included``), adds itself to the base of the taxes after it
        (``before_compound``) or is (not) charged on what those before it added
        (``base_affected``). A variant of the mapped sale tax is kept on the row."""
        self.ensure_one()
        base = self.purchase_tax_id if use == "purchase" and self.purchase_tax_id else self.tax_id
        if not base:
            return base
        tax = base
        if included and not tax._connector_price_included():
            tax = self._kept_variant("tax_included_id", base, price_include=True)
        if before_compound and not tax.include_base_amount:
            tax = self._kept_variant("tax_before_compound_id", tax, include_base_amount=True)
        if base_affected is not None and tax.is_base_affected != base_affected:
            tax = tax._connector_variant(is_base_affected=base_affected)
        return tax

    def _kept_variant(self, field, tax, **flags):
        if tax != self.tax_id:
            return tax._connector_variant(**flags)
        if not self[field]:
            self.sudo()[field] = tax._connector_variant(**flags)
        return self[field]

    # ------------------------------------------------------------------ suggestions
    def _suggest(self):
        """The Odoo tax of the same rate and use, the nearest name among those; none when the
        provider's rate is unknown or no tax fits well enough (MIN_SCORE): a 10% code is
        never offered a 15% tax, whatever their names."""
        Tax = self.env["account.tax"]
        for row in self:
            if row.external_components and len(row.external_components) > 1:
                group = row._find_group()
                if group:
                    row.write({"suggested_tax_id": group.id, "score": 1.0})
                    continue
                if any(c.get("compound") for c in row.external_components):
                    row.write({"suggested_tax_id": False, "score": 0.0})  # made on confirmation
                    continue
            candidates = Tax.search(
                [
                    ("company_id", "=", row.backend_id.company_id.id),
                    ("amount_type", "=", "percent"),
                    ("connector_variant_of_id", "=", False),
                ]
            )
            candidates = candidates.filtered(lambda t: not t.price_include) or candidates
            best, score = None, 0.0
            if row.external_rate not in (None, False, "") and candidates:
                rate = Decimal(row.external_rate).quantize(FOUR_PLACES)
                fits = [(row._fit(tax, rate), tax) for tax in candidates]
                fit, tax = max(fits, key=lambda pair: (pair[0], -pair[1].sequence, -pair[1].id))
                score = 0.5 * fit[0] + 0.2 * fit[1] + 0.3 * fit[2]
                if fit[0] and score >= MIN_SCORE:
                    best = tax
            row.write({"suggested_tax_id": best.id if best else False, "score": score if best else 0.0})
        self._suggest_included()

    def _fit(self, tax, rate):
        """(same rate, same use, name similarity) of an Odoo tax: compared in this order."""
        same_rate = Decimal(str(tax.amount)).quantize(FOUR_PLACES) == rate
        same_use = self.scope in (False, "both", "none") or tax.type_tax_use == self.scope
        return (int(same_rate), int(same_use), name_similarity(self.external_name, tax.name))

    def _suggest_included(self):
        """Suggest an existing price-included tax like the mapped (or suggested) one: the
        same rate and type, or the group of such taxes."""
        Tax = self.env["account.tax"]
        for row in self:
            base = row.tax_id or row.suggested_tax_id
            found = Tax
            if base and base.amount_type != "group" and not base.price_include:
                candidates = Tax.search(
                    [
                        ("company_id", "=", base.company_id.id),
                        ("type_tax_use", "=", base.type_tax_use),
                        ("amount_type", "=", base.amount_type),
                        ("price_include", "=", True),
                    ]
                ).filtered(
                    lambda t, b=base: _same_rate(t, b.amount)
                    and t.include_base_amount == b.include_base_amount
                    and t._connector_original() in (t, b)
                )
                made = candidates.filtered(lambda t, b=base: t.connector_variant_of_id == b)
                found = made[:1] or self._best(candidates, base.name, threshold=0.0)[0] or Tax
            elif base and base.amount_type == "group" and not base._connector_price_included():
                found = Tax.search([("connector_variant_of_id", "=", base.id)]).filtered(
                    lambda t: t._connector_price_included()
                )[:1]
            row.suggested_tax_included_id = found

    def _component_taxes(self, use):
        """The Odoo tax of each component rate (same rate and type, price excluded), or None."""
        Tax = self.env["account.tax"]
        found = []
        for component in self.external_components or []:
            candidates = Tax.search(
                [
                    ("company_id", "=", self.backend_id.company_id.id),
                    ("amount_type", "=", "percent"),
                    ("type_tax_use", "in", (use, "none")),
                    ("connector_variant_of_id", "=", False),
                ]
            ).filtered(lambda t, c=component: _same_rate(t, c["rate"]) and not t.price_include)
            best = self._best(candidates, component["name"], threshold=0.0)[0] or candidates[:1]
            if not best:
                return None
            found.append((best, bool(component.get("compound"))))
        return found

    def _group_use(self):
        return "purchase" if self.scope == "purchase" else "sale"

    def _find_group(self):
        """An existing group of taxes that computes as the code's components do."""
        components = self.external_components or []
        groups = self.env["account.tax"].search(
            [
                ("company_id", "=", self.backend_id.company_id.id),
                ("amount_type", "=", "group"),
                ("type_tax_use", "=", self._group_use()),
            ]
        )
        for group in groups:
            children = group.children_tax_ids.sorted(lambda t: (t.sequence, t.id))
            if len(children) != len(components) or group._connector_price_included():
                continue
            ok = all(_same_rate(tax, c["rate"]) for tax, c in zip(children, components, strict=True))
            for i, (tax, component) in enumerate(zip(children, components, strict=True)):
                before = any(later.get("compound") for later in components[i + 1 :])
                ok = ok and tax.include_base_amount == before
                ok = ok and (not component.get("compound") or tax.is_base_affected)
            if ok:
                return group
        return None

    def _make_group(self):
        """A group of taxes computing as the code's components do, from the Odoo taxes of their
        rates (None when one of them has none)."""
        use = self._group_use()
        specs = self._component_taxes(use)
        if not specs:
            return None
        children = self.env["account.tax"]._connector_in_sequence(specs)
        name = f"{self.external_name} ({self.components_label})"
        Tax = self.env["account.tax"].sudo()
        if Tax.search_count([("name", "=", name), ("company_id", "=", self.backend_id.company_id.id)]):
            name = f"{name} [{self.external_id}]"
        return Tax.create(
            {
                "name": name,
                "amount_type": "group",
                "type_tax_use": use,
                "company_id": self.backend_id.company_id.id,
                "children_tax_ids": [Command.set([tax.id for tax in children])],
                "description": f"The {self.backend_id.name} tax code {self.external_name}",
            }
        )

    def action_confirm(self):
        """Confirm the selected rows; a code of several rates with a compound one gets its group
        of taxes, and every confirmed tax its price-included variant, made when none exists."""
        for row in self.filtered(
            lambda r: not r.tax_id and not r.suggested_tax_id and len(r.external_components or []) > 1
        ):
            group = row._find_group() or row._make_group()
            if group:
                row.suggested_tax_id = group
        res = super().action_confirm()
        for row in self.filtered(lambda r: r.confirmed and r.tax_id and not r.tax_included_id):
            row._suggest_included()
            row.tax_included_id = row.suggested_tax_included_id or row.tax_id._connector_variant(price_include=True)
        return res
