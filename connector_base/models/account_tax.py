"""Variants of a tax that compute otherwise, made by the connectors: a tax the accountant
mapped is never changed in place.

- price included, for tax-inclusive documents;
- adding itself to the base of the taxes after it (``include_base_amount``), before a
  compound tax; the compound tax is ``is_base_affected``, the others on the line are not.

A variant keeps the rate, type, tax group and distribution of its original (it is a copy)
and names it (``connector_variant_of_id``), so that an export finds the provider's code of
the original. A group of taxes varies through its children. Odoo applies a line's taxes by
(sequence, id): ``_connector_check_order`` makes the order the provider's where it matters.
"""

from odoo import Command, api, fields, models

from ..lib import errors

FLAGS = ("price_include", "include_base_amount", "is_base_affected")
LABELS = {
    ("price_include", True): "price included",
    ("price_include", False): "price excluded",
    ("include_base_amount", True): "before compound taxes",
    ("include_base_amount", False): "not in the base of other taxes",
    ("is_base_affected", True): "on the amount with the taxes before it",
    ("is_base_affected", False): "on the amount without tax",
}


class AccountTax(models.Model):
    _inherit = "account.tax"

    connector_variant_of_id = fields.Many2one(
        "account.tax",
        "Connector variant of",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        readonly=True,
        help="A connector made this tax from that one, to compute as a provider's document needs "
        "(price included, or before a compound tax). Exports use the original's tax code.",
    )

    def _connector_flags(self):
        self.ensure_one()
        return {flag: bool(self[flag]) for flag in FLAGS}

    def _connector_original(self):
        """The tax a connector variant was made from (the tax itself otherwise)."""
        self.ensure_one()
        return self.connector_variant_of_id or self

    def _connector_price_included(self):
        """True when every tax this one applies is included in the price."""
        flat = self.flatten_taxes_hierarchy()
        return bool(flat) and all(flat.mapped("price_include"))

    def _connector_variant(self, price_include=None, include_base_amount=None, is_base_affected=None):
        """This tax computing as asked (None: as it does), found or made.

        Found among the taxes made from the same original, made otherwise: a copy with the
        flags changed and a name that says how it differs."""
        self.ensure_one()
        asked = {"price_include": price_include, "include_base_amount": include_base_amount}
        asked["is_base_affected"] = is_base_affected
        if self.amount_type == "group":
            return self._connector_group_variant(price_include)
        wanted = dict(self._connector_flags(), **{k: v for k, v in asked.items() if v is not None})
        if wanted == self._connector_flags():
            return self
        original = self._connector_original()
        if wanted == original._connector_flags():
            return original
        names = [LABELS[(flag, value)] for flag, value in wanted.items() if original._connector_flags()[flag] != value]
        name = f"{original.name} ({', '.join(names)})"
        found = self.with_context(active_test=False).search(
            [
                ("company_id", "=", original.company_id.id),
                ("type_tax_use", "=", original.type_tax_use),
                "|",
                ("connector_variant_of_id", "=", original.id),
                ("name", "=", name),
            ]
        )
        found = found.filtered(
            lambda t: t.active and t.amount == original.amount and t._connector_flags() == wanted
        ).sorted(lambda t: (t.connector_variant_of_id != original, t.id))
        if found:
            return found[0]
        vals = {
            "name": name,
            "connector_variant_of_id": original.id,
            "price_include_override": "tax_included" if wanted["price_include"] else "tax_excluded",
            "include_base_amount": wanted["include_base_amount"],
            "is_base_affected": wanted["is_base_affected"],
        }
        if wanted["include_base_amount"] and not original.include_base_amount:
            vals["sequence"] = original.sequence - 1  # before the taxes it adds itself to
        return original.sudo().copy(vals).sudo(self.env.su)

    def _connector_group_variant(self, price_include):
        """A group computing with its children price included (or not)."""
        if price_include is None:
            return self
        children = self.children_tax_ids.sorted(lambda t: (t.sequence, t.id))
        wanted = self.browse([child._connector_variant(price_include=price_include).id for child in children])
        if wanted == children:
            return self
        original = self._connector_original()
        if set(wanted.ids) == set(original.children_tax_ids.ids):
            return original
        for group in self.search([("connector_variant_of_id", "=", original.id)]):
            if set(group.children_tax_ids.ids) == set(wanted.ids):
                return group
        label = LABELS[("price_include", bool(price_include))]
        return (
            original.sudo()
            .copy(
                {
                    "name": f"{original.name} ({label})",
                    "connector_variant_of_id": original.id,
                    "price_include_override": "tax_included" if price_include else "tax_excluded",
                    "children_tax_ids": [Command.set(wanted.ids)],
                }
            )
            .sudo(self.env.su)
        )

    @api.model
    def _connector_in_sequence(self, specs):
        """The taxes of ``specs`` [(tax, compound)], in application order, made to compute
        one after the other: each tax before a compound one adds itself to the base of the
        taxes after it, a compound tax takes what the taxes before it added, the others do
        not. Without a compound tax after the first, the taxes are left as they are."""
        if not any(compound for _tax, compound in specs[1:]):
            return [tax for tax, _compound in specs]
        taxes, including = [], False
        for i, (tax, compound) in enumerate(specs):
            before = any(later for _tax, later in specs[i + 1 :])
            affected = True if compound else (False if including else None)
            taxes.append(tax._connector_variant(include_base_amount=before, is_base_affected=affected))
            including = including or before
        self._connector_check_order(taxes)
        return taxes

    @api.model
    def _connector_check_order(self, taxes):
        """Odoo applies taxes by (sequence, id); where a tax adds itself to the base of
        another, the order must be the provider's. A connector variant is moved where it
        must be; a tax of the accountant's is not, and a wrong order is said."""

        def key(tax):
            return (tax.sequence, tax.id)

        for _attempt in range(len(taxes) + 1):
            wrong = [
                (i, j)
                for i, first in enumerate(taxes)
                for j, other in enumerate(taxes)
                if i != j
                and first.include_base_amount
                and other.is_base_affected
                and (key(first) < key(other)) != (i < j)
            ]
            if not wrong:
                return taxes
            i, j = wrong[0]
            first, other = taxes[i], taxes[j]
            if first.connector_variant_of_id:
                first.sudo().sequence = other.sequence - 1 if i < j else other.sequence + 1
            elif other.connector_variant_of_id:
                other.sudo().sequence = first.sequence + 1 if i < j else first.sequence - 1
            else:
                break
        i, j = wrong[0]
        raise errors.MappingMissingError(
            f"Odoo applies taxes by their sequence: {taxes[i].name} must come "
            f"{'before' if i < j else 'after'} {taxes[j].name} for the tax to be computed as the provider does; "
            f"change the sequence of one of them",
            mapping_model="account.tax",
            external_id=str(taxes[i].id),
        )
