import json
import logging
from decimal import Decimal, InvalidOperation

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.errors import QUARANTINE_REASONS
from ..lib.money import json_dumps, json_loads

_logger = logging.getLogger(__name__)

#: where Force means something: it creates the partner that was ambiguous, applies the
#: provider's side of a conflict, accepts Odoo's total of a rounding; elsewhere it is a Retry
#: that skips those checks unasked. Imports only: an export has nothing to force.
FORCE_REASONS = ("partner_ambiguous", "conflict", "rounding_diff")
#: the largest difference that is a rounding (the engine books one of at most a cent itself)
MAX_ROUNDING = Decimal("0.01")


def is_rounding(difference):
    """True when ``difference`` (a decimal string, the provider's total less Odoo's) is a rounding."""
    try:
        return abs(Decimal(difference)) <= MAX_ROUNDING
    except (InvalidOperation, TypeError, ValueError):
        return False  # unknown: not shown to be a rounding


class ConnectorQuarantine(models.Model):
    """The accountant's work queue: records that cannot go through without a person."""

    _name = "connector.quarantine"
    _description = "Quarantined record"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "display_label"

    backend_id = fields.Many2one("connector.backend", "Connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    provider = fields.Selection(related="backend_id.provider")
    reason = fields.Selection(QUARANTINE_REASONS, required=True, index=True, tracking=True)
    state = fields.Selection(
        [("open", "To review"), ("resolved", "Resolved"), ("ignored", "Ignored")],
        default="open",
        required=True,
        index=True,
        tracking=True,
    )
    direction = fields.Selection([("import", "From the provider"), ("export", "To the provider")], required=True)
    kind = fields.Char("Record type code", required=True)
    external_id = fields.Char("Reference at the provider", index=True)
    res_model = fields.Char("Odoo model")
    res_id = fields.Many2oneReference("Odoo record id", model_field="res_model")
    message = fields.Text("Connector message", required=True)
    suggested_fix = fields.Text("What to do")
    payload = fields.Text(
        "Raw data", readonly=True, help="The record as the connector received it (or was sending it), as JSON."
    )
    override_payload = fields.Text(
        "Corrected data", help="Edit a copy of the raw data here; Retry then uses it instead of the original."
    )
    waiting_model = fields.Char("Waits on model", help="The mapping model this record waits on.")
    waiting_key = fields.Char("Waits on key", help="The external id of the mapping this record waits on.")
    user_id = fields.Many2one("res.users", "Assigned to", tracking=True, index=True)
    retry_count = fields.Integer("Retries", readonly=True)
    age_days = fields.Integer("Days waiting", compute="_compute_age_days")
    total_difference = fields.Char(
        readonly=True, help="Of a rounding difference: the provider's total less Odoo's, in the document's currency."
    )
    force_allowed = fields.Boolean(
        compute="_compute_force_allowed",
        help="Force is offered only where it means something, and for totals only when they differ by a rounding.",
    )

    @api.depends("state", "direction", "reason", "total_difference")
    def _compute_force_allowed(self):
        for row in self:
            row.force_allowed = (
                row.state == "open"
                and row.direction == "import"
                and row.reason in FORCE_REASONS
                and (row.reason != "rounding_diff" or is_rounding(row.total_difference))
            )

    def _compute_age_days(self):
        now = fields.Datetime.now()
        for row in self:
            row.age_days = (now - row.create_date).days if row.create_date else 0

    # ------------------------------------------------------------------ creation
    @api.model
    def _put(self, backend, error, *, direction, kind, external_id=None, record=None, payload=None):
        """Open (or refresh) the quarantine row of this record; one open row per record."""
        domain = [
            ("backend_id", "=", backend.id),
            ("direction", "=", direction),
            ("kind", "=", kind),
            ("state", "=", "open"),
        ]
        if external_id:
            domain.append(("external_id", "=", str(external_id)))
        elif record:
            domain += [("res_model", "=", record._name), ("res_id", "=", record.id)]
        vals = {
            "reason": error.reason,
            "message": str(error),
            "suggested_fix": self._suggest_fix(error),
            "waiting_model": getattr(error, "mapping_model", False) or False,
            "waiting_key": getattr(error, "external_id", False) or False,
            "total_difference": (error.reason == "rounding_diff" and error.details.get("difference")) or False,
        }
        if payload is not None:
            vals["payload"] = payload if isinstance(payload, str) else json_dumps(payload, indent=1, sort_keys=True)
        row = self.sudo().search(domain, limit=1)
        if row:
            row.write(vals)
            return row
        vals.update(
            backend_id=backend.id,
            direction=direction,
            kind=kind,
            external_id=external_id and str(external_id),
            res_model=record._name if record else False,
            res_id=record.id if record else False,
        )
        return self.sudo().create(vals)

    def _suggest_fix(self, error):
        hints = {
            "mapping_missing": self.env._("Map it under Configuration > Connectors, then this record is retried."),
            "partner_ambiguous": self.env._("Pick the right partner in Partner Matching, or Force to create one."),
            "name_collision": self.env._("Rename one of the two records, or link them, then Retry."),
            "closed_period": self.env._("Reopen the period (lock dates) or change the date under Corrected data."),
            "currency_mismatch": self.env._("Activate the currency or fix the partner's currency, then Retry."),
            "rounding_diff": self.env._(
                "The totals differ by more than a rounding: check the document's taxes and their mappings, then "
                "Retry. Force is not offered: it would post a total the provider does not have."
            ),
            "validation": self.env._("Correct the record, or its data under Corrected data, and Retry."),
            "conflict": self.env._("Both sides changed: Force applies the provider's version, Ignore keeps Odoo's."),
            "outcome_unknown": self.env._("Check on the provider whether the record exists, then Retry."),
            "auth": self.env._("Reconnect the connection (Configuration > Connectors > Connections)."),
        }
        if error.reason == "mapping_missing" and getattr(error, "mapping_model", None) == "connector.binding":
            return self.env._(
                "Import the record it refers to (once the provider has it), or bind it to its Odoo record (Fix the "
                "mapping), then Retry."
            )
        if error.reason == "rounding_diff" and is_rounding(error.details.get("difference")):
            return self.env._(
                "A rounding: set a rounding account on the connection and Retry (the difference goes there), or "
                "Force to accept Odoo's total."
            )
        return hints.get(error.reason, "")

    # ------------------------------------------------------------------ actions
    def _payload_for_retry(self):
        self.ensure_one()
        text = self.override_payload or self.payload
        if not text:
            return None
        try:
            return json_loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(self.env._("The corrected data is not valid JSON: %(error)s", error=exc)) from None

    def _retry(self, force=False):
        engine = self.env["connector.engine"]
        for row in self.filtered(lambda r: r.state == "open"):
            row.retry_count += 1
            backend = row.backend_id.with_context(connector_force=force)
            if row.direction == "import":
                payload = row._payload_for_retry()
                if payload is None:
                    backend._job_import_record(row.kind, row.external_id)
                else:
                    engine.with_context(connector_force=force)._import_safely(backend, row.kind, payload)
            else:
                record = self.env[row.res_model].browse(row.res_id).exists()
                if not record:
                    row.state = "ignored"
                    continue
                engine.with_context(connector_force=force)._export_safely(backend, row.kind, record)
            # success leaves no open row for this record: _import_safely/_export_safely
            # resolve it; a new failure refreshed it with the new reason.

    def action_retry(self):
        self._retry()
        return True

    def action_force(self):
        refused = self.filtered(lambda row: not row.force_allowed)
        if refused:
            raise UserError(
                self.env._(
                    "Force is not possible for %(records)s: it only accepts a rounding, an ambiguous partner or the "
                    "provider's side of a conflict. Fix the cause and Retry.",
                    records=", ".join(refused.mapped("display_label")),
                )
            )
        self._retry(force=True)
        return True

    def action_ignore(self):
        self.write({"state": "ignored"})
        return True

    def action_reopen(self):
        self.filtered(lambda r: r.state == "ignored").write({"state": "open"})
        return True

    def action_open_mapping(self):
        """The exact mapping row this record waits on, created with the provider's name when
        it is not there yet. An export whose Odoo tax or account has no counterpart opens
        the choice of the provider's (``connector.counterpart.wizard``)."""
        self.ensure_one()
        if not self.can_fix_mapping:
            raise UserError(self.env._("This record does not wait on a mapping."))
        if self._waits_on_odoo_record():
            return self.env["connector.counterpart.wizard"]._action_for(self)
        Mapping = self.env[self.waiting_model]
        mapping = Mapping.search(
            [("backend_id", "=", self.backend_id.id), ("external_id", "=", self.waiting_key)], limit=1
        )
        if not mapping:
            Mapping._resolve(self.backend_id, self.waiting_key)
            mapping = Mapping.search(
                [("backend_id", "=", self.backend_id.id), ("external_id", "=", self.waiting_key)], limit=1
            )
        return dict(mapping._action_open(), context={"connector_quarantine_id": self.id})

    def _waits_on_odoo_record(self):
        """True when the key names an Odoo record with no counterpart (an export), not a provider's."""
        return bool(self.waiting_key and self.waiting_key.startswith("odoo:"))

    def _retry_and_show(self):
        """Retry this record now and show it again: resolved, or with its new reason."""
        self.ensure_one()
        if self.state == "open":
            self._retry()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "main",
        }

    def action_open_record(self):
        self.ensure_one()
        if not self.res_id:
            binding = self.env["connector.binding"]._find(self.backend_id, self.kind, self.external_id)
            if not binding:
                raise UserError(self.env._("No Odoo record yet."))
            return binding.action_open_record()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    def write(self, vals):
        resolving = self.filtered(lambda r: r.state == "open") if vals.get("state") == "resolved" else self.browse()
        res = super().write(vals)
        for row in resolving:
            row._post_resolved()
        return res

    def _post_resolved(self):
        """Say on the row what its resolution produced, with a link to it."""
        record = self._produced_record()
        binding = record and self.env["connector.binding"].sudo()._for_record(self.backend_id, self.kind, record)
        values = {
            "record": record._get_html_link(title=record.display_name) if record else self.external_id or "?",
            "provider": self.backend_id.provider_label,
            "reference": binding.external_id if binding else "?",
        }
        if self.direction == "import":
            body = Markup(self.env._("Resolved: imported as %(record)s.")) % values
        else:
            body = Markup(self.env._("Resolved: %(record)s is in %(provider)s as %(reference)s.")) % values
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _produced_record(self):
        """The Odoo record this row's record is (exports) or became (imports), if any."""
        if self.res_model and self.res_id and self.res_model in self.env:
            return self.env[self.res_model].browse(self.res_id).exists()
        if self.external_id:
            return self.env["connector.binding"].sudo()._find_record(self.backend_id, self.kind, self.external_id)
        return None

    @api.model
    def _requeue_waiting(self, mapping_model, backend, external_ids):
        """A mapping was fixed: retry, in a job each, every open row that waits on it."""
        rows = self.sudo().search(
            [
                ("state", "=", "open"),
                ("backend_id", "=", backend.id),
                ("waiting_model", "=", mapping_model),
                ("waiting_key", "in", list(external_ids)),
            ]
        )
        for row in rows:
            row.backend_id.with_delay(
                channel=row.backend_id._channel(),
                identity_key=f"quarantine_retry:{row.id}",
                description=f"Retry quarantined {row.display_name}",
            )._job_retry_quarantine(row.id)
        return rows
