from odoo import api, fields, models


class ConnectorWebhookEvent(models.Model):
    """The webhook inbox: one verified event per row, deduplicated by ``dedup_key``.

    The body is kept for audit only: the job that handles the event re-reads the record
    from the provider's API and never trusts the body."""

    _name = "connector.webhook.event"
    _description = "Connector Webhook Event"
    _order = "id desc"
    _rec_name = "dedup_key"

    backend_id = fields.Many2one("connector.backend", "Connection", ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    provider = fields.Char(required=True)
    dedup_key = fields.Char("Delivery key", required=True)
    received_at = fields.Datetime("Received", default=fields.Datetime.now, required=True)
    kind = fields.Char("Record type")
    external_id = fields.Char("Reference at the provider")
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

    @api.model
    def _mark_handled(self, backend, kind, external_id):
        """The re-read job of a record finished: the events that announced it are done, or
        failed when the record went to quarantine (the note says so)."""
        events = self.sudo().search(
            [
                ("backend_id", "=", backend.id),
                ("kind", "=", kind),
                ("external_id", "=", str(external_id)),
                ("state", "=", "queued"),
            ]
        )
        if not events:
            return events
        row = (
            self.env["connector.quarantine"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("direction", "=", "import"),
                    ("kind", "=", kind),
                    ("external_id", "=", str(external_id)),
                    ("state", "=", "open"),
                ],
                limit=1,
            )
        )
        if row:
            reasons = dict(row._fields["reason"]._description_selection(self.env))
            events.write({"state": "failed", "note": self.env._("In quarantine: %(why)s", why=reasons[row.reason])})
        else:
            events.write({"state": "done", "note": False})
        return events

    @api.autovacuum
    def _gc_old_events(self):
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=30)
        self.search([("received_at", "<", limit), ("state", "in", ("done", "ignored"))], limit=10000).unlink()
