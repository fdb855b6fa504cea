import time
from datetime import timedelta

from odoo import api, fields, models

from ..lib.http import redact
from .connector_labels import KIND_WORDS

STATES = [
    ("pending", "Pending"),
    ("running", "Running"),
    ("done", "Done"),
    ("retrying", "Retrying"),
    ("quarantined", "Quarantined"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]
#: key of the cursor's cache holding {log id: time.perf_counter() at its start}: the
#: ORM keeps datetimes to the second, so started_at and finished_at cannot measure a
#: record that takes a few milliseconds (every duration was 0)
CLOCKS = "connector_sync_log_clocks"
# allowed transitions of the per-attempt state machine
TRANSITIONS = {
    "pending": {"running", "skipped"},
    "running": {"done", "retrying", "quarantined", "skipped", "failed"},
    "retrying": {"running", "failed"},
    "done": set(),
    "quarantined": set(),
    "skipped": set(),
    "failed": set(),
}


class ConnectorSyncLog(models.Model):
    """One row per synchronisation attempt of one record, as a state machine."""

    _name = "connector.sync.log"
    _description = "Connector Sync Log"
    _order = "id desc"
    _rec_name = "entity"

    backend_id = fields.Many2one("connector.backend", "Connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    direction = fields.Selection([("import", "Import"), ("export", "Export")], required=True)
    entity = fields.Char("Record type code", required=True)
    entity_label = fields.Char("Record type", compute="_compute_entity_label")
    external_id = fields.Char("Reference at the provider", index=True)
    res_model = fields.Char("Odoo model")
    res_id = fields.Many2oneReference("Odoo record id", model_field="res_model")
    state = fields.Selection(STATES, "Status", default="pending", required=True, index=True)
    started_at = fields.Datetime("Started")
    finished_at = fields.Datetime("Finished")
    duration_ms = fields.Integer("Duration (ms)", help="Measured in the worker, to the millisecond.")
    error_class = fields.Char("Error type")
    error_message = fields.Text("What went wrong")
    request_excerpt = fields.Text("Request (excerpt)")
    response_excerpt = fields.Text("Answer (excerpt)")
    correlation_id = fields.Char("Correlation id", index=True)
    job_uuid = fields.Char("Job", index=True)

    @api.depends("entity")
    def _compute_entity_label(self):
        for log in self:
            log.entity_label = self.env._(KIND_WORDS[log.entity]) if log.entity in KIND_WORDS else log.entity

    @api.model
    def _start(self, backend, direction, entity, external_id=None, record=None, correlation_id=None):
        log = self.sudo().create(
            {
                "backend_id": backend.id,
                "direction": direction,
                "entity": entity,
                "external_id": external_id and str(external_id),
                "res_model": record._name if record else False,
                "res_id": record.id if record else False,
                "state": "running",
                "started_at": fields.Datetime.now(),
                "correlation_id": correlation_id,
                "job_uuid": self.env.context.get("job_uuid"),
            }
        )
        self.env.cr.cache.setdefault(CLOCKS, {})[log.id] = time.perf_counter()
        return log

    @api.model
    def _log_done(self, backend, direction, entity, pairs):
        """One finished row per (external id, Odoo record) of a page, in one insert."""
        now = fields.Datetime.now()
        return self.sudo().create(
            [
                {
                    "backend_id": backend.id,
                    "direction": direction,
                    "entity": entity,
                    "external_id": str(external_id),
                    "res_model": target._name,
                    "res_id": target.id,
                    "state": "done",
                    "started_at": now,
                    "finished_at": now,
                    "job_uuid": self.env.context.get("job_uuid"),
                }
                for external_id, target in pairs
            ]
        )

    def _finish(self, state, error=None, record=None, external_id=None):
        self.ensure_one()
        if state not in TRANSITIONS[self.state]:
            raise ValueError(f"sync log {self.id}: {self.state} -> {state} is not allowed")
        now = fields.Datetime.now()
        clock = self.env.cr.cache.get(CLOCKS, {}).pop(self.id, None)
        if clock is not None:
            duration = round((time.perf_counter() - clock) * 1000)
        else:  # started in another transaction: the stored times, to the second
            duration = int((now - self.started_at).total_seconds() * 1000) if self.started_at else 0
        vals = {"state": state, "finished_at": now, "duration_ms": duration}
        if error is not None:
            vals["error_class"] = type(error).__name__
            vals["error_message"] = redact(str(error), limit=4000)
        if record:
            vals.update(res_model=record._name, res_id=record.id)
        if external_id:
            vals["external_id"] = str(external_id)
        self.write(vals)
        return self

    @api.autovacuum
    def _gc_old_logs(self):
        for backend in self.env["connector.backend"].with_context(active_test=False).search([]):
            limit = fields.Datetime.now() - timedelta(days=backend.log_retention_days or 90)
            self.search([("backend_id", "=", backend.id), ("create_date", "<", limit)], limit=10000).unlink()
