from odoo import api, fields, models, tools
from odoo.tools import SQL

from .connector_mapping_mixin import normal_forms, similar_names


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
    rejected_vat = fields.Char(
        "Refused tax id",
        help="The tax id the provider holds for this contact, refused by its format's check: it is not written on "
        "the partner. Correct it at the provider, or with the contact.",
    )
    rejected_vat_reason = fields.Char("Why it was refused")
    partner_id = fields.Many2one("res.partner", "Odoo partner", index=True)
    suggested_partner_id = fields.Many2one("res.partner", "Suggestion")
    candidate_count = fields.Integer("Candidates", help="Odoo partners scoring at least 0.85.")
    match_basis = fields.Selection([("email", "E-mail"), ("vat", "Tax id"), ("name", "Name")], "Matched on")
    merge_partner_id = fields.Many2one(
        "res.partner",
        "Same company as",
        help="Another Odoo partner, bound to this connection's record of the other role (the customer of a "
        "vendor), has this contact's e-mail or tax id: the two are likely one company. Merge them, or keep them "
        "apart; nothing is merged without you.",
    )
    keep_apart = fields.Boolean(help="A person decided that the two partners are different companies.")
    merge_offered = fields.Boolean(compute="_compute_merge_offered")

    #: when at most this many partners are left that a contact could be (not bound to another
    #: contact of the connection), its name is compared with each of them; beyond, only with
    #: the nearest names by trigrams (a first import into a new database is the first case)
    COMPARE_ALL = 1000

    @api.depends("partner_id", "merge_partner_id", "keep_apart")
    def _compute_merge_offered(self):
        for row in self:
            two = row.partner_id and row.merge_partner_id and row.partner_id != row.merge_partner_id
            row.merge_offered = bool(two and not row.keep_apart)

    @api.model
    def _candidates(self, backend, name, email=None, vat=None):
        """[(partner, score, basis)] best first."""
        return self._candidates_many(backend, [(None, name, email, vat)])[None]

    @api.model
    def _candidates_many(self, backend, contacts):
        """{key: [(partner, score, basis)] best first} for contacts given as (key, name,
        e-mail, VAT): an exact e-mail or VAT number, else names at 0.85 or more. A page of
        contacts costs a few queries, not a few per contact."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        base = self._partner_domain(backend)
        exact = {key: [] for key, _name, _email, _vat in contacts}

        def add(key, partners, basis):
            for partner in partners[:5]:
                if all(partner != p for p, _s, _b in exact[key]):
                    exact[key].append((partner, 1.0, basis))

        # the normalized address is indexed (see res_partner.init); =ilike on email would scan
        normalized = {key: tools.email_normalize(mail.strip(), strict=False) for key, _n, mail, _v in contacts if mail}
        by_email = self._group(Partner, base, "email_normalized", {value for value in normalized.values() if value})
        vats = {key: vat.strip() for key, _n, _e, vat in contacts if vat}
        by_vat = self._group(Partner, base, "vat", set(vats.values()))
        for key, _name, email, _vat in contacts:
            if key in normalized:
                if normalized[key]:
                    add(key, by_email.get(normalized[key], Partner), "email")
                else:
                    add(key, Partner.search(base + [("email", "=ilike", email.strip())], limit=5), "email")
            if key in vats:
                add(key, by_vat.get(vats[key], Partner), "vat")
        by_name = {key: name for key, name, _e, _v in contacts if not exact[key]}
        near = self._names_to_compare(backend, by_name) if by_name else {}
        forms = {}  # normalised once per list of names (while few partners are left, one for the page)
        out = dict(exact)
        for key, name in by_name.items():
            if id(near[key]) not in forms:
                forms[id(near[key])] = normal_forms(near[key])
            scored = similar_names(name, forms[id(near[key])])
            good = Partner.browse([partner_id for partner_id, _score in scored])  # one prefetch for them
            out[key] = [(partner, score, "name") for partner, (_id, score) in zip(good, scored, strict=True)]
        return out

    def _names_to_compare(self, backend, names):
        """{key: {partner id: its name}}: the partners each of ``names`` ({key: name}) is
        compared with. All those not bound to a contact of ``backend`` when they are few; else
        the nearest by trigrams; else (no trigram index) the first 200 sharing the first word."""
        left = dict(self._unbound_names(backend, self.COMPARE_ALL + 1))
        if len(left) <= self.COMPARE_ALL:
            return dict.fromkeys(names, left)
        found = self._similar_names(backend.company_id, names)
        if found is not None:
            return found
        Partner = self.env["res.partner"].with_context(active_test=False)
        found = {}
        for key, name in names.items():
            words = [w for w in (name or "").split() if len(w) > 2][:1]
            domain = self._partner_domain(backend) + ([("name", "ilike", words[0])] if words else [])
            found[key] = {p.id: p.name for p in Partner.search_fetch(domain, ["name"], limit=200)}
        return found

    @staticmethod
    def _partner_domain(backend):
        """The partners a contact of ``backend`` can be: of its company or none, without a parent."""
        return [("company_id", "in", [False, backend.company_id.id]), ("parent_id", "=", False)]

    def _unbound_names(self, backend, limit):
        """[(partner id, name)] of at most ``limit`` partners (without a parent, of the
        connection's company or none) not bound to a contact of ``backend``."""
        self.env["res.partner"].flush_model(["name", "parent_id", "company_id"])
        self.env["connector.binding"].flush_model(["backend_id", "external_type", "res_model", "res_id"])
        self.env.cr.execute(
            """SELECT p.id, p.name FROM res_partner p
                WHERE p.parent_id IS NULL AND (p.company_id IS NULL OR p.company_id = %s)
                  AND NOT EXISTS (SELECT 1 FROM connector_binding b
                                   WHERE b.backend_id = %s AND b.external_type = 'party'
                                     AND b.res_model = 'res.partner' AND b.res_id = p.id)
                LIMIT %s""",
            [backend.company_id.id, backend.id, limit],
        )
        return self.env.cr.fetchall()

    @api.model
    def _group(self, Partner, base, field, values):
        """{value: the partners (without a parent, of the company or none) whose ``field`` is it}."""
        groups = {}
        if values:
            for partner in Partner.search_fetch(base + [(field, "in", list(values))], [field]):
                groups.setdefault(partner[field], Partner)
                groups[partner[field]] |= partner
        return groups

    def _similar_names(self, company, names, limit=50):
        """{key: {partner id: its name}} for each of ``names`` ({key: name}): the partners whose
        names share most trigrams with it (pg_trgm's ``%`` and ``<->``, nearest first, through
        the GiST index res_partner.init makes), in one query; None when the index is not there.

        Each index walk stops after ``limit`` names, however many partners look alike or share
        a first word: an import of N contacts stays O(N log N)."""
        if not self._trigram_index():
            return None
        found = {key: {} for key in names}
        asked = [(key, name) for key, name in names.items() if name]
        if not asked:
            return found
        self.env["res.partner"].flush_model(["name", "parent_id", "company_id"])
        # the nearest names by the index alone, then the filters: with the other conditions
        # inside, stale statistics (a bulk import) can turn the plan into a sort of them all
        self.env.cr.execute(
            """SELECT asked.n, near.id, near.name
                 FROM unnest(%s::text[]) WITH ORDINALITY AS asked(name, n)
                 CROSS JOIN LATERAL (SELECT id, name, parent_id, company_id FROM res_partner
                                      WHERE name %% asked.name ORDER BY name <-> asked.name LIMIT %s) AS near
                WHERE near.parent_id IS NULL AND (near.company_id IS NULL OR near.company_id = %s)""",
            [[name for _key, name in asked], 2 * limit, company.id],
        )
        for n, partner_id, name in self.env.cr.fetchall():
            found[asked[n - 1][0]][partner_id] = name
        return found

    @tools.ormcache()
    def _trigram_index(self):
        """Whether res_partner has the trigram index on names (see res_partner.init); asked
        once per registry, so again after a module update."""
        self.env.cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'res_partner_connector_name_gist_idx'")
        return bool(self.env.cr.fetchone())

    @api.model
    def _keep_review(self, backend, vals):
        """The row of a contact held for a person (``vals`` from ``PartnerAmbiguousError.review``),
        created or refreshed, with its suggestion; a partner a person chose stays."""
        row = self.search([("backend_id", "=", backend.id), ("external_id", "=", vals["external_id"])], limit=1)
        if row:
            row.write({key: value for key, value in vals.items() if key != "external_id"})
        else:
            row = self.create(dict(vals, backend_id=backend.id))
        row._suggest()
        return row

    def _suggest(self):
        for row in self:
            candidates = self._candidates(row.backend_id, row.external_name, row.email, row.vat)
            best = candidates[0] if candidates else None
            row.write(
                {
                    "suggested_partner_id": best[0].id if best else False,
                    "score": best[1] if best else 0.0,
                    "match_basis": best[2] if best else False,
                    "candidate_count": len(candidates),
                }
            )

    # ------------------------------------------------------------------ two partners, one company
    @api.model
    def _offer_merges(self, backend):
        """Offer in review the merge of two partners that look like one company: one bound to
        a vendor of ``backend``, the other to a customer of it, with the same e-mail or tax id
        (pairs made before the two roles were linked, or by a person). A contact seen for the
        first time is linked on its own; a pair already apart is never merged without a person.
        Return the rows that offer a merge."""
        self.env["res.partner"].flush_model(["email_normalized", "vat", "active"])
        self.env["connector.binding"].flush_model(["backend_id", "external_type", "res_model", "res_id", "role"])
        found = {}
        for column in ("email_normalized", "vat"):
            self.env.cr.execute(
                SQL(
                    """SELECT v.external_id, v.res_id, MIN(c.res_id)
                         FROM connector_binding v
                         JOIN res_partner pv ON pv.id = v.res_id
                         JOIN res_partner pc ON pc.%(column)s = pv.%(column)s AND pc.id != pv.id
                         JOIN connector_binding c ON c.res_id = pc.id AND c.res_model = 'res.partner'
                                                 AND c.backend_id = v.backend_id AND c.external_type = 'party'
                                                 AND c.role = 'customer'
                        WHERE v.backend_id = %(backend)s AND v.external_type = 'party'
                          AND v.res_model = 'res.partner' AND v.role = 'vendor'
                          AND pv.%(column)s IS NOT NULL AND pv.%(column)s != '' AND pv.active AND pc.active
                          AND NOT EXISTS (SELECT 1 FROM connector_binding o
                                           WHERE o.backend_id = v.backend_id AND o.external_type = 'party'
                                             AND o.res_model = 'res.partner'
                                             AND ((o.res_id = v.res_id AND o.role != 'vendor')
                                                  OR (o.res_id = pc.id AND o.role != 'customer')))
                        GROUP BY v.external_id, v.res_id""",
                    column=SQL.identifier(column),
                    backend=backend.id,
                )
            )
            for external_id, bound_id, other_id in self.env.cr.fetchall():
                found.setdefault(external_id, (bound_id, other_id, "email" if column == "email_normalized" else "vat"))
        if not found:
            return self
        rows = self.sudo().search([("backend_id", "=", backend.id), ("external_id", "in", list(found))])
        rows = {row.external_id: row for row in rows}
        offered = self
        for external_id, (bound_id, other_id, basis) in found.items():
            row = rows.get(external_id)
            if row and (row.keep_apart or (row.partner_id.id, row.merge_partner_id.id) == (bound_id, other_id)):
                offered |= row if row.merge_offered else self
                continue
            bound = self.env["res.partner"].browse(bound_id)
            vals = {
                "external_name": bound.name,
                "email": bound.email or False,
                "vat": bound.vat or False,
                "partner_id": bound_id,
                "suggested_partner_id": other_id,
                "merge_partner_id": other_id,
                "match_basis": basis,
                "score": 1.0,
                "confirmed": False,
            }
            if row:
                row.write(vals)
            else:
                row = self.sudo().create(dict(vals, backend_id=backend.id, external_id=external_id))
            offered |= row
        return offered

    def action_merge(self):
        """Odoo's own merge of partners, on this row's two partners; the one bound to the
        customer is kept (the wizard lets a person choose otherwise)."""
        self.ensure_one()
        partners = self.partner_id | self.merge_partner_id
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"dst_partner_id": self.merge_partner_id.id})
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Merge"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_keep_apart(self):
        """The two partners are different companies: the merge is no longer offered."""
        self.write({"keep_apart": True, "confirmed": True})
        return True
