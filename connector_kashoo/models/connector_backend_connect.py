"""Connecting a Kashoo business: the sign-in (a wizard asks the e-mail and password once, or a
token is pasted), then the probe on Connect and Test connection: what answers is written on the
connection for the accountant, and each kind whose collection does not answer is turned off with
the reason. A refused token goes through connector_base's needs-reconnect path (one message)."""

import json
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.models.connector_backend import DIRECTION_FIELDS

from ..lib.probe import probe

_logger = logging.getLogger(__name__)


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    def _provider_connect(self):
        if self.provider != "kashoo":
            return super()._provider_connect()
        self.ensure_one()
        if not self.has_token or self.state == "needs_reconnect":
            if self.kashoo_auth_mode == "oauth2":
                raise UserError(
                    self.env._(
                        "Paste the access token of the Kashoo OAuth app on the Credentials tab, then Connect again."
                    )
                )
            return self._kashoo_sign_in_action()
        self._kashoo_connect()
        return None

    def _kashoo_sign_in_action(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sign in to Kashoo"),
            "res_model": "connector.kashoo.sign.in",
            "view_mode": "form",
            "target": "new",
            "context": {"default_backend_id": self.id},
        }

    def _kashoo_connect(self):
        """Probe the business; connected when it answers. A refused token: needs reconnect."""
        try:
            report = self._kashoo_probe()
        except errors.AuthError as exc:
            self._mark_needs_reconnect(exc)
            return None
        except errors.ConnectorError as exc:
            raise UserError(self.env._("Kashoo did not answer as expected: %(error)s", error=exc)) from None
        self._mark_connected()
        self.message_post(
            body=self.env._("Connected to the Kashoo business %(name)s.", name=report.business_name),
            subtype_xmlid="mail.mt_note",
        )
        return report

    def action_test_connection(self):
        if self.provider != "kashoo":
            return super().action_test_connection()
        self.ensure_one()
        self._check_provider_ready()
        try:
            report = self._kashoo_probe()
        except errors.AuthError as exc:
            self._mark_needs_reconnect(exc)
            return self._kashoo_notify("danger", self.env._("Kashoo refused the token"), str(exc))
        except errors.ConnectorError as exc:
            raise UserError(self.env._("Connection failed: %(error)s", error=exc)) from None
        if self.state == "needs_reconnect":
            self._mark_connected()
        return self._kashoo_notify("success", self.env._("Connection works"), report.summary())

    def _kashoo_notify(self, kind, title, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": kind, "title": title, "message": message, "sticky": kind != "success"},
        }

    def _kashoo_probe(self):
        """Run the lib's probe and keep what it found; turn off the kinds that do not answer."""
        self.ensure_one()
        settings = self._kashoo_settings()
        settings.disabled = {}  # what does not answer is found again, what answers again is back on
        report = probe(self._kashoo_client(settings))
        changes = report.settings_changes()
        vals = {
            "tenant_id": str(report.business_id),
            "tenant_name": report.business_name,
            "kashoo_disabled": json.dumps(changes["disabled"], sort_keys=True),
            "kashoo_tax_list": changes["tax_list"],
            "kashoo_probe_summary": report.summary(),
            "kashoo_probe_report": json.dumps(report.as_dict(), indent=1, sort_keys=True, default=str),
            "kashoo_probe_at": fields.Datetime.now(),
        }
        if changes.get("contacts_path"):
            vals["kashoo_contacts_path"] = changes["contacts_path"]
        if changes.get("record_path"):
            vals["kashoo_record_path"] = changes["record_path"]
        if report.learned_types:
            vals["kashoo_type_map"] = json.dumps(report.type_map(settings.type_map), indent=1, sort_keys=True)
        self.sudo().write(vals)
        self._kashoo_turn_off(report.kinds_off)
        return report

    def _kashoo_turn_off(self, kinds_off):
        """Each kind Kashoo does not answer for is off, with its reason on the connection and in the
        chatter; a kind this did turn off earlier and that answers again is back to its default."""
        before = json.loads(self.kashoo_kinds_off or "{}")
        vals, lines = {}, []
        for kind, field in DIRECTION_FIELDS.items():
            if kind in kinds_off:
                if self[field] != "off":
                    vals[field] = "off"
                if before.get(kind) != kinds_off[kind]:
                    lines.append(f"{self._fields[field].string}: {kinds_off[kind]}")
            elif kind in before:
                vals[field] = self._fields[field].default(self)
                lines.append(self.env._("%(kind)s: Kashoo answers again, back on", kind=self._fields[field].string))
        vals["kashoo_kinds_off"] = json.dumps(kinds_off, sort_keys=True)
        self.sudo().write(vals)
        if lines:
            self.message_post(
                body=self.env._("Kashoo check: %(lines)s", lines="; ".join(lines)), subtype_xmlid="mail.mt_note"
            )

    def _kashoo_off_reasons(self):
        """Kind -> why it is off, as the last check found it."""
        self.ensure_one()
        return json.loads(self.kashoo_kinds_off or "{}")

    # ------------------------------------------------------------------ signed notifications
    @api.model
    def _kashoo_handle_events(self, events, signers, payload):
        """Notification events to connector_base's inbox: a Kashoo record type (by the connection's
        type map), ``contact`` or ``account`` becomes a canonical kind; the re-read decides."""
        from ..lib.settings import ROLES

        business = events[0]["business"] if events else None
        signed = [backend for backend in signers if backend.tenant_id == business]
        try:
            type_map = signed[0]._kashoo_settings().type_map if signed else {}
        except ValueError:
            type_map = {}
        neutral = []
        for event in events:
            wire = event["type"]
            role = type_map.get(wire) or type_map.get(wire.upper())
            kind = {"contact": "party", "account": "account"}.get(wire.lower()) or (ROLES[role][0] if role else None)
            neutral.append(
                {
                    "tenant": business,
                    "kind": kind,
                    "label": wire,
                    "external_ids": [event["record"]],
                    "operation": event["operation"],
                    "dedup": event["dedup"],
                    "changed_at": event["changed_at"],
                }
            )
        return self._receive_webhook_events("kashoo", neutral, payload)
