"""Kashoo on the connection: every unknown of Kashoo's API a setting (fed to the lib's
``KashooSettings``), the user token stored encrypted, and the adapter.

Simple fields hold what a manager may change (auth mode, how the password travels, the page size,
the poll window, the contacts and record paths); JSON text fields hold the type map and the line
and tax field names; what the probe found at connect (collections off with their reason, a tax
list, the record path, the business) is written back here for the accountant to see."""

import json

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.connector_base.lib.secrets import mask

from ..lib import settings as kashoo_settings
from ..lib.adapter import KashooAdapter
from ..lib.client import KashooClient, parse_token

WEBHOOK_PATH = "/connector_kashoo/webhook"
DEFAULT_BASE_URL = kashoo_settings.KashooSettings.base_url


def _json_text(value):
    return json.dumps(value, indent=1, sort_keys=True)


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    provider = fields.Selection(
        selection_add=[("kashoo", "Kashoo")],
        ondelete={"kashoo": "set default"},
    )
    kashoo_api_prefix = fields.Char("API path prefix", default="/api")
    kashoo_auth_mode = fields.Selection(
        [
            ("token_uuid", "User token (TOKEN uuid:)"),
            ("token_json", "User token (TOKEN json:)"),
            ("oauth2", "OAuth app (Bearer)"),
        ],
        "Kashoo sign-in",
        default="token_uuid",
        help="How every call carries the token. A user token comes from the Kashoo e-mail and password once "
        "(or is pasted); an OAuth app needs the endpoints Kashoo gives with it.",
    )
    kashoo_credentials = fields.Selection(
        [("form", "Form fields"), ("basic", "HTTP Basic")],
        "How the password is sent",
        default="form",
        help="How POST authTokens takes the e-mail and password (public clients differ).",
    )
    kashoo_page_size = fields.Integer("Page size", default=100)
    kashoo_poll_window_days = fields.Integer(
        "Poll window (days)",
        default=35,
        help="Kashoo has no modified-since filter: each poll re-reads the records dated in the last so many days "
        "and imports only what changed.",
    )
    kashoo_contacts_path = fields.Char("Contacts path", default=kashoo_settings.CONTACTS_SYNC)
    kashoo_record_path = fields.Selection(
        [("flat", "records/{id}"), ("typed", "records/{collection}/{id}"), ("none", "None")],
        "Path to one record",
        default="flat",
    )
    kashoo_type_map = fields.Text(
        "Record types",
        default=lambda self: _json_text(kashoo_settings.TYPE_MAP),
        help="Kashoo record type -> role (invoice, bill, invoice_payment, bill_payment, transfer, skip).",
    )
    kashoo_field_names = fields.Text(
        "Line and tax field names",
        default=lambda self: _json_text(kashoo_settings.FIELDS),
    )
    kashoo_compound_taxes = fields.Char("Compound taxes", help="Abbreviations charged on the taxes before them.")
    kashoo_tax_list = fields.Boolean("Tax list answers", readonly=True)
    kashoo_disabled = fields.Text("Collections off", readonly=True, default="{}", copy=False)
    kashoo_probe_summary = fields.Text("What Kashoo answered", readonly=True, copy=False)
    kashoo_probe_report = fields.Text(readonly=True, copy=False, groups="base.group_no_one")
    kashoo_probe_at = fields.Datetime("Checked on", readonly=True, copy=False)
    kashoo_kinds_off = fields.Text(readonly=True, default="{}", copy=False)
    kashoo_token = fields.Char(
        "Kashoo token",
        compute="_compute_kashoo_token",
        inverse="_inverse_kashoo_token",
        copy=False,
        help="Paste a user token (TOKEN uuid:..., TOKEN json:{...}) or an OAuth access token. Stored encrypted.",
    )
    kashoo_webhook_url = fields.Char("Notification URL", compute="_compute_kashoo_webhook_url")

    @api.depends("provider")
    def _compute_kashoo_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for backend in self:
            backend.kashoo_webhook_url = f"{base}{WEBHOOK_PATH}" if backend.provider == "kashoo" else False

    def _compute_kashoo_token(self):
        for backend in self:
            backend.kashoo_token = mask(backend.has_token) if backend.provider == "kashoo" else False

    def _inverse_kashoo_token(self):
        for backend in self:
            value = backend.kashoo_token
            if not value or value == mask(True):
                continue
            backend._kashoo_save_token(value)

    def _kashoo_save_token(self, text):
        """Keep a user token (or an OAuth access token) encrypted, with its own expiry when it has one."""
        self.ensure_one()
        self.invalidate_recordset(["has_token", "kashoo_token"])
        if self.kashoo_auth_mode == "oauth2":
            self._save_token({"access_token": text.strip().removeprefix("Bearer ").strip()})
            return
        token = parse_token(text)
        values = {"access_token": token.text, "token_form": token.form}
        if token.expires_at:
            values["expires_at"] = int(token.expires_at)
        if self.kashoo_auth_mode != f"token_{token.form}":
            self.kashoo_auth_mode = f"token_{token.form}"  # the token says how it is sent
        self._save_token(values)

    def _provider_ready(self):
        return self.provider == "kashoo" or super()._provider_ready()

    # ------------------------------------------------------------------ settings
    @api.constrains(
        "provider",
        "api_url",
        "kashoo_api_prefix",
        "kashoo_auth_mode",
        "kashoo_credentials",
        "kashoo_page_size",
        "kashoo_poll_window_days",
        "kashoo_contacts_path",
        "kashoo_type_map",
        "kashoo_field_names",
        "token_url",
    )
    def _check_kashoo_settings(self):
        for backend in self.filtered(lambda b: b.provider == "kashoo"):
            try:
                backend._kashoo_settings()
            except ValueError as exc:
                raise ValidationError(self.env._("Kashoo settings: %(problems)s", problems=exc)) from None

    def _kashoo_json(self, field, default):
        text = (self[field] or "").strip()
        if not text:
            return default
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{self._fields[field].string}: not JSON ({exc})") from None
        if not isinstance(value, dict):
            raise ValueError(f"{self._fields[field].string}: a JSON object")
        return value

    def _kashoo_settings(self):
        """The lib's ``KashooSettings`` of this connection (ValueError naming what cannot work)."""
        self.ensure_one()
        compound = [c.strip() for c in (self.kashoo_compound_taxes or "").split(",") if c.strip()]
        return kashoo_settings.KashooSettings(
            base_url=self.api_url or DEFAULT_BASE_URL,
            api_prefix=self.kashoo_api_prefix or "",
            business_id=int(self.tenant_id) if (self.tenant_id or "").isdigit() else None,
            auth_mode=self.kashoo_auth_mode or "token_uuid",
            credentials=self.kashoo_credentials or "form",
            oauth_authorize_url=self.auth_url or None,
            oauth_token_url=self.token_url or None,
            oauth_revoke_url=self.revoke_url or None,
            page_size=self.kashoo_page_size,
            type_map=self._kashoo_json("kashoo_type_map", dict(kashoo_settings.TYPE_MAP)),
            contacts_path=self.kashoo_contacts_path or kashoo_settings.CONTACTS_SYNC,
            fields=self._kashoo_json("kashoo_field_names", {}),
            tax_list=self.kashoo_tax_list,
            compound_taxes=compound,
            record_path=self.kashoo_record_path or "flat",
            disabled=self._kashoo_json("kashoo_disabled", {}),
            poll_window_days=self.kashoo_poll_window_days,
            home_currency=self.company_id.currency_id.name or "CAD",
            read_timeout=float(max(self.request_timeout or 60, 1)),
        )

    def _kashoo_client(self, settings=None):
        self.ensure_one()
        try:
            settings = settings or self._kashoo_settings()
        except ValueError as exc:
            raise UserError(self.env._("Kashoo settings: %(problems)s", problems=exc)) from None
        if settings.auth_mode == "oauth2":
            token = self._kashoo_oauth_token
        else:
            token = self._get_token().get("access_token")
            if not token:
                raise UserError(
                    self.env._("Sign in to Kashoo first (Connect) or paste a token on '%(name)s'.", name=self.name)
                )
        return KashooClient(settings, token)

    def _kashoo_oauth_token(self, rejected=None):
        """The OAuth access token; Kashoo's refresh is unknown: a refused one means reconnecting."""
        from odoo.addons.connector_base.lib import errors

        token = self._get_token().get("access_token")
        if not token or token == rejected:
            raise errors.AuthError("the Kashoo access token was refused")
        return token

    def _get_adapter(self):
        if self.provider != "kashoo":
            return super()._get_adapter()
        self.ensure_one()
        if not self.tenant_id:
            raise UserError(self.env._("Connect '%(name)s' to a Kashoo business first.", name=self.name))
        return KashooAdapter(self._kashoo_client(), conflict_policy=self.conflict_policy)

    # ------------------------------------------------------------------ change detection
    def _sweep_since(self, hours):
        """Kashoo has no modified-since filter: the nightly sweep re-reads the whole start-date range."""
        if self.provider != "kashoo":
            return super()._sweep_since(hours)
        return self._start_position()
