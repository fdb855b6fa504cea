"""The engine: canonical records in, Odoo records out, and back.

Every import is an upsert through ``connector.binding`` inside a savepoint: a record that
cannot be imported goes to quarantine with a typed reason and leaves nothing half-written;
the batch goes on. Records new to a connection are created a page at a time (one ORM
create, one binding and one log insert per page); when a page is refused, its records
take the one-record path, which finds the culprit. Dependencies (the partner of an invoice, the
invoice of a payment) are imported first. Exports map an Odoo record to its canonical
form and hand it to the provider adapter with an idempotency key and a reference stamp.
"""

import hashlib
import logging
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare

from ..lib import canonical, errors
from ..lib.money import json_dumps, quantize, to_decimal

_logger = logging.getLogger(__name__)

ONE_CENT = Decimal("0.01")
#: canonical kind -> Odoo model of the bound record
KIND_MODELS = {
    "party": "res.partner",
    "product": "product.product",
    "account": "connector.account.mapping",
    "tax": "connector.tax.mapping",
    "invoice": "account.move",
    "payment": "account.payment",
    "journal_entry": "account.move",
}
#: keys that do not make the content: provider version marks, the external id (a first
#: export hashes before the provider has given it one), and the balance, which follows from
#: the payments (they are synchronised on their own)
VOLATILE_KEYS = ("version", "updated_at", "external_id", "amount_residual")
PAYABLE_TYPES = ("asset_receivable", "liability_payable")


def content_hash(record):
    stable = {k: v for k, v in record.items() if k not in VOLATILE_KEYS}
    return hashlib.sha256(json_dumps(stable, sort_keys=True).encode()).hexdigest()


def reference_for(record):
    return f"odoo:{record._name}:{record.id}"


class ConnectorEngine(models.AbstractModel):
    _name = "connector.engine"
    _description = "Connector Engine"

    # ================================================================== import
    @api.model
    def _import_safely(self, backend, kind, record):
        """Import one canonical record in a savepoint; quarantine it on a permanent error.

        Return the Odoo record, or None when the record went to quarantine. Retryable
        and auth errors propagate to the job, which retries or pauses the backend."""
        external_id = record.get("external_id") if isinstance(record, dict) else None
        log = self.env["connector.sync.log"]._start(backend, "import", kind, external_id)
        try:
            with self._savepoint(kind, external_id):
                result = self._import(backend, kind, record)
        except errors.PermanentError as exc:
            self._keep_waiting_mapping(backend, exc)
            self.env["connector.quarantine"]._put(
                backend, exc, direction="import", kind=kind, external_id=external_id, payload=record
            )
            log._finish("quarantined", error=exc)
            return None
        except (ValidationError, UserError) as exc:
            # Odoo refused the record (a constraint, a lock date): a person must look at it.
            error = self._odoo_error(exc)
            self.env["connector.quarantine"]._put(
                backend, error, direction="import", kind=kind, external_id=external_id, payload=record
            )
            log._finish("quarantined", error=error)
            return None
        except errors.RetryableError as exc:
            log._finish("retrying", error=exc)
            raise
        except errors.ConnectorError as exc:
            log._finish("failed", error=exc)
            raise
        self._resolve_quarantine(backend, "import", kind, external_id=external_id)
        log._finish("done" if result is not None else "skipped", record=result or None)
        return result

    #: how many new records are created together
    PAGE_SIZE = 200
    #: records between two refreshes of the planner's statistics during one import
    ANALYZE_EVERY = 2000
    #: tables an import of a kind grows besides its model's and the bindings
    GROWN_TABLES = {
        "invoice": ("account_move_line",),
        "payment": ("account_move", "account_move_line", "account_partial_reconcile"),
        "journal_entry": ("account_move_line",),
    }

    def _refresh_statistics(self, kind):
        """ANALYZE the tables a bulk import grows. Until autovacuum gets to them the planner
        believes they are as small as before the import and picks plans that read every row
        (a lookup by e-mail became a walk over all partners), once per record: an import of
        N records cost O(N²). SKIP_LOCKED: when another job is at it, its figures serve."""
        tables = ("connector_binding", self.env[KIND_MODELS[kind]]._table, *self.GROWN_TABLES.get(kind, ()))
        self.env.flush_all()
        self.env.cr.execute(SQL("ANALYZE (SKIP_LOCKED) %s", SQL(", ").join(SQL.identifier(table) for table in tables)))

    @api.model
    def _import_page(self, backend, kind, records):
        """Import a page of canonical records; return how many went to quarantine.

        A record new to this connection, of a kind with a page path (``_prepare_new_<kind>``
        and ``_create_new_<kind>``), is checked, then prepared in a savepoint of its own (with
        what ``_page_hints_<kind>``, if the kind has one, looked up for the whole page), then
        created with the others. Everything else takes the one-record path: updates,
        deletions, a record our export stamped, a contact that matches an existing partner,
        a record that fails its checks (it is quarantined there, with its reason), and the
        whole page when Odoo refuses it."""
        prepare = getattr(self, f"_prepare_new_{kind}", None)
        singles, fresh, ready = {}, [], []
        ids = [str(r["external_id"]) for r in records if isinstance(r, dict) and r.get("external_id")]
        bindings = self.env["connector.binding"].sudo()
        if ids:
            bindings = bindings.search(
                [("backend_id", "=", backend.id), ("external_type", "=", kind), ("external_id", "in", ids)]
            )
        bindings = {binding.external_id: binding for binding in bindings}
        records = self._changed(backend, kind, records, bindings)
        seen = set(bindings)
        for index, record in enumerate(records):
            new = prepare and isinstance(record, dict) and not record.get("deleted") and not record.get("origin")
            external_id = str(record.get("external_id")) if new else None
            if not new or external_id in seen:  # a second copy in one page is an update of the first
                singles[index] = record
                continue
            seen.add(external_id)
            try:
                canonical.validate(kind, record)
            except errors.PermanentError:
                singles[index] = record  # the one-record path quarantines it, with its reason
                continue
            fresh.append((index, record, external_id))
        # what the prepares look up in the database, for the page at once (contacts: their matches)
        page_hints = getattr(self, f"_page_hints_{kind}", None)
        hints = page_hints(backend, [record for _i, record, _e in fresh]) if page_hints and fresh else {}
        for index, record, external_id in fresh:
            try:
                with self._savepoint(kind, external_id):
                    vals = prepare(backend, record, *([hints[external_id]] if page_hints else []))
            except (errors.PermanentError, ValidationError, UserError):
                vals = None  # the one-record path quarantines it, with its reason
            if vals is None:
                singles[index] = record
            else:
                ready.append((record, vals))
        singles = [singles[index] for index in sorted(singles)]
        if ready:
            refused = self._create_page(backend, kind, ready)
            singles = refused + singles
        quarantined = 0
        for record in singles:
            if self._import_safely(backend, kind, record) is None:
                quarantined += 1
        return quarantined

    def _changed(self, backend, kind, records, bindings):
        """The records of a page that are new or changed since their last synchronisation.

        The others (a sweep's or a poll's re-read, the echo of our own export) only give their
        bindings the provider's new version: no savepoint, no mapping, no log row each. A
        record twice in the page, or bound to an Odoo record that is gone, is not skipped."""
        copies = Counter(str(r.get("external_id")) for r in records if isinstance(r, dict))
        same, changed = [], []
        for record in records:
            binding = None
            if isinstance(record, dict) and not record.get("deleted"):
                binding = bindings.get(str(record.get("external_id")))
            if binding and copies[binding.external_id] == 1 and self._unchanged(binding, record, content_hash(record)):
                same.append((record, binding))
            else:
                changed.append(record)
        alive = set()
        for model in {binding.res_model for _record, binding in same}:
            targets = self.env[model].browse([b.res_id for _r, b in same if b.res_model == model]).exists()
            alive |= {(model, res_id) for res_id in targets.ids}
        skipped = []
        for record, binding in same:
            if (binding.res_model, binding.res_id) not in alive:
                changed.append(record)
                continue
            self._keep_version(binding, record)
            skipped.append(binding.external_id)
        if skipped:
            self._resolve_quarantine(backend, "import", kind, external_id=skipped)
        keep = {id(record) for record in changed}
        return [record for record in records if id(record) in keep]

    def _create_page(self, backend, kind, ready):
        """Create the prepared records together; return those left for the one-record path.

        ``_create_new_<kind>`` returns the new Odoo records in order, None for a record it
        left out. When Odoo refuses the page, all of it goes to the one-record path."""
        records = [record for record, _vals in ready]
        try:
            with self._savepoint(kind, f"(a page of {len(records)})"):
                targets = getattr(self, f"_create_new_{kind}")(backend, [vals for _r, vals in ready], records)
                pairs = [(rec, target) for rec, target in zip(records, targets, strict=True) if target]
                self.env["connector.binding"].sudo().create(
                    [self._binding_vals(backend, kind, rec, target) for rec, target in pairs]
                )
                self.env["connector.sync.log"]._log_done(
                    backend, "import", kind, [(rec["external_id"], target) for rec, target in pairs]
                )
                self._resolve_quarantine(backend, "import", kind, external_id=[r["external_id"] for r, _t in pairs])
        except (errors.ConnectorError, ValidationError, UserError) as exc:
            _logger.warning("%s: a page of %d %s records goes one by one: %s", backend.name, len(records), kind, exc)
            return records
        return [rec for rec, target in zip(records, targets, strict=True) if not target]

    @contextmanager
    def _savepoint(self, kind, what):
        """A savepoint in which a database constraint's refusal becomes a typed error. On the
        binding's own constraints this is another job that linked the same record a moment
        before (a webhook and a poll, or an export and its echo): a retry, which finds that
        link. Any other constraint is the payload's problem, for a person to look at."""
        try:
            with self.env.cr.savepoint():
                yield
        except IntegrityError as exc:
            constraint = getattr(getattr(exc, "diag", None), "constraint_name", None) or ""
            if constraint.startswith("connector_binding"):
                raise errors.TransientError(
                    f"{kind} {what} was linked by another job at the same moment: it is read again", retry_after=5
                ) from None
            raise errors.PayloadValidationError(f"Odoo refused {kind} {what}: {str(exc).splitlines()[0]}") from None

    def _keep_waiting_mapping(self, backend, exc):
        """The record was rolled back; the mapping row it waits on must stay, so that the
        accountant finds it in the mapping list (and fixing it re-queues the record)."""
        model = getattr(exc, "mapping_model", None)
        if model and model in self.env and "connector.mapping.mixin" in self.env[model]._inherit:
            self.env[model]._resolve(backend, exc.external_id)

    def _odoo_error(self, exc):
        text = str(exc.args[0] if exc.args else exc)
        lowered = text.lower()
        if "lock date" in lowered or "locked" in lowered and "period" in lowered:
            return errors.ClosedPeriodError(text)
        return errors.PayloadValidationError(text)

    def _resolve_quarantine(self, backend, direction, kind, external_id=None, record=None):
        domain = [
            ("backend_id", "=", backend.id),
            ("direction", "=", direction),
            ("kind", "=", kind),
            ("state", "=", "open"),
        ]
        if isinstance(external_id, list):
            domain.append(("external_id", "in", [str(value) for value in external_id]))
        elif external_id:
            domain.append(("external_id", "=", str(external_id)))
        elif record:
            domain += [("res_model", "=", record._name), ("res_id", "in", record.ids)]
        else:
            return
        self.env["connector.quarantine"].sudo().search(domain).write({"state": "resolved"})

    @api.model
    def _import(self, backend, kind, record):
        if record.get("deleted"):
            return self._apply_remote_delete(backend, kind, record["external_id"])
        canonical.validate(kind, record)
        return getattr(self, f"_import_{kind}")(backend, record)

    # ------------------------------------------------------------------ remote deletes
    #: what a deletion at the provider does to the bound Odoo record, per kind, when the
    #: connection's policy is "apply": master data is archived, documents are cancelled
    #: (a paid document is not: it goes to review), mappings are dropped
    DELETE_ACTIONS = {
        "party": "archive",
        "product": "archive",
        "account": "unmap",
        "tax": "unmap",
        "invoice": "cancel",
        "payment": "cancel",
        "journal_entry": "cancel",
    }

    @api.model
    def _apply_remote_delete(self, backend, kind, external_id):
        """A record deleted (or merged away) at the provider. Return the Odoo record or False."""
        binding = self.env["connector.binding"].sudo()._find(backend, kind, external_id)
        target = self.env[binding.res_model].browse(binding.res_id).exists() if binding else None
        if not target:
            if binding:
                binding.unlink()
            return False
        policy = backend.remote_delete_policy
        if policy == "ignore":
            return target
        if policy == "review":
            raise errors.ConflictError(
                f"{kind} {external_id} was deleted at the provider; {target.display_name} is still in Odoo",
                details={"remote_deleted": True},
            )
        action = self.DELETE_ACTIONS[kind]
        quiet = self._quiet(target)
        if action == "archive":
            quiet.active = False
        elif action == "unmap":
            quiet.unlink()
        elif kind == "payment":
            if quiet.state != "canceled":
                quiet.move_id.line_ids.remove_move_reconcile()
                quiet.action_draft()
                quiet.action_cancel()
        else:
            if (
                kind == "invoice"
                and target.state == "posted"
                and target.payment_state not in ("not_paid", "invoicing_legacy")
            ):
                raise errors.ConflictError(
                    f"{target.display_name} was deleted at the provider but has payments in Odoo: review it",
                    details={"remote_deleted": True},
                )
            if quiet.state == "posted":
                quiet.button_draft()
            if quiet.state != "cancel":
                quiet.button_cancel()
        binding.unlink()
        return target if action != "unmap" else False

    def _dependency(self, backend, kind, external_id):
        """The Odoo record bound to ``external_id``, imported first when it is not yet."""
        found = self.env["connector.binding"]._find_record(backend, kind, external_id)
        if found:
            return found
        remote = backend._get_adapter().read(kind, external_id)
        result = self._import(backend, kind, remote)
        if not result:
            raise errors.MappingMissingError(
                f"{kind} {external_id} could not be imported",
                mapping_model="connector.binding",
                external_id=external_id,
            )
        return result

    def _upsert(self, backend, kind, record, create, update):
        """Create or update through the binding; skip when nothing changed.

        ``create()`` returns a new Odoo record; ``update(odoo_record)`` changes one.
        Applies the backend's conflict policy when the Odoo record was changed after the
        last synchronisation."""
        Binding = self.env["connector.binding"].sudo()
        digest = content_hash(record)
        binding = Binding._find(backend, kind, record["external_id"])
        target = self.env[binding.res_model].browse(binding.res_id).exists() if binding else None
        if target:
            if self._unchanged(binding, record, digest):
                self._keep_version(binding, record)
                return target
            if self._changed_in_odoo(target, binding) and not self.env.context.get("connector_force"):
                policy = backend.conflict_policy
                if policy == "odoo":
                    return target
                if policy == "manual":
                    raise errors.ConflictError(
                        f"{kind} {record['external_id']} changed in Odoo and in the provider since the last sync"
                    )
            update(target)
        else:
            # our own export, read back before the export recorded its link: link, leave as is
            target = self._adopt(backend, kind, record) or create()
        vals = self._binding_vals(backend, kind, record, target, digest)
        if binding:
            binding.write(vals)
        else:
            Binding.create(vals)
        return target

    @staticmethod
    def _binding_vals(backend, kind, record, target, digest=None):
        """The binding of ``record`` to ``target`` after an import."""
        return {
            "backend_id": backend.id,
            "external_type": kind,
            "external_id": str(record["external_id"]),
            "res_model": target._name,
            "res_id": target.id,
            "external_version": record.get("version"),
            "remote_updated_at": record.get("updated_at"),
            "content_hash": digest or content_hash(record),
            "last_sync_at": fields.Datetime.now(),
            "last_direction": "import",
        }

    @classmethod
    def _unchanged(cls, binding, record, digest):
        """Nothing to apply: the content last synchronised, or the echo of our own export."""
        return binding.content_hash == digest or cls._is_echo(binding, record)

    @staticmethod
    def _keep_version(binding, record):
        """An unchanged record's binding takes the provider's version and update time."""
        vals = {"external_version": record.get("version"), "remote_updated_at": record.get("updated_at")}
        if (binding.external_version, binding.remote_updated_at) != tuple(vals.values()):
            binding.write(vals)

    @staticmethod
    def _is_echo(binding, record):
        """The provider's copy of what we last exported, unchanged since (same version)."""
        version = record.get("version")
        return binding.last_direction == "export" and version is not None and version == binding.external_version

    #: the Odoo model a document stamped with its origin comes from, per kind
    ORIGIN_MODELS = {"invoice": "account.move", "payment": "account.payment", "journal_entry": "account.move"}

    def _adopt(self, backend, kind, record):
        """The Odoo record an unlinked provider document was exported from, else None.

        The webhook of a document we created can arrive before the export job commits
        its link. The export holds the record's lock while it runs (the import then waits
        and comes back); a link committed a moment ago is looked up outside this
        transaction's snapshot. A stamp that names another record, or amounts that differ,
        is not ours: the document is imported as new."""
        origin = record.get("origin")
        if not origin:
            return None
        _prefix, model, res_id = origin.split(":")
        if model != self.ORIGIN_MODELS.get(kind):
            return None
        target = self.env[model].browse(int(res_id)).exists()
        if not target or target.company_id != backend.company_id:
            return None
        amount = target.amount_total if model == "account.move" else target.amount
        expected = record.get("amount_total", record.get("amount"))
        places = target.currency_id.decimal_places
        if expected is not None and float_compare(amount, float(expected), precision_digits=places):
            return None
        linked = self.env["connector.binding"].sudo()._for_record(backend, kind, target)
        if linked:
            raise errors.ConflictError(
                f"{target.display_name} is linked to {linked.external_id}, and {record['external_id']} carries its "
                f"stamp too: one of the two is a copy at the provider",
                details={"origin": origin, "linked_to": linked.external_id},
            )
        self._lock_record(target)
        with self.env.registry.cursor() as fresh:
            fresh.execute(
                """SELECT external_id FROM connector_binding
                   WHERE backend_id = %s AND external_type = %s AND res_model = %s AND res_id = %s""",
                [backend.id, kind, model, target.id],
            )
            if fresh.fetchone():
                raise errors.TransientError(f"the export of {target.display_name} has just linked it", retry_after=2)
        return target

    @staticmethod
    def _changed_in_odoo(target, binding):
        if not binding.last_sync_at or not target.write_date:
            return False
        return (target.write_date - binding.last_sync_at).total_seconds() > 2

    def _quiet(self, records):
        """Writes made by an import must not trigger an export (echo guard)."""
        return records.with_context(
            connector_no_export=True,
            tracking_disable=True,
            mail_notrack=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_auto_subscribe_no_notify=True,
        )

    # ------------------------------------------------------------------ master data
    def _currency(self, code):
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
        if not currency:
            raise errors.CurrencyMismatchError(f"Currency {code} is unknown to Odoo")
        if not currency.active:
            raise errors.CurrencyMismatchError(f"Currency {code} is not active in Odoo: activate it, then retry")
        return currency

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

    # ------------------------------------------------------------------ mappings
    def _account(self, backend, external_id, name=None):
        account = self.env["connector.account.mapping"]._resolve(backend, external_id, name)
        if not account:
            raise errors.MappingMissingError(
                f"Account {name or external_id} is not mapped to an Odoo account",
                mapping_model="connector.account.mapping",
                external_id=str(external_id),
            )
        return account

    def _taxes(self, backend, external_ids, use):
        Tax = self.env["account.tax"]
        Mapping = self.env["connector.tax.mapping"]
        taxes = Tax
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
            taxes |= tax
        return taxes

    def _check_lock_date(self, backend, date, journal, has_tax):
        violated = backend.company_id._get_violated_lock_dates(fields.Date.to_date(date), has_tax, journal)
        if violated:
            lock_date, lock_type = violated[-1]
            raise errors.ClosedPeriodError(
                f"{date} falls in a closed period ({lock_type} lock date {lock_date}) of {backend.company_id.name}"
            )

    # ------------------------------------------------------------------ documents
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

    def _invoice_vals(self, backend, rec):
        move_type = rec["move_type"]
        use = "sale" if move_type.startswith("out_") else "purchase"
        partner = self._dependency(backend, "party", rec["partner"])
        currency = self._currency(rec["currency"])
        journal = self._journal(backend, move_type)
        lines = []
        has_tax = False
        for line in rec["lines"]:
            vals = {
                "name": line.get("description") or False,
                "quantity": float(to_decimal(line["quantity"])),
                "price_unit": float(to_decimal(line["price_unit"])),
                "discount": float(to_decimal(line.get("discount", 0))),
            }
            if line.get("product"):
                product = self._dependency(backend, "product", line["product"])
                vals["product_id"] = product.id
                if not vals["name"]:
                    vals["name"] = product.display_name
            if line.get("account"):
                vals["account_id"] = self._account(backend, line["account"]).id
            taxes = self._taxes(backend, line.get("taxes"), use)
            has_tax = has_tax or bool(taxes)
            vals["tax_ids"] = [fields.Command.set(taxes.ids)]
            lines.append(vals)
        self._check_lock_date(backend, rec["date"], journal, has_tax)
        vals = {
            "move_type": move_type,
            "partner_id": partner.id,
            "journal_id": journal.id,
            "company_id": backend.company_id.id,
            "currency_id": currency.id,
            "invoice_date": rec["date"],
            "date": rec["date"],
            "ref": rec.get("number") or rec.get("reference") or False,
            "narration": rec.get("memo") or False,
        }
        if rec.get("payment_term"):
            term = self.env["connector.payment.term.mapping"]._resolve(backend, rec["payment_term"])
            if term:
                vals["invoice_payment_term_id"] = term.id
        if rec.get("due_date") and "invoice_payment_term_id" not in vals:
            vals["invoice_date_due"] = rec["due_date"]
            vals["invoice_payment_term_id"] = False
        if rec.get("exchange_rate") and currency != backend.company_id.currency_id:
            vals["invoice_currency_rate"] = float(Decimal(1) / to_decimal(rec["exchange_rate"]))
        return vals, lines

    def _prepare_new_invoice(self, backend, rec):
        vals, lines = self._invoice_vals(backend, rec)
        return dict(vals, invoice_line_ids=[fields.Command.create(v) for v in lines])

    def _create_new_invoice(self, backend, vals_list, records):
        """Documents created together. A one-cent tax difference gets its rounding line as
        it would alone; a document whose difference cannot be settled is removed again
        (a draft: nothing of it stays) and left out (None) for the one-record path."""
        moves = self._quiet(self.env["account.move"]).with_company(backend.company_id).create(vals_list)
        kept, left_out = [], self.env["account.move"]
        for move, rec in zip(moves, records, strict=True):
            try:
                self._settle_total(backend, move, rec)
                kept.append(move)
            except errors.RoundingDiffError:
                kept.append(None)
                left_out |= move
        left_out.unlink()
        pairs = [(move, rec) for move, rec in zip(kept, records, strict=True) if move]
        moves.browse([move.id for move, rec in pairs if rec.get("state", "posted") == "posted"]).action_post()
        for move, rec in pairs:
            if rec.get("state") == "void":
                self._apply_state(move, rec)
        return kept

    def _import_invoice(self, backend, rec):
        Move = self._quiet(self.env["account.move"]).with_company(backend.company_id)
        vals, lines = self._invoice_vals(backend, rec)

        def create():
            move = Move.create(dict(vals, invoice_line_ids=[fields.Command.create(v) for v in lines]))
            self._finish_document(backend, move, rec)
            return move

        def update(move):
            move = self._quiet(move)
            applied = self._applied_payments(move)  # resetting to draft takes them off
            if move.state in ("posted", "cancel"):
                move.button_draft()
            move.write(
                dict(
                    vals,
                    invoice_line_ids=[fields.Command.clear()] + [fields.Command.create(v) for v in lines],
                )
            )
            self._finish_document(backend, move, rec)
            self._reapply_payments(move, applied)

        return self._upsert(backend, "invoice", rec, create, update)

    @staticmethod
    def _total_difference(move, rec):
        """The provider's total less Odoo's, in the document's currency (0 without a total)."""
        if rec.get("amount_total") is None:
            return Decimal(0)
        places = move.currency_id.decimal_places
        return quantize(rec["amount_total"], places) - quantize(Decimal(str(move.amount_total)), places)

    def _finish_document(self, backend, move, rec):
        """Reconcile Odoo's totals with the provider's, then post (or cancel)."""
        self._settle_total(backend, move, rec)
        self._apply_state(move, rec)

    def _settle_total(self, backend, move, rec):
        """Make the document's total the provider's: a difference of a cent goes to the
        connection's rounding account; more is a RoundingDiffError."""
        diff = self._total_difference(move, rec)
        if not diff or self.env.context.get("connector_force"):
            return
        actual = quantize(Decimal(str(move.amount_total)), move.currency_id.decimal_places)
        if abs(diff) > ONE_CENT:
            raise errors.RoundingDiffError(
                f"Odoo computes a total of {actual} {move.currency_id.name}, the provider {actual + diff}: "
                f"a difference of {diff} is more than a rounding",
                details={"difference": str(diff)},
            )
        if not backend.rounding_account_id:
            raise errors.RoundingDiffError(
                f"A rounding difference of {diff} needs a rounding account on the connection {backend.name}",
                details={"difference": str(diff)},
            )
        move.write(
            {
                "invoice_line_ids": [
                    fields.Command.create(
                        {
                            "name": self.env._("Tax rounding difference"),
                            "account_id": backend.rounding_account_id.id,
                            "quantity": 1,
                            "price_unit": float(diff),
                            "tax_ids": [fields.Command.clear()],
                        }
                    )
                ]
            }
        )

    @staticmethod
    def _apply_state(move, rec):
        """Post the document, or cancel it, as the provider has it."""
        state = rec.get("state", "posted")
        if state == "posted" and move.state == "draft":
            move.action_post()
        elif state == "void" and move.state != "cancel":
            if move.state == "posted":
                move.button_draft()
            move.button_cancel()

    def _payment_vals(self, backend, rec):
        """(values of the payment, [(document, amount applied)])."""
        partner = self._dependency(backend, "party", rec["partner"])
        currency = self._currency(rec["currency"])
        journal = self._payment_journal(backend, rec)
        self._check_lock_date(backend, rec["date"], journal, False)
        documents = [
            (self._dependency(backend, "invoice", alloc["document"]), to_decimal(alloc["amount"]))
            for alloc in rec.get("allocations", [])
        ]
        vals = {
            "payment_type": rec["payment_type"],
            "partner_type": "customer" if rec["payment_type"] == "inbound" else "supplier",
            "partner_id": partner.id,
            "amount": float(to_decimal(rec["amount"])),
            "currency_id": currency.id,
            "date": rec["date"],
            "journal_id": journal.id,
            "memo": rec.get("reference") or rec.get("memo") or False,
        }
        return vals, documents

    def _prepare_new_payment(self, backend, rec):
        vals, documents = self._payment_vals(backend, rec)
        for move, _amount in documents:
            self._open_lines(move)  # refuses a document the payment cannot apply to
        return {"vals": vals, "documents": documents}

    def _create_new_payment(self, backend, prepared, records):
        """Payments created and posted together, then applied one by one. A refusal while
        applying sends the page to the one-record path (nothing of it stays)."""
        Payment = self._quiet(self.env["account.payment"]).with_company(backend.company_id)
        payments = Payment.create([item["vals"] for item in prepared])
        payments.action_post()
        for payment, item, rec in zip(payments, prepared, records, strict=True):
            self._allocate(payment, item["documents"])
            if rec.get("state") == "void":
                self._void_payment(payment)
        return list(payments)

    def _import_payment(self, backend, rec):
        vals, documents = self._payment_vals(backend, rec)

        def create():
            return self._create_new_payment(backend, [{"vals": vals, "documents": documents}], [rec])[0]

        def update(payment):
            payment = self._quiet(payment)
            if payment.state != "draft":
                payment.move_id.line_ids.remove_move_reconcile()
                payment.action_draft()
            payment.write(vals)
            payment.action_post()
            self._allocate(payment, documents)

        payment = self._upsert(backend, "payment", rec, create, update)
        if rec.get("state") == "void":
            self._void_payment(payment)
        return payment

    @staticmethod
    def _void_payment(payment):
        if payment.state != "canceled":
            payment.move_id.line_ids.remove_move_reconcile()
            payment.action_draft()
            payment.action_cancel()

    def _payment_journal(self, backend, rec):
        Journal = self.env["account.journal"]
        if rec.get("method"):
            journal = self.env["connector.payment.method.mapping"]._resolve(backend, rec["method"])
            if journal:
                return journal
        if rec.get("deposit_account"):
            account = self.env["connector.account.mapping"]._resolve(backend, rec["deposit_account"])
            if account:
                journal = Journal.search(
                    [("company_id", "=", backend.company_id.id), ("default_account_id", "=", account.id)], limit=1
                )
                if journal:
                    return journal
        journal = backend.payment_journal_id or Journal.search(
            [("company_id", "=", backend.company_id.id), ("type", "=", "bank")], limit=1
        )
        if not journal:
            raise errors.MappingMissingError(
                "No journal for imported payments: set one on the connection",
                mapping_model="connector.payment.method.mapping",
                external_id=rec.get("method") or "default",
            )
        return journal

    def _allocate(self, payment, documents):
        """Reconcile the payment with each document for exactly the allocated amount."""
        pay_lines = payment.move_id.line_ids.filtered(lambda ln: ln.account_id.account_type in PAYABLE_TYPES)
        for move, amount in documents:
            inv_lines = self._open_lines(move)
            residual = quantize(Decimal(str(abs(move.amount_residual))), move.currency_id.decimal_places)
            open_pay = pay_lines.filtered(lambda ln: not ln.reconciled)
            if quantize(amount) < residual and len(documents) > 1:
                self._partial_reconcile(open_pay, inv_lines, amount)
            else:
                (open_pay + inv_lines).reconcile()

    @staticmethod
    def _open_lines(move):
        """The document's receivable or payable lines still open; a typed refusal when a
        payment cannot apply to it."""
        if move.state != "posted":
            raise errors.PayloadValidationError(f"{move.display_name} is not posted: the payment cannot apply to it")
        lines = move.line_ids.filtered(lambda ln: ln.account_id.account_type in PAYABLE_TYPES and not ln.reconciled)
        if not lines:
            raise errors.PayloadValidationError(f"{move.display_name} is already paid")
        return lines

    def _applied_payments(self, move):
        """What is reconciled with the document: [(counterpart line, amount in the document's currency)]."""
        applied = []
        for line in move.line_ids.filtered(lambda ln: ln.account_id.account_type in PAYABLE_TYPES):
            for partial in line.matched_debit_ids:
                applied.append((partial.debit_move_id, Decimal(str(partial.credit_amount_currency))))
            for partial in line.matched_credit_ids:
                applied.append((partial.credit_move_id, Decimal(str(partial.debit_amount_currency))))
        return applied

    def _reapply_payments(self, move, applied):
        """Put back, amount for amount, the payments an update of the document took off."""
        if move.state != "posted":
            return
        for counterpart, amount in applied:
            if not counterpart.exists() or counterpart.reconciled or counterpart.move_id.state != "posted":
                continue
            open_lines = move.line_ids.filtered(
                lambda ln: ln.account_id.account_type in PAYABLE_TYPES and not ln.reconciled
            )
            if not open_lines:
                break
            residual = quantize(Decimal(str(abs(move.amount_residual))), move.currency_id.decimal_places)
            self._partial_reconcile(counterpart, open_lines, min(quantize(amount), residual))

    def _partial_reconcile(self, pay_lines, inv_lines, amount):
        """Reconcile exactly ``amount`` (document currency) between two lines."""
        pay_line, inv_line = pay_lines[:1], inv_lines[:1]
        debit, credit = (inv_line, pay_line) if inv_line.balance > 0 else (pay_line, inv_line)
        currency = inv_line.currency_id
        rate = abs(inv_line.balance / inv_line.amount_currency) if inv_line.amount_currency else 1.0
        amount_company = inv_line.company_currency_id.round(float(amount) * rate)
        self.env["account.partial.reconcile"].create(
            {
                "debit_move_id": debit.id,
                "credit_move_id": credit.id,
                "amount": amount_company,
                "debit_amount_currency": currency.round(float(amount))
                if debit.currency_id == currency
                else amount_company,
                "credit_amount_currency": currency.round(float(amount))
                if credit.currency_id == currency
                else amount_company,
            }
        )

    def _import_journal_entry(self, backend, rec):
        Move = self._quiet(self.env["account.move"]).with_company(backend.company_id)
        journal = self._journal(backend, "entry")
        currency = self._currency(rec["currency"])
        company_currency = backend.company_id.currency_id
        rate = to_decimal(rec.get("exchange_rate") or 1)
        self._check_lock_date(backend, rec["date"], journal, False)
        lines = []
        for line in rec["lines"]:
            amount = to_decimal(line.get("debit", 0)) - to_decimal(line.get("credit", 0))
            vals = {
                "account_id": self._account(backend, line["account"]).id,
                "name": line.get("description") or rec.get("memo") or "/",
                "currency_id": currency.id,
                "amount_currency": float(amount),
                "balance": float(quantize(amount * rate if currency != company_currency else amount)),
            }
            if line.get("partner"):
                vals["partner_id"] = self._dependency(backend, "party", line["partner"]).id
            lines.append(vals)
        vals = {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": rec["date"],
            "ref": rec.get("number") or rec.get("memo") or False,
            "narration": rec.get("memo") or False,
        }

        def create():
            move = Move.create(dict(vals, line_ids=[fields.Command.create(v) for v in lines]))
            move.action_post()
            return move

        def update(move):
            move = self._quiet(move)
            if move.state == "posted":
                move.button_draft()
            move.write(dict(vals, line_ids=[fields.Command.clear()] + [fields.Command.create(v) for v in lines]))
            move.action_post()

        return self._upsert(backend, "journal_entry", rec, create, update)

    # ================================================================== export
    @api.model
    def _export_safely(self, backend, kind, record):
        """Export one Odoo record; quarantine it on a permanent error. Return the external id."""
        log = self.env["connector.sync.log"]._start(backend, "export", kind, record=record)
        try:
            with self._savepoint(kind, record.display_name):
                external_id = self._export(backend, kind, record)
        except errors.PermanentError as exc:
            self.env["connector.quarantine"]._put(backend, exc, direction="export", kind=kind, record=record)
            log._finish("quarantined", error=exc)
            return None
        except errors.RetryableError as exc:
            log._finish("retrying", error=exc)
            raise
        except errors.ConnectorError as exc:
            log._finish("failed", error=exc)
            raise
        self._resolve_quarantine(backend, "export", kind, record=record)
        log._finish("done", external_id=external_id)
        return external_id

    def _lock_record(self, record):
        """Serialise exports of one record across workers (transaction-scoped)."""
        key = int(hashlib.sha1(reference_for(record).encode()).hexdigest()[:15], 16)
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        if not self.env.cr.fetchone()[0]:
            raise errors.LockBusyError(f"{record.display_name} is being exported by another worker", retry_after=3)

    def _export(self, backend, kind, record):
        self._lock_record(record)
        binding = self.env["connector.binding"].sudo()._for_record(backend, kind, record)
        data, digest = self._export_data(backend, kind, record, binding)
        if binding and binding.content_hash == digest:
            return binding.external_id
        adapter = backend._get_adapter()
        reference = reference_for(record)
        try:
            external_id, version = adapter.write(
                kind,
                data,
                external_id=binding.external_id if binding else None,
                version=binding.external_version if binding else None,
                reference=reference,
                idempotency_key=self._idempotency_key(backend, record, digest),
            )
        except errors.OutcomeUnknownError:
            if binding:
                raise errors.TransientError(f"update of {reference} lost its answer: it is safe to repeat") from None
            found = adapter.find_by_reference(kind, reference)
            if not found:
                raise errors.TransientError(f"create of {reference} did not happen: it will be retried") from None
            external_id, version = found
        self._bind_export(backend, kind, record, binding, external_id, version, digest)
        return external_id

    def _export_data(self, backend, kind, record, binding):
        """(canonical data without its external id, content hash) of an Odoo record."""
        data = getattr(self, f"_to_canonical_{kind}")(backend, record)
        data["external_id"] = binding.external_id if binding else f"new:{reference_for(record)}"
        canonical.validate(kind, data)
        digest = content_hash(data)
        data.pop("external_id")
        return data, digest

    @staticmethod
    def _idempotency_key(backend, record, digest):
        return f"{backend.id}-{record._name}-{record.id}-{digest[:16]}"

    def _bind_export(self, backend, kind, record, binding, external_id, version, digest):
        """Record what the provider answered to an export."""
        Binding = self.env["connector.binding"].sudo()
        vals = {
            "external_version": version,
            "content_hash": digest,
            "last_sync_at": fields.Datetime.now(),
            "last_direction": "export",
        }
        if binding:
            binding.write(vals)
            return
        taken = Binding._find(backend, kind, external_id)
        if taken:
            other = self.env[taken.res_model].browse(taken.res_id).exists()
            raise errors.NameCollisionError(
                f"The provider answered with {external_id}, which is already linked to "
                f"{other.display_name if other else taken.res_model}: merge the two in Odoo or rename one",
                details={"external_id": external_id, "linked_to": taken.res_id},
            )
        Binding.create(
            dict(
                vals,
                backend_id=backend.id,
                external_type=kind,
                external_id=str(external_id),
                res_model=record._name,
                res_id=record.id,
            )
        )

    @api.model
    def _export_page(self, backend, kind, records):
        """Export several Odoo records: the new ones in the provider's batches where it has
        them, the others (updates, refusals, anything that does not fit) one by one.
        Return {record: external id, or None when it went to quarantine}."""
        adapter = backend._get_adapter()
        bound = set(
            self.env["connector.binding"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("external_type", "=", kind),
                    ("res_model", "=", records._name),
                    ("res_id", "in", records.ids),
                ]
            )
            .mapped("res_id")
        )
        results, batch = {}, []
        for record in records:
            if adapter.batch_size > 1 and record.id not in bound:
                try:
                    with self._savepoint(kind, record.display_name):
                        self._lock_record(record)
                        data, digest = self._export_data(backend, kind, record, None)
                    batch.append((record, data, digest))
                    continue
                except (errors.PermanentError, ValidationError, UserError):
                    pass  # the one-record path quarantines it, with its reason
            results[record] = self._export_safely(backend, kind, record)
        for start in range(0, len(batch), adapter.batch_size):
            results.update(self._create_remote_page(backend, adapter, kind, batch[start : start + adapter.batch_size]))
        return results

    def _create_remote_page(self, backend, adapter, kind, batch):
        items = [
            (data, reference_for(record), self._idempotency_key(backend, record, digest))
            for record, data, digest in batch
        ]
        try:
            outcomes = adapter.create_many(kind, items)
        except errors.OutcomeUnknownError:
            # the batch may have happened: what carries our stamp is linked, nothing is sent twice
            outcomes = [adapter.find_by_reference(kind, reference) for _data, reference, _key in items]
            if not all(outcomes):
                raise errors.TransientError(
                    f"a batch of {len(items)} {kind} records lost its answer: it is looked up again later"
                ) from None
        results, done = {}, []
        for (record, _data, digest), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):  # refused: the one-record path decides (name clash, quarantine)
                results[record] = self._export_safely(backend, kind, record)
                continue
            try:
                with self._savepoint(kind, record.display_name):
                    self._bind_export(backend, kind, record, None, outcome[0], outcome[1], digest)
            except errors.PermanentError as exc:  # the answer names a record linked to another
                self.env["connector.quarantine"]._put(backend, exc, direction="export", kind=kind, record=record)
                self.env["connector.sync.log"]._start(backend, "export", kind, record=record)._finish(
                    "quarantined", error=exc
                )
                results[record] = None
                continue
            results[record] = outcome[0]
            done.append((record, outcome[0]))
        if done:
            self.env["connector.sync.log"]._log_done(
                backend, "export", kind, [(external_id, record) for record, external_id in done]
            )
            exported = self.env[batch[0][0]._name].browse([record.id for record, _external_id in done])
            self._resolve_quarantine(backend, "export", kind, record=exported)
        return results

    def _external_ref(self, backend, kind, record):
        """The external id of ``record``, exporting it first when it is not bound yet."""
        binding = self.env["connector.binding"].sudo()._for_record(backend, kind, record)
        if binding:
            return binding.external_id
        return self._export(backend, kind, record)

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
        lines = []
        for line in move.invoice_line_ids.filtered(lambda ln: ln.display_type == "product"):
            data = {
                "description": line.name or None,
                "quantity": Decimal(str(line.quantity)),
                "price_unit": Decimal(str(line.price_unit)),
                "amount": quantize(Decimal(str(line.price_subtotal)), move.currency_id.decimal_places),
                "taxes": [
                    self._external_mapping(
                        backend, "connector.tax.mapping", "tax_id" if use == "sale" else "tax_id", tax, "Tax"
                    )
                    for tax in line.tax_ids
                ],
            }
            if line.discount:
                data["discount"] = Decimal(str(line.discount))
            if line.product_id:
                data["product"] = self._external_ref(backend, "product", line.product_id)
            else:
                data["account"] = self._external_mapping(
                    backend, "connector.account.mapping", "account_id", line.account_id, "Account"
                )
            lines.append(data)
        places = move.currency_id.decimal_places
        data = {
            "move_type": move.move_type,
            "number": move.name if move.name and move.name != "/" else None,
            "reference": move.ref or None,
            "partner": self._external_ref(backend, "party", move.commercial_partner_id),
            "date": fields.Date.to_string(move.invoice_date or move.date),
            "due_date": fields.Date.to_string(move.invoice_date_due) if move.invoice_date_due else None,
            "currency": move.currency_id.name,
            "tax_mode": "exclusive",
            "state": "posted" if move.state == "posted" else ("void" if move.state == "cancel" else "draft"),
            "lines": lines,
            "amount_untaxed": quantize(Decimal(str(move.amount_untaxed)), places),
            "amount_tax": quantize(Decimal(str(move.amount_tax)), places),
            "amount_total": quantize(Decimal(str(move.amount_total)), places),
        }
        if move.currency_id != move.company_id.currency_id and move.invoice_currency_rate:
            data["exchange_rate"] = quantize(Decimal(1) / Decimal(str(move.invoice_currency_rate)), 6)
        return data

    def _to_canonical_payment(self, backend, payment):
        allocations = []
        for move in payment.reconciled_invoice_ids | payment.reconciled_bill_ids:
            amount = self._allocated_amount(payment, move)
            if amount:
                allocations.append({"document": self._external_ref(backend, "invoice", move), "amount": amount})
        data = {
            "payment_type": payment.payment_type,
            "partner": self._external_ref(backend, "party", payment.partner_id.commercial_partner_id),
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
                data["partner"] = self._external_ref(backend, "party", line.partner_id.commercial_partner_id)
            lines.append(data)
        return {
            "number": move.name if move.name != "/" else None,
            "date": fields.Date.to_string(move.date),
            "currency": move.currency_id.name,
            "memo": move.ref or None,
            "lines": lines,
        }

    # ================================================================== helpers for tests and checks
    @api.model
    def _amounts_match(self, move, rec):
        """True when the Odoo document's total and residual equal the canonical ones."""
        places = move.currency_id.decimal_places
        ok = float_compare(move.amount_total, float(rec["amount_total"]), precision_digits=places) == 0
        if rec.get("amount_residual") is not None:
            ok = ok and float_compare(move.amount_residual, float(rec["amount_residual"]), precision_digits=places) == 0
        return ok
