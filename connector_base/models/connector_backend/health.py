"""The connection's health on its form: open quarantine rows, the error rate of the last 24
hours, jobs waiting, the last successful sync, and the progress of a full import."""

import logging
from datetime import timedelta

from odoo import api, fields, models

from ...lib import errors

_logger = logging.getLogger(__name__)


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    def _compute_health(self):
        Quarantine = self.env["connector.quarantine"].sudo()
        Log = self.env["connector.sync.log"].sudo()
        since = fields.Datetime.now() - timedelta(hours=24)
        counts = dict(
            Quarantine._read_group(
                [("backend_id", "in", self.ids), ("state", "=", "open")], ["backend_id"], ["__count"]
            )
        )
        logs = Log._read_group(
            [
                ("backend_id", "in", self.ids),
                ("create_date", ">=", since),
                ("state", "in", ("done", "quarantined", "failed")),
            ],
            ["backend_id", "state"],
            ["__count"],
        )
        per_backend = {}
        for backend, state, count in logs:
            per_backend.setdefault(backend.id, {})[state] = count
        pending = dict(self._pending_job_counts()) if self.ids else {}
        for backend in self:
            backend.quarantine_count = counts.get(backend, 0)
            stats = per_backend.get(backend.id, {})
            total = sum(stats.values())
            bad = stats.get("quarantined", 0) + stats.get("failed", 0)
            backend.error_rate = 100.0 * bad / total if total else 0.0
            backend.jobs_pending = pending.get(backend.id, 0)

    # queue_job keeps ``records`` as a JSON document encoded in a jsonb string:
    # ``(records #>> '{}')::jsonb`` reads it back as an object
    def _pending_job_counts(self):
        self.env["queue.job"].flush_model(["records", "state", "model_name"])
        self.env.cr.execute(
            """SELECT rec.id::int, count(*)
                 FROM queue_job, jsonb_array_elements((records #>> '{}')::jsonb -> 'ids') AS rec(id)
                WHERE model_name = 'connector.backend'
                  AND state IN ('wait_dependencies', 'pending', 'enqueued', 'started')
                  AND rec.id::int = ANY(%s)
                GROUP BY 1""",
            [self.ids],
        )
        return self.env.cr.fetchall()

    def _expected_count(self, kinds):
        """How many records a full import reads, when the provider can tell (for the progress bar)."""
        try:
            adapter = self._get_adapter()
            return sum(adapter.count(kind, since=self._start_position()) or 0 for kind in kinds)
        except (errors.ConnectorError, NotImplementedError) as exc:
            _logger.info("backend %s: no record count for the progress bar (%s)", self.id, exc)
            return 0

    def _compute_sync_progress(self):
        rows = (
            self.env["connector.cursor"]
            .sudo()
            ._read_group([("backend_id", "in", self.ids)], ["backend_id"], ["last_run_at:max", "done:sum"])
        )
        found = {backend.id: (last, done) for backend, last, done in rows}
        for backend in self:
            backend.last_sync_at, backend.import_done = found.get(backend.id, (False, 0))

    @api.depends("import_total", "import_done")
    def _compute_import_progress(self):
        for backend in self:
            total = max(backend.import_total, backend.import_done)
            backend.import_progress = 100.0 * backend.import_done / total if total else 0.0
