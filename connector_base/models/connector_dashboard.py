"""The operations dashboard: per connection, what the kanban card shows (errors in the last 24
hours, quarantine by reason, the last books-agree result) and the watch on its health: an
hourly sample of its error rate and queue depth, and one activity for the manager when either
moves more than 20% above its own 7-day baseline, once per episode (until it falls back)."""

from datetime import timedelta

from odoo import api, fields, models

#: how far above the baseline an episode starts
ALERT_RATIO = 1.2
BASELINE_DAYS = 7
WATCHED = {"error_rate": "Error rate", "queue_depth": "Queue depth"}


class ConnectorHealthSample(models.Model):
    _name = "connector.health.sample"
    _description = "A connection's health, sampled every hour"
    _order = "sampled_at desc, id desc"

    backend_id = fields.Many2one("connector.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    sampled_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    error_rate = fields.Float("Error rate (24 h, %)", digits=(5, 1))
    queue_depth = fields.Integer("Jobs waiting")


class ConnectorSyncLog(models.Model):
    _inherit = "connector.sync.log"

    # Odoo's graph and pivot group dates by day at the finest: the hour is a field of its own
    logged_hour = fields.Char("Hour", compute="_compute_logged_hour", store=True, index=True)

    @api.depends("create_date")
    def _compute_logged_hour(self):
        for log in self:
            log.logged_hour = log.create_date.strftime("%Y-%m-%d %H:00") if log.create_date else False


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    errors_24h = fields.Integer("Errors (24 h)", compute="_compute_dashboard")
    quarantine_by_reason = fields.Char("Quarantine by reason", compute="_compute_dashboard")
    health_episode = fields.Char(
        copy=False, help="The figures above their 7-day baseline now (one activity per episode)."
    )

    def _compute_dashboard(self):
        since = fields.Datetime.now() - timedelta(hours=24)
        errors = dict(
            self.env["connector.sync.log"]
            .sudo()
            ._read_group(
                [
                    ("backend_id", "in", self.ids),
                    ("create_date", ">=", since),
                    ("state", "in", ("failed", "quarantined")),
                ],
                ["backend_id"],
                ["__count"],
            )
        )
        Quarantine = self.env["connector.quarantine"].sudo()
        reasons = dict(Quarantine._fields["reason"]._description_selection(self.env))
        by_reason = {}
        for backend, reason, count in Quarantine._read_group(
            [("backend_id", "in", self.ids), ("state", "=", "open")], ["backend_id", "reason"], ["__count"]
        ):
            by_reason.setdefault(backend.id, []).append(f"{reasons.get(reason, reason)}: {count}")
        for backend in self:
            backend.errors_24h = errors.get(backend, 0)
            backend.quarantine_by_reason = ", ".join(sorted(by_reason.get(backend.id, []))) or False

    # ------------------------------------------------------------------ the watch
    @api.model
    def _cron_health_watch(self):
        for backend in self.search([("state", "=", "connected")]):
            backend._health_watch()

    def _health_watch(self, now=None):
        """Sample the figures, compare them with the 7-day baseline (the samples before this
        one), and tell the manager once when an episode starts."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        Sample = self.env["connector.health.sample"].sudo()
        history = Sample.search(
            [
                ("backend_id", "=", self.id),
                ("sampled_at", ">=", now - timedelta(days=BASELINE_DAYS)),
                ("sampled_at", "<", now),
            ]
        )
        current = {"error_rate": self.error_rate, "queue_depth": self.jobs_pending}
        Sample.create({"backend_id": self.id, "sampled_at": now, **current})
        if not history:
            return []
        above = []
        for field in WATCHED:
            baseline = sum(history.mapped(field)) / len(history)
            if current[field] > baseline * ALERT_RATIO and current[field] > 0:
                above.append((field, current[field], baseline))
        was = set((self.health_episode or "").split())
        now_above = {field for field, _c, _b in above}
        started = [item for item in above if item[0] not in was]
        self.health_episode = " ".join(sorted(now_above)) or False
        if started:
            self._health_activity(started)
        return started

    def _health_activity(self, started):
        lines = [
            self.env._(
                "%(figure)s: %(now).1f, its 7-day baseline %(baseline).1f",
                figure=self.env._(WATCHED[field]),
                now=value,
                baseline=baseline,
            )
            for field, value, baseline in started
        ]
        user = self._books_manager()
        if not user:
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("%(name)s: more than 20%% above its usual", name=self.name),
            note="<br/>".join(lines),
            user_id=user.id,
        )
