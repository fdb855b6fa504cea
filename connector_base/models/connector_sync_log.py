from datetime import timedelta

from odoo import api, fields, models

from ..lib.http import redact

STATES = [
    ("pending", "Pending"),
    ("running", "Running"),
    ("done", "Done"),
    ("retrying", "Retrying"),
    ("quarantined", "Quarantined"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]
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

    backend_id = fields.Many2one("connector.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    direction = fields.Selection([("import", "Import"), ("export", "Export")], required=True)
    entity = fields.Char(required=True)
    external_id = fields.Char(index=True)
    res_model = fields.Char()
    res_id = fields.Many2oneReference(model_field="res_model")
    state = fields.Selection(STATES, default="pending", required=True, index=True)
    started_at = fields.Datetime()
    finished_at = fields.Datetime()
    duration_ms = fields.Integer()
    error_class = fields.Char()
    error_message = fields.Text()
    request_excerpt = fields.Text()
    response_excerpt = fields.Text()
    correlation_id = fields.Char(index=True)
    job_uuid = fields.Char(index=True)

    @api.model
    def _start(self, backend, direction, entity, external_id=None, record=None, correlation_id=None):
        return self.sudo().create(
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
        vals = {
            "state": state,
            "finished_at": now,
            "duration_ms": int((now - self.started_at).total_seconds() * 1000) if self.started_at else 0,
        }
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
