import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.oauth import OAuth2Helper

from ..lib import client as qbo
from ..lib.adapter import QuickBooksAdapter

_logger = logging.getLogger(__name__)

CALLBACK_PATH = "/connector_quickbooks/oauth/callback"
WEBHOOK_PATH = "/connector_quickbooks/webhook"


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    provider = fields.Selection(
        selection_add=[("quickbooks", "QuickBooks Online")],
        ondelete={"quickbooks": "set default"},
    )
    qbo_tax_mode = fields.Selection(
        [("auto", "From the company's country"), ("us", "US sales tax (TAX / NON)"), ("global", "Tax codes")],
        "QuickBooks tax",
        default="auto",
        required=True,
        help="US companies mark lines TAX or NON and carry one tax code per document; other countries put a "
        "tax code on every line.",
    )
    qbo_minor_version = fields.Integer("API minor version", default=qbo.MINOR_VERSION)
    qbo_name_collision = fields.Selection(
        [
            ("link_or_suffix", "Link when e-mail or VAT matches, else add a suffix"),
            ("quarantine", "Send to review"),
        ],
        "Duplicate display names",
        default="link_or_suffix",
        required=True,
        help="QuickBooks wants a DisplayName unique across customers, vendors and employees (error 6240).",
    )
    redirect_uri = fields.Char("Redirect URI", compute="_compute_public_urls")
    webhook_url = fields.Char("Webhook URL", compute="_compute_public_urls")

    _sql_constraints = [
        (
            "qbo_minor_version_min",
            "CHECK(qbo_minor_version IS NULL OR qbo_minor_version >= 75)",
            "QuickBooks no longer serves API minor versions below 75.",
        ),
    ]

    @api.depends("provider")
    def _compute_public_urls(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for backend in self:
            quickbooks = backend.provider == "quickbooks"
            backend.redirect_uri = f"{base}{CALLBACK_PATH}" if quickbooks else False
            backend.webhook_url = f"{base}{WEBHOOK_PATH}" if quickbooks else False

    def _provider_ready(self):
        return self.provider == "quickbooks" or super()._provider_ready()

    # ------------------------------------------------------------------ endpoints and OAuth
    def _qbo_api_url(self):
        if self.api_url:
            return self.api_url
        return qbo.PRODUCTION_API if self.environment == "production" else qbo.SANDBOX_API

    def _qbo_oauth(self):
        self.ensure_one()
        secret = self._get_secret("client_secret")
        if not self.client_id or not secret:
            raise UserError(self.env._("Enter the Intuit app's client ID and client secret first."))
        return OAuth2Helper(
            client_id=self.client_id,
            client_secret=secret,
            authorize_url=self.auth_url or qbo.AUTHORIZE_URL,
            token_url=self.token_url or qbo.TOKEN_URL,
            revoke_url=self.revoke_url or qbo.REVOKE_URL,
            redirect_uri=self.redirect_uri,
            scope=qbo.SCOPE,
        )

    def _provider_connect(self):
        if self.provider != "quickbooks":
            return super()._provider_connect()
        self.ensure_one()
        oauth = self._qbo_oauth()
        state = oauth.new_state()
        self.sudo().oauth_state = f"{self.id}:{state}"
        return {"type": "ir.actions.act_url", "url": oauth.authorization_url(f"{self.id}:{state}"), "target": "self"}

    def _qbo_finish_oauth(self, code, realm_id):
        """The callback's second half: exchange the code, keep the realm and the tokens."""
        self.ensure_one()
        token = self._qbo_oauth().fetch_token(code)
        self._save_token(token)
        self.sudo().write({"tenant_id": realm_id, "oauth_state": False})
        try:
            self.tenant_name = self._get_adapter().test_connection()
        except errors.ConnectorError as exc:
            _logger.warning("backend %s: connected, but reading the company failed: %s", self.id, exc)
        self._mark_connected()
        self.message_post(
            body=self.env._("Connected to the QuickBooks company %(name)s.", name=self.tenant_name or realm_id)
        )

    def _provider_disconnect(self):
        if self.provider != "quickbooks":
            return super()._provider_disconnect()
        token = self._get_token()
        if token.get("refresh_token") and self.client_id and self._get_secret("client_secret"):
            self._qbo_oauth().revoke(token["refresh_token"])

    def _get_adapter(self):
        if self.provider != "quickbooks":
            return super()._get_adapter()
        self.ensure_one()
        if not self.tenant_id:
            raise UserError(self.env._("Connect '%(name)s' to a QuickBooks company first.", name=self.name))
        backend = self

        def refresh(refresh_token):
            return backend._qbo_oauth().refresh_token(refresh_token)

        manager = self._token_manager(refresh)
        client = qbo.QuickBooksClient(
            self.tenant_id,
            manager.access_token,
            api_url=self._qbo_api_url(),
            minor_version=self.qbo_minor_version or qbo.MINOR_VERSION,
            timeout=(5.0, float(max(self.request_timeout or 60, 1))),
        )
        return QuickBooksAdapter(
            client,
            tax_mode=None if self.qbo_tax_mode == "auto" else self.qbo_tax_mode,
            home_currency=None,
            name_collision=self.qbo_name_collision,
            conflict_policy=self.conflict_policy,
        )

    # ------------------------------------------------------------------ webhooks
    @api.model
    def _qbo_handle_events(self, events, signers, payload):
        """QuickBooks webhook events (realm, entity, id, operation, dedup, deleted_id) to the
        provider-neutral inbox: entities become canonical kinds and external ids."""
        from ..lib.mappers import ENTITY_KIND, ext_id

        neutral = []
        for event in events:
            kind = ENTITY_KIND.get(event["entity"])
            ids = [event["id"]] + ([event["deleted_id"]] if event.get("deleted_id") else [])
            neutral.append(
                {
                    "tenant": event["realm"],
                    "kind": kind,
                    "label": event["entity"],
                    "external_ids": [ext_id(event["entity"], doc_id) for doc_id in ids] if kind else ids,
                    "operation": event["operation"],
                    "dedup": event["dedup"],
                    "changed_at": event.get("changed_at"),
                }
            )
        return self._receive_webhook_events("quickbooks", neutral, payload)
