"""Webhook events, once a provider addon's controller has checked them: stored in the inbox
once per delivery, and a re-read of each record queued (later when it is most likely the
echo of our own export)."""

from odoo import api, models

from .jobs import ECHO_PRIORITY, WEBHOOK_PRIORITY


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    @api.model
    def _receive_webhook_events(self, provider, events, payload):
        """Store verified webhook events in the inbox and queue a re-read of each record.

        ``events``: dicts with tenant, kind (None when the connector does not import that
        type), label, external_ids (the record first; for a merge, also the one merged
        away), operation, dedup and changed_at (a naive UTC datetime, or None). A repeated
        delivery is stored once and queues nothing; the jobs re-read the records and never
        trust the body. Return the jobs queued."""
        Inbox = self.env["connector.webhook.event"].sudo()
        queued = 0
        for event in events:
            backends = self.sudo().search(
                [
                    ("provider", "=", provider),
                    ("tenant_id", "=", event["tenant"]),
                    ("state", "in", ("connected", "paused", "needs_reconnect")),
                ]
            )
            kind = event["kind"]
            for backend in backends:
                stored = Inbox._store(
                    [
                        {
                            "backend_id": backend.id,
                            "provider": provider,
                            "dedup_key": f"{backend.id}:{event['dedup']}",
                            "kind": kind or event["label"],
                            "external_id": event["external_ids"][0],
                            "operation": event["operation"],
                            "payload": payload,
                        }
                    ]
                )
                if not stored:
                    continue  # a duplicate delivery
                if not kind or not backend._imports(kind):
                    stored.write({"state": "ignored", "note": "not imported by this connection"})
                    continue
                for external_id in event["external_ids"]:
                    echo = backend._exported_since(kind, external_id, event.get("changed_at"))
                    backend.with_delay(
                        channel=backend._channel(),
                        priority=ECHO_PRIORITY if echo else WEBHOOK_PRIORITY,
                        identity_key=f"import_record:{backend.id}:{kind}:{external_id}",
                        description=f"{backend.name}: {event['operation'].lower()} {external_id}",
                    )._job_import_record(kind, external_id)
                    queued += 1
                stored.write({"state": "queued"})
        return queued

    @api.model
    def _webhook_secrets(self, provider):
        """(connection, webhook secret) of every connection of ``provider`` that has one."""
        backends = self.sudo().with_context(active_test=False).search([("provider", "=", provider)])
        return [(b, b._get_secret("webhook_secret")) for b in backends if b._get_secret("webhook_secret")]

    @api.model
    def _tenants_not_signed(self, provider, tenants, signers):
        """The companies among ``tenants`` connected here, none of whose connections is among ``signers``."""
        connected = (
            self.sudo()
            .with_context(active_test=False)
            .search([("provider", "=", provider), ("tenant_id", "in", list(tenants))])
        )
        return sorted(set(connected.mapped("tenant_id")) - set(signers.mapped("tenant_id")))

    def _exported_since(self, kind, external_id, moment):
        """True when our last write of this record to the provider is as recent as a change
        made at ``moment``: the change is most likely that write."""
        if not moment:
            return False
        return bool(
            self.env["connector.binding"]
            .sudo()
            .search_count(
                [
                    ("backend_id", "=", self.id),
                    ("external_type", "=", kind),
                    ("external_id", "=", str(external_id)),
                    ("last_direction", "=", "export"),
                    ("last_sync_at", ">=", moment),
                ],
                limit=1,
            )
        )
