"""The scheduled actions: the poll (an incremental import of each kind when the connection's
interval is due) and the nightly sweep (a re-read of the last hours, cursors left alone)."""

from datetime import timedelta

from odoo import api, fields, models

from ...lib.provider import KINDS_IN_ORDER
from .jobs import SWEEP_PRIORITY

POLL_SLACK = timedelta(seconds=30)


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    @api.model
    def _cron_poll(self):
        """Enqueue an incremental import for every connected backend whose interval is due. The
        scheduler wakes once a minute, a little after the last poll's reads ended: an interval
        that ends within the next half minute counts as due (else one minute would poll every two)."""
        soon = fields.Datetime.now() + POLL_SLACK
        for backend in self.search([("state", "=", "connected")]):
            if backend.last_sync_at and backend.last_sync_at + timedelta(minutes=backend.poll_interval or 5) > soon:
                continue
            backend._enqueue_each_kind("import_batch", "poll {kind}")

    @api.model
    def _cron_sweep(self, hours=25):
        """The daily reconciliation: re-read everything changed in the last ``hours``,
        without moving the cursors, to catch what a lost webhook or a failed poll missed."""
        for backend in self.search([("state", "=", "connected")]):
            backend._enqueue_each_kind("sweep", f"reconcile {{kind}} (last {hours} h)", hours, priority=SWEEP_PRIORITY)

    def _enqueue_each_kind(self, job, description, *args, priority=None):
        """One ``_job_<job>(kind, *args)`` per imported kind, dependencies first; the identity
        key makes a repeat of a job that still waits a no-op."""
        for kind in KINDS_IN_ORDER:
            if self._imports(kind):
                delayed = self.with_delay(
                    channel=self._channel(),
                    priority=priority,
                    identity_key=f"{job}:{self.id}:{kind}",
                    description=f"{self.name}: {description.format(kind=kind)}",
                )
                getattr(delayed, f"_job_{job}")(kind, *args)
