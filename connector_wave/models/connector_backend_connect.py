"""Connecting to Wave: Connect -> Wave's consent page -> the callback -> the business to use
-> connected; or, for a developer's own business, a Full Access Token and the business.

Wave names the business chosen on its consent page in the token answer (``businessId``);
the businesses the sign-in reaches are listed on the connection, so that the accountant can
choose when Wave did not say (a Full Access Token reaches every business of its owner). When
Wave refuses to renew the access because the business's Pro or Advisor plan lapsed, the
connection says so in one message and its jobs wait for the reconnection.

Also here: the connection's side of the change notifications (``/connector_wave/webhook``).
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.secrets import mask

from ..lib import oauth as wave_oauth
from ..lib.mappers import id_kind

_logger = logging.getLogger(__name__)

CALLBACK_PATH = "/connector_wave/oauth/callback"
WEBHOOK_PATH = "/connector_wave/webhook"
#: Wave's record kinds (as notifications name them) -> canonical kinds
ENTITY_KIND = {
    "Customer": "party",
    "Vendor": "party",
    "Product": "product",
    "Account": "account",
    "SalesTax": "tax",
    "Invoice": "invoice",
    "InvoicePayment": "payment",
}


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    wave_full_access_token = fields.Char(
        "Full Access Token",
        compute="_compute_wave_full_access_token",
        inverse="_inverse_wave_full_access_token",
        copy=False,
        help="For your own Wave business only (Wave's developer portal, Manage applications): used instead of "
        "signing in through Wave's consent page. It reaches every business of its owner and does not expire.",
    )
    wave_redirect_uri = fields.Char("Redirect URI", compute="_compute_wave_urls")
    wave_webhook_url = fields.Char("Notification URL", compute="_compute_wave_urls")

    @api.depends("provider")
    def _compute_wave_urls(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for backend in self:
            is_wave = backend.provider == "wave"
            backend.wave_redirect_uri = f"{base}{CALLBACK_PATH}" if is_wave else False
            backend.wave_webhook_url = f"{base}{WEBHOOK_PATH}" if is_wave else False

    def _compute_wave_full_access_token(self):
        have = self.env["connector.secret"]._has(self, "full_access_token")
        for backend in self:
            backend.wave_full_access_token = mask(backend.id in have)

    def _inverse_wave_full_access_token(self):
        for backend in self:
            value = backend.wave_full_access_token
            if value and value == mask(True):
                continue  # the mask came back unchanged from the form
            backend._set_secret("full_access_token", value or False)

    # ------------------------------------------------------------------ tokens
    def _wave_oauth(self):
        self.ensure_one()
        secret = self._get_secret("client_secret")
        if not self.client_id or not secret:
            raise UserError(self.env._("Enter the Wave application's client ID and client secret first."))
        return wave_oauth.wave_oauth(
            client_id=self.client_id,
            client_secret=secret,
            redirect_uri=self.wave_redirect_uri,
            authorize_url=self.auth_url,
            token_url=self.token_url,
            revoke_url=self.revoke_url,
        )

    def _wave_token(self):
        """The Full Access Token, else the OAuth access token's single-flight getter."""
        full = self._get_secret("full_access_token")
        if full:
            return full
        backend = self

        def refresh(refresh_token):
            return backend._wave_oauth().refresh_token(refresh_token)

        return self._token_manager(refresh).access_token

    def _reconnect_message(self, exc):
        if self.provider != "wave" or not isinstance(exc, wave_oauth.PlanLapsedError):
            return super()._reconnect_message(exc)
        return self.env._(
            "Wave no longer lets this connection in: the business %(business)s needs an active Wave Pro or Wave "
            "Advisor subscription. Synchronisation is paused and its jobs wait. Renew the subscription in Wave, then "
            "press Connect.",
            business=self.tenant_name or self.tenant_id,
        )

    # ------------------------------------------------------------------ connecting
    def _provider_connect(self):
        if self.provider != "wave":
            return super()._provider_connect()
        self.ensure_one()
        if self._get_secret("full_access_token"):
            self._wave_choose_business()
            return None
        oauth = self._wave_oauth()
        state = f"{self.id}:{oauth.new_state()}"
        self.sudo().oauth_state = state
        url = wave_oauth.authorization_url(oauth, state, business_id=self.tenant_id)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def _wave_finish_oauth(self, code, business_id=None):
        """The callback's second half: exchange the code, keep the tokens, use the business
        Wave names (in the token answer, else in the redirect)."""
        self.ensure_one()
        token = self._wave_oauth().fetch_token(code)
        self._save_token(token)
        self.sudo().oauth_state = False
        self._wave_choose_business(token.get("businessId") or business_id)

    def _wave_choose_business(self, chosen=None):
        """List the businesses within reach; use ``chosen`` (or the one there is, or the one
        connected before) at once; otherwise leave the choice on the form."""
        nodes = self._wave_client(None).businesses()
        rows = self.env["connector.wave.business"]._refresh(self, nodes)
        pick = rows.filtered(lambda r: r.wave_id in (chosen, self.tenant_id))
        pick = pick.filtered(lambda r: r.wave_id == chosen) or pick
        if not pick and len(rows) == 1:
            pick = rows
        if len(pick) == 1:
            self.wave_business_id = pick
            self.action_wave_use_business()
            return pick
        self.message_post(
            body=self.env._(
                "Signed in to Wave: %(count)s businesses are within reach. Choose the one to connect, then press "
                "'Use this business'.",
                count=len(rows),
            )
        )
        return rows.browse()

    def action_wave_use_business(self):
        """Connect to the business chosen on the form; Test connection's answer becomes its name."""
        for backend in self:
            business = backend.wave_business_id
            if not business:
                raise UserError(self.env._("Choose the Wave business to connect first."))
            changed = backend.tenant_id and backend.tenant_id != business.wave_id
            if changed and self.env["connector.binding"].sudo().search_count([("backend_id", "=", backend.id)]):
                raise UserError(
                    self.env._(
                        "This connection already holds records of another Wave business: create a new connection "
                        "for %(name)s.",
                        name=business.display_name,
                    )
                )
            backend.sudo().tenant_id = business.wave_id
            try:
                backend.tenant_name = backend._get_adapter().test_connection()
            except errors.ConnectorError as exc:
                _logger.warning("backend %s: connected, but reading the business failed: %s", backend.id, exc)
                backend.tenant_name = business.display_name
            backend._mark_connected()
            backend.message_post(body=self.env._("Connected to the Wave business %(name)s.", name=backend.tenant_name))
        return True

    def _provider_disconnect(self):
        if self.provider != "wave":
            return super()._provider_disconnect()
        token = self._get_token()
        if token.get("refresh_token") and self.client_id and self._get_secret("client_secret"):
            self._wave_oauth().revoke(token["refresh_token"])

    # ------------------------------------------------------------------ change notifications
    @api.model
    def _wave_handle_events(self, events, signers, payload):
        """Notification events (tenant: the business, entity, id, operation, dedup, changed_at)
        into the inbox."""
        neutral = []
        for event in events:
            kind = ENTITY_KIND.get(event["entity"])
            if kind and id_kind(event["id"]) not in (None, event["entity"]):
                kind = None  # an id of another kind than the entity named: not read back as that kind
            neutral.append(
                {
                    "tenant": event["tenant"],
                    "kind": kind,
                    "label": event["entity"],
                    "external_ids": [event["id"]],
                    "operation": event["operation"],
                    "dedup": event["dedup"],
                    "changed_at": event.get("changed_at"),
                }
            )
        return self._receive_webhook_events("wave", neutral, payload)
