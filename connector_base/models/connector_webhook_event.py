from odoo import api, fields, models


class ConnectorWebhookEvent(models.Model):
    """The webhook inbox: one verified event per row, deduplicated by ``dedup_key``.

    The body is kept for audit only: the job that handles the event re-reads the record
    from the provider's API and never trusts the body."""

    _name = "connector.webhook.event"
    _description = "Connector Webhook Event"
    _order = "id desc"
    _rec_name = "dedup_key"

    backend_id = fields.Many2one("connector.backend", ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    provider = fields.Char(required=True)
    dedup_key = fields.Char(required=True)
    received_at = fields.Datetime(default=fields.Datetime.now, required=True)
    kind = fields.Char("Record type")
    external_id = fields.Char()
    operation = fields.Char()
    payload = fields.Text()
    state = fields.Selection(
        [
            ("received", "Received"),
            ("queued", "Queued"),
            ("done", "Done"),
            ("ignored", "Ignored"),
            ("failed", "Failed"),
        ],
        default="received",
        required=True,
        index=True,
    )
    note = fields.Char()

    _sql_constraints = [
        ("dedup_uniq", "unique(provider, dedup_key)", "This event was already received."),
    ]

    @api.model
    def _store(self, vals_list):
        """Insert events, skipping those already received; return the new ones.

        Uses INSERT ... ON CONFLICT DO NOTHING so that two deliveries of one event racing
        each other store it once, without an exception in either request."""
        created = self.browse()
        for vals in vals_list:
            self.env.cr.execute(
                """INSERT INTO connector_webhook_event
                       (backend_id, provider, dedup_key, received_at, kind, external_id, operation, payload, state,
                        create_uid, write_uid, create_date, write_date)
                   VALUES (%s, %s, %s, now() at time zone 'UTC', %s, %s, %s, %s, 'received', %s, %s,
                           now() at time zone 'UTC', now() at time zone 'UTC')
                   ON CONFLICT (provider, dedup_key) DO NOTHING
                   RETURNING id""",
                [
                    vals.get("backend_id"),
                    vals["provider"],
                    vals["dedup_key"],
                    vals.get("kind"),
                    vals.get("external_id"),
                    vals.get("operation"),
                    vals.get("payload"),
                    self.env.uid,
                    self.env.uid,
                ],
            )
            row = self.env.cr.fetchone()
            if row:
                created |= self.browse(row[0])
        return created

    @api.autovacuum
    def _gc_old_events(self):
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=30)
        self.search([("received_at", "<", limit), ("state", "in", ("done", "ignored"))], limit=10000).unlink()
