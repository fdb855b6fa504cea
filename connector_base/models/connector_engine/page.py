"""A page of records in: ``_import_page`` and what it leans on.

Records that have not changed since their last synchronisation only give their bindings the
provider's new version (``_changed``); records new to the connection, of a kind with a page
path (``_prepare_new_<kind>`` and ``_create_new_<kind>``, in the kind's file), are checked and
prepared one by one, then created together (``_create_page``); everything else takes the
one-record path of ``upsert.py``. ``_refresh_statistics`` keeps the planner's figures in step
during a long import.
"""

import logging
from collections import Counter

from odoo import api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ...lib import canonical, errors
from .upsert import KIND_MODELS, content_hash

_logger = logging.getLogger(__name__)


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

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
        separate = backend._party_roles_separate() if kind == "party" else None
        try:
            with self._savepoint(kind, f"(a page of {len(records)})"):
                targets = getattr(self, f"_create_new_{kind}")(backend, [vals for _r, vals in ready], records)
                pairs = [(rec, target) for rec, target in zip(records, targets, strict=True) if target]
                self.env["connector.binding"].sudo().create(
                    [self._binding_vals(backend, kind, rec, target, separate=separate) for rec, target in pairs]
                )
                self.env["connector.sync.log"]._log_done(
                    backend, "import", kind, [(rec["external_id"], target) for rec, target in pairs]
                )
                self._resolve_quarantine(backend, "import", kind, external_id=[r["external_id"] for r, _t in pairs])
        except (errors.ConnectorError, ValidationError, UserError) as exc:
            _logger.warning("%s: a page of %d %s records goes one by one: %s", backend.name, len(records), kind, exc)
            return records
        return [rec for rec, target in zip(records, targets, strict=True) if not target]
