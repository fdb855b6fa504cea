"""Contacts (the ``party`` kind): partner values, matching a contact seen for the first time to
an existing Odoo partner (for a page of contacts at once, or one), customer and vendor ranks,
and the page path of new contacts."""

from odoo import models

from ...lib import errors


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    def _party_vals(self, backend, rec):
        addr = rec.get("address") or {}
        vals = {
            "name": rec["name"],
            "is_company": rec.get("is_company", True),
            "email": rec.get("email") or False,
            "phone": rec.get("phone") or False,
            "mobile": rec.get("mobile") or False,
            "website": rec.get("website") or False,
            "vat": rec.get("vat") or False,
            "comment": rec.get("notes") or False,
            "street": addr.get("street") or False,
            "street2": addr.get("street2") or False,
            "city": addr.get("city") or False,
            "zip": addr.get("zip") or False,
            "active": rec.get("active", True),
        }
        country = False
        if addr.get("country_code"):
            country = self.env["res.country"].search([("code", "=", addr["country_code"])], limit=1)
        vals["country_id"] = country.id if country else False
        if addr.get("state_code"):
            domain = [("code", "=", addr["state_code"])] + ([("country_id", "=", country.id)] if country else [])
            state = self.env["res.country.state"].search(domain, limit=1)
            vals["state_id"] = state.id if state else False
            if state and not country:
                vals["country_id"] = state.country_id.id
        if rec.get("payment_term"):
            term = self.env["connector.payment.term.mapping"]._resolve(backend, rec["payment_term"])
            if term:
                key = "property_payment_term_id" if "customer" in rec["roles"] else "property_supplier_payment_term_id"
                vals[key] = term.id
        return vals

    def _import_party(self, backend, rec):
        Partner = self._quiet(self.env["res.partner"])
        vals = self._party_vals(backend, rec)
        roles = rec["roles"]

        def create():
            partner = self._match_partner(backend, rec)
            if partner:
                self._quiet(partner).write({k: v for k, v in vals.items() if v or k == "active"})
            else:
                partner = Partner.create(dict(vals, company_id=backend.company_id.id))
            self._set_ranks(partner, roles)
            return partner

        def update(partner):
            self._quiet(partner).write(vals)
            self._set_ranks(partner, roles)

        return self._upsert(backend, "party", rec, create, update)

    def _page_hints_party(self, backend, records):
        """What matching contacts to Odoo partners needs, for a page of them at once:
        {external id: (candidates not bound to another contact, the review row if any)}."""
        Match = self.env["connector.partner.match"].sudo()
        keys = [str(rec["external_id"]) for rec in records]
        found = Match._candidates_many(
            backend,
            [(key, rec["name"], rec.get("email"), rec.get("vat")) for key, rec in zip(keys, records, strict=True)],
        )
        # a partner already bound to another record of this provider is that record, not a match
        ids = {candidate[0].id for candidates in found.values() for candidate in candidates}
        bound = set()
        if ids:
            bound = set(
                self.env["connector.binding"]
                .sudo()
                .search_fetch(
                    [
                        ("backend_id", "=", backend.id),
                        ("external_type", "=", "party"),
                        ("res_model", "=", "res.partner"),
                        ("res_id", "in", list(ids)),
                    ],
                    ["res_id"],
                )
                .mapped("res_id")
            )
        rows = Match.search([("backend_id", "=", backend.id), ("external_id", "in", keys)])
        rows = {row.external_id: row for row in rows}
        return {key: ([c for c in found[key] if c[0].id not in bound], rows.get(key, Match)) for key in keys}

    def _prepare_new_party(self, backend, rec, hint=None):
        """A new partner's values, or None when the contact matches an Odoo partner."""
        if self._match_partner(backend, rec, hint):
            return None
        return dict(self._party_vals(backend, rec), company_id=backend.company_id.id, **self._rank_vals(rec["roles"]))

    def _create_new_party(self, backend, vals_list, records):
        return self._quiet(self.env["res.partner"]).create(vals_list)

    @staticmethod
    def _rank_vals(roles, partner=None):
        vals = {}
        if "customer" in roles and not (partner and partner.customer_rank):
            vals["customer_rank"] = 1
        if "vendor" in roles and not (partner and partner.supplier_rank):
            vals["supplier_rank"] = 1
        return vals

    def _set_ranks(self, partner, roles):
        vals = self._rank_vals(roles, partner)
        if vals:
            self._quiet(partner).write(vals)

    def _match_partner(self, backend, rec, hint=None):
        """An existing Odoo partner for a provider contact seen for the first time.

        Exact e-mail or VAT links; a single name at 0.95 or more links; several good
        candidates, or one between 0.85 and 0.95, go to review (or create, by policy).
        ``hint``: what ``_page_hints_party`` found for it, when a page was looked up at once."""
        Match = self.env["connector.partner.match"].sudo()
        candidates, row = hint or self._page_hints_party(backend, [rec])[str(rec["external_id"])]
        if row and row.partner_id:
            return row.partner_id  # a person chose
        exact = [c for c in candidates if c[2] in ("email", "vat")]
        strong = [c for c in candidates if c[1] >= 0.95]
        if len(exact) == 1:
            return exact[0][0]
        if not exact and len(candidates) == 1 and strong:
            return strong[0][0]
        if self.env.context.get("connector_force"):
            return None  # a person asked to create a new partner
        if backend.partner_policy == "create" and not exact and len(strong) < 2:
            return None  # nothing certain: create a new partner
        if backend.partner_policy == "create" and not candidates:
            return None
        vals = {
            "backend_id": backend.id,
            "external_id": rec["external_id"],
            "external_name": rec["name"],
            "email": rec.get("email"),
            "vat": rec.get("vat"),
        }
        if row:
            row.write(vals)
        else:
            row = Match.create(vals)
        row._suggest()
        names = ", ".join(f"{p.display_name} ({score:.2f})" for p, score, _b in candidates[:5])
        raise errors.PartnerAmbiguousError(
            f"{rec['name']} matches several Odoo partners: {names}",
            details={"candidates": [p.id for p, _s, _b in candidates]},
        )
