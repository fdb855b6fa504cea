"""Contacts (the ``party`` kind): partner values, matching a contact seen for the first time to
an existing Odoo partner (for a page of contacts at once, or one), customer and vendor ranks,
and the page path of new contacts.

One partner, several roles: at a provider that keeps a company's customer and vendor as two
records (``party_roles_separate``), each is bound to the same partner with its role, linked on
e-mail or tax id (or by a person in Partner Matching); a contact carrying both roles is bound
once with the role "all"."""

from odoo import models, tools

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
        if rec.get("rejected_vat"):
            del vals["vat"]  # a refused number is not written, nor does it clear the partner's own
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
        role = self._party_role(backend, rec)

        def create():
            partner = self._match_partner(backend, rec)
            if partner:
                self._quiet(partner).write(self._link_vals(backend, partner, vals, role))
            else:
                partner = Partner.create(dict(vals, company_id=backend.company_id.id))
            self._set_ranks(partner, roles)
            self._review_rejected_vat(backend, rec, partner)
            return partner

        def update(partner):
            self._quiet(partner).write(self._shared_vals(backend, partner, vals, role))
            self._set_ranks(partner, roles)
            self._review_rejected_vat(backend, rec, partner)

        return self._upsert(backend, "party", rec, create, update)

    def _review_rejected_vat(self, backend, rec, partner):
        """A contact whose tax id was refused, imported all the same (it matched, or a new
        partner was created by policy), without the number: its Partner Matching row shows the
        number, the reason and the partner, unconfirmed, for a person to see. A number
        corrected at the provider clears it."""
        if "rejected_vat" not in rec:
            return  # a provider that checks no tax id (nothing to show, nothing to clear)
        Match = self.env["connector.partner.match"].sudo()
        rejected = rec.get("rejected_vat")
        row = Match.search([("backend_id", "=", backend.id), ("external_id", "=", str(rec["external_id"]))], limit=1)
        if not rejected:
            if row.rejected_vat:
                row.write({"rejected_vat": False, "rejected_vat_reason": False})
            return
        vals = {
            "external_name": rec["name"],
            "email": rec.get("email"),
            "rejected_vat": rejected["value"],
            "rejected_vat_reason": rejected["reason"],
        }
        if row.rejected_vat == vals["rejected_vat"] and row.partner_id == partner:
            return  # already in front of a person, or seen by one
        vals.update(partner_id=partner.id, suggested_partner_id=partner.id, confirmed=False, score=1.0)
        if row:
            row.write(vals)
        else:
            Match.create(dict(vals, backend_id=backend.id, external_id=str(rec["external_id"])))

    def _party_role(self, backend, rec, separate=None):
        """The role a contact is bound with: its one role at a provider that keeps a customer
        and a vendor as two records (``separate``: the adapter's ``party_roles_separate``),
        else "all" (a contact carrying both roles is one record, and so is anything else)."""
        roles = rec.get("roles") or []
        if len(roles) != 1:
            return "all"
        if separate is None:
            separate = backend._party_roles_separate()
        return roles[0] if separate else "all"

    def _other_roles(self, backend, partner, role):
        """The roles other than ``role`` for which ``partner`` is bound to a contact of ``backend``
        (none for "all": a contact that carries every role is the partner's only one)."""
        if role == "all":
            return set()
        bindings = self.env["connector.binding"].sudo()._for_records(backend, "party", partner, [("role", "!=", role)])
        return set(bindings.mapped("role"))

    def _link_vals(self, backend, partner, vals, role):
        """What a contact seen for the first time writes on the existing partner it matched.

        A partner that already stands for a record of another role (the vendor of a company
        whose customer is bound) keeps its values and only gets what it lacks; its name is
        the customer's (QuickBooks makes the vendor's DisplayName differ from it)."""
        linked = {key: value for key, value in vals.items() if value or key == "active"}
        if not self._other_roles(backend, partner, role):
            return linked
        kept = {key: value for key, value in linked.items() if value and not partner[key]}
        if role == "customer":
            kept["name"] = vals["name"]
        return kept

    def _shared_vals(self, backend, partner, vals, role):
        """What a contact's update writes on its partner. When the partner also stands for a
        record of another role, what this record leaves empty is not cleared, the record does
        not archive the partner (the other one may be active), and only the customer names it."""
        if not self._other_roles(backend, partner, role):
            return vals
        return {
            key: value
            for key, value in vals.items()
            if value and key != "active" and (key != "name" or role == "customer")
        }

    def _page_hints_party(self, backend, records):
        """What matching contacts to Odoo partners needs, for a page of them at once:
        {external id: (candidates, the review row if any, twin)}.

        A candidate already bound to another contact of the connection is that contact's,
        unless it is bound for another role only and the match is on e-mail or tax id: the
        vendor of a company whose customer is bound is the same partner. ``twin``: the external
        id of an earlier contact of the page of another role with the same e-mail or tax id
        (created with the page, it is the partner this one links to afterwards), or None."""
        Match = self.env["connector.partner.match"].sudo()
        separate = backend._party_roles_separate()
        keys = [str(rec["external_id"]) for rec in records]
        roles = {key: self._party_role(backend, rec, separate) for key, rec in zip(keys, records, strict=True)}
        found = Match._candidates_many(
            backend,
            [(key, rec["name"], rec.get("email"), rec.get("vat")) for key, rec in zip(keys, records, strict=True)],
        )
        ids = {candidate[0].id for candidates in found.values() for candidate in candidates}
        bound = {}
        if ids:
            partners = self.env["res.partner"].browse(ids)
            for binding in self.env["connector.binding"].sudo()._for_records(backend, "party", partners):
                bound.setdefault(binding.res_id, set()).add(binding.role)

        def free(candidate, role):
            taken = bound.get(candidate[0].id)
            return not taken or (candidate[2] in ("email", "vat") and role != "all" and not taken & {role, "all"})

        rows = Match.search([("backend_id", "=", backend.id), ("external_id", "in", keys)])
        rows = {row.external_id: row for row in rows}
        twins = self._page_twins(keys, records, roles) if separate else {}
        return {
            key: ([c for c in found[key] if free(c, roles[key])], rows.get(key, Match), twins.get(key)) for key in keys
        }

    @staticmethod
    def _page_twins(keys, records, roles):
        """{external id: the earlier contact of the page, of another role, with its e-mail or tax id}."""
        seen, twins = {}, {}
        for key, rec in zip(keys, records, strict=True):
            marks = []
            if rec.get("email"):
                marks.append(("email", tools.email_normalize(rec["email"].strip(), strict=False) or rec["email"]))
            if rec.get("vat"):
                marks.append(("vat", rec["vat"].strip()))
            for mark in marks:
                other = seen.get(mark)
                if other and roles[other] != roles[key]:
                    twins[key] = other
                    break
            for mark in marks:
                seen.setdefault(mark, key)
        return twins

    def _prepare_new_party(self, backend, rec, hint=None):
        """A new partner's values, or None when the contact matches an Odoo partner (or its
        twin of the page, created with the page: it is linked to that partner afterwards)."""
        if hint and hint[2]:
            return None
        if rec.get("rejected_vat"):
            return None  # the one-record path: in front of a person in Partner Matching
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
        candidates, or one between 0.85 and 0.95, go to review (or create, by policy). A
        contact whose tax id the provider's format check refused (``rejected_vat``) goes to
        review under the review policy, the number and the reason beside it, until a person
        decides; under the create policy it is matched or created without the number, and
        shown in Partner Matching all the same (``_review_rejected_vat``).
        ``hint``: what ``_page_hints_party`` found for it, when a page was looked up at once."""
        candidates, row, _twin = hint or self._page_hints_party(backend, [rec])[str(rec["external_id"])]
        if row and row.partner_id:
            self._check_unbound_for_role(backend, rec, row.partner_id)
            return row.partner_id  # a person chose
        force = self.env.context.get("connector_force")  # a person asked to create a new partner
        rejected = rec.get("rejected_vat")
        if rejected and not force and backend.partner_policy == "review":
            self._send_to_review(
                backend,
                rec,
                candidates,
                f"{rec['name']}: the tax id {rejected['value']} was refused ({rejected['reason']}); it is not "
                "written on any partner",
            )
        exact = [c for c in candidates if c[2] in ("email", "vat")]
        strong = [c for c in candidates if c[1] >= 0.95]
        if len(exact) == 1:
            return exact[0][0]
        if not exact and len(candidates) == 1 and strong:
            return strong[0][0]
        if force:
            return None
        if backend.partner_policy == "create" and not exact and len(strong) < 2:
            return None  # nothing certain: create a new partner
        if backend.partner_policy == "create" and not candidates:
            return None
        names = ", ".join(f"{p.display_name} ({score:.2f})" for p, score, _b in candidates[:5])
        self._send_to_review(backend, rec, candidates, f"{rec['name']} matches several Odoo partners: {names}")

    def _send_to_review(self, backend, rec, candidates, message):
        """Stop a contact's import for Partner Matching: its row (written once the record is
        rolled back, a partner suggested) is where a person picks its partner, or Forces a new one."""
        rejected = rec.get("rejected_vat") or {}
        review = {
            "external_id": str(rec["external_id"]),
            "external_name": rec["name"],
            "email": rec.get("email"),
            "vat": rec.get("vat"),
            "rejected_vat": rejected.get("value") or False,
            "rejected_vat_reason": rejected.get("reason") or False,
        }
        raise errors.PartnerAmbiguousError(
            message, details={"candidates": [p.id for p, _s, _b in candidates]}, review=review
        )

    def _check_unbound_for_role(self, backend, rec, partner):
        """The partner a person chose for a contact must not stand for another contact of the
        same role already (one partner per remote record and role)."""
        role = self._party_role(backend, rec)
        taken = (
            self.env["connector.binding"]
            .sudo()
            ._for_records(
                backend,
                "party",
                partner,
                [("role", "in", ["all", role]), ("external_id", "!=", str(rec["external_id"]))],
                limit=1,
            )
        )
        if taken:
            raise errors.PartnerAmbiguousError(
                f"{rec['name']}: {partner.display_name}, chosen in Partner Matching, is already linked to "
                f"{taken.external_id}: choose another partner, or merge the two records at the provider",
                details={"candidates": [partner.id]},
            )
