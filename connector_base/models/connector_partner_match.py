from odoo import api, fields, models, tools

from .connector_mapping_mixin import name_similarity


class ConnectorPartnerMatch(models.Model):
    """Candidate pairs between a provider contact and Odoo partners, for review.

    Scores: 1.0 on an exact e-mail or VAT number; else Jaro-Winkler on normalised names."""

    _name = "connector.partner.match"
    _inherit = "connector.mapping.mixin"
    _description = "Connector Partner Match"
    _target_field = "partner_id"
    _suggestion_field = "suggested_partner_id"

    email = fields.Char()
    vat = fields.Char("Tax id")
    partner_id = fields.Many2one("res.partner", "Odoo partner", index=True)
    suggested_partner_id = fields.Many2one("res.partner", "Suggestion")
    candidate_count = fields.Integer(help="Odoo partners scoring at least 0.85.")
    match_basis = fields.Selection([("email", "E-mail"), ("vat", "Tax id"), ("name", "Name")])

    @api.model
    def _candidates(self, company, name, email=None, vat=None):
        """[(partner, score, basis)] best first."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        base = [("company_id", "in", [False, company.id]), ("parent_id", "=", False)]
        exact = []
        if email:
            # the normalized address is indexed (see res_partner.init); =ilike on email would scan
            normalized = tools.email_normalize(email.strip(), strict=False)
            term = ("email_normalized", "=", normalized) if normalized else ("email", "=ilike", email.strip())
            for p in Partner.search(base + [term], limit=5):
                exact.append((p, 1.0, "email"))
        if vat:
            for p in Partner.search(base + [("vat", "=", vat.strip())], limit=5):
                exact.append((p, 1.0, "vat"))
        if exact:
            seen, out = set(), []
            for p, s, b in exact:
                if p.id not in seen:
                    seen.add(p.id)
                    out.append((p, s, b))
            return out
        found = self._similar_names(company, name)
        if found is None:  # no trigram index: the partners sharing the first word
            words = [w for w in (name or "").split() if len(w) > 2][:1]
            domain = base + ([("name", "ilike", words[0])] if words else [])
            found = Partner.search_fetch(domain, ["name"], limit=200)  # the names only, not whole partners
        scored = [(p, name_similarity(name, p.name), "name") for p in found]
        return sorted([c for c in scored if c[1] >= 0.85], key=lambda c: -c[1])

    def _similar_names(self, company, name, limit=50):
        """The partners whose names share most trigrams with ``name`` (pg_trgm's ``%`` and
        ``<->``, nearest first, through the GiST index res_partner.init makes); None when the
        index is not there.

        The index walk stops after ``limit`` names, however many partners look alike or share
        a first word: an import of N contacts stays O(N log N)."""
        if not name:
            return self.env["res.partner"]
        if not self._trigram_index():
            return None
        Partner = self.env["res.partner"].with_context(active_test=False)
        Partner.flush_model(["name", "parent_id", "company_id"])
        # the nearest names by the index alone, then the filters: with the other conditions
        # inside, stale statistics (a bulk import) can turn the plan into a sort of them all
        self.env.cr.execute(
            """SELECT id FROM (SELECT id, parent_id, company_id FROM res_partner
                                WHERE name %% %s ORDER BY name <-> %s LIMIT %s) AS near
                WHERE parent_id IS NULL AND (company_id IS NULL OR company_id = %s)""",
            [name, name, 2 * limit, company.id],
        )
        return Partner.browse([row[0] for row in self.env.cr.fetchall()])

    @tools.ormcache()
    def _trigram_index(self):
        """Whether res_partner has the trigram index on names (see res_partner.init); asked
        once per registry, so again after a module update."""
        self.env.cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'res_partner_connector_name_gist_idx'")
        return bool(self.env.cr.fetchone())

    def _suggest(self):
        for row in self:
            candidates = self._candidates(row.backend_id.company_id, row.external_name, row.email, row.vat)
            best = candidates[0] if candidates else None
            row.write(
                {
                    "suggested_partner_id": best[0].id if best else False,
                    "score": best[1] if best else 0.0,
                    "match_basis": best[2] if best else False,
                    "candidate_count": len(candidates),
                }
            )
