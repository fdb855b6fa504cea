from odoo import models
from odoo.exceptions import UserError


class MergePartnerAutomatic(models.TransientModel):
    """Odoo's merge of partners, with the connector's bindings following the partner kept.

    Odoo moves the many2one and reference fields that point to a merged-away partner, but not
    a Many2oneReference such as ``connector.binding.res_id``: without this, the bindings of the
    merged-away partner would point to a deleted record, and its remote records be imported
    again as new partners."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        partners = self.env["res.partner"].browse(partner_ids).exists()
        if len(partners) < 2:
            return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        kept = dst_partner if dst_partner and dst_partner in partners else self._get_ordered_partner(partners.ids)[-1]
        Binding = self.env["connector.binding"].sudo()
        bindings = Binding.search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        self._check_bindings_can_merge(bindings)
        result = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        moved = bindings.filtered(lambda binding: binding.res_id != kept.id)
        if moved:
            moved.write({"res_id": kept.id})
        # the review rows that offered this merge are done
        self.env["connector.partner.match"].sudo().search(
            [("merge_partner_id", "=", kept.id), ("partner_id", "=", kept.id)]
        ).write({"merge_partner_id": False, "confirmed": True})
        return result

    def _check_bindings_can_merge(self, bindings):
        """One partner stands for one remote record of each role per connection: two partners
        bound to two records of the same role (or to contacts carrying every role) cannot be
        merged before those two records are merged at the provider."""
        seen = {}
        for binding in bindings:
            key = (binding.backend_id, binding.external_type)
            for other in seen.get(key, []):
                same_role = other.role == binding.role or "all" in (other.role, binding.role)
                if other.res_id != binding.res_id and same_role:
                    raise UserError(
                        self.env._(
                            "These contacts stand for two records of %(connection)s, %(first)s and %(second)s: "
                            "a contact stands for one record of each role. Merge the two records in the provider "
                            "first (the merged-away one is then unlinked), then merge the contacts.",
                            connection=binding.backend_id.display_name,
                            first=other.external_id,
                            second=binding.external_id,
                        )
                    )
            seen.setdefault(key, []).append(binding)
