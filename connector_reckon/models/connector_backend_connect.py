"""Connecting to Reckon One: Connect -> Reckon's sign-in and consent page -> the callback ->
the books of that user listed on the connection -> the book chosen -> connected.

Every API call needs the bearer token and the API subscription key of the developer's
Reckon Developer Portal profile (stored encrypted, write-only on the form). What refuses the
connection is said once, in the accountant's words: a missing or wrong subscription key, a
sign-in Reckon has ended (the refresh token expires after 45 days unused, or was revoked).
The connection then waits for the fix and its jobs wait with it.

Also here: the connection's side of the change notifications (``/connector_reckon/webhook``).
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.oauth import OAuth2Helper
from odoo.addons.connector_base.lib.secrets import mask

from ..lib import client as reckon
from ..lib import mappers
from ..lib.faults import SubscriptionKeyError

_logger = logging.getLogger(__name__)

CALLBACK_PATH = "/connector_reckon/oauth/callback"
WEBHOOK_PATH = "/connector_reckon/webhook"
#: Reckon's record types (as a notification names them) -> (canonical kind, entity of the external id)
ENTITY_KIND = {
    "Customer": ("party", None),
    "Supplier": ("party", None),
    "Contact": ("party", None),
    "Item": ("product", None),
    "LedgerAccount": ("account", None),
    "Invoice": ("invoice", "Invoice"),
    "CreditNote": ("invoice", "CreditNote"),
    "Bill": ("invoice", "Bill"),
    "Receipt": ("payment", "Receipt"),
    "Payment": ("payment", "Payment"),
    "Journal": ("journal_entry", None),
}


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    reckon_subscription_key = fields.Char(
        "API subscription key",
        compute="_compute_reckon_subscription_key",
        inverse="_inverse_reckon_subscription_key",
        copy=False,
        help="The Reckon One API subscription key of your Reckon Developer Portal profile (Products, Reckon One "
        "API). Sent with every call; stored encrypted.",
    )
    reckon_redirect_uri = fields.Char("Redirect URL", compute="_compute_reckon_urls")
    reckon_webhook_url = fields.Char("Notification URL", compute="_compute_reckon_urls")

    @api.depends("provider")
    def _compute_reckon_urls(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for backend in self:
            is_reckon = backend.provider == "reckon"
            backend.reckon_redirect_uri = f"{base}{CALLBACK_PATH}" if is_reckon else False
            backend.reckon_webhook_url = f"{base}{WEBHOOK_PATH}" if is_reckon else False

    def _compute_reckon_subscription_key(self):
        have = self.env["connector.secret"]._has(self, "subscription_key")
        for backend in self:
            backend.reckon_subscription_key = mask(backend.id in have)

    def _inverse_reckon_subscription_key(self):
        for backend in self:
            value = backend.reckon_subscription_key
            if value and value == mask(True):
                continue  # the mask came back unchanged from the form
            backend._set_secret("subscription_key", (value or "").strip() or False)
            if value and backend.state == "needs_reconnect" and backend.tenant_id and backend.has_token:
                backend._reckon_resume()

    def _reckon_resume(self):
        """A new key entered on a paused connection: if Reckon takes it, the jobs run again."""
        try:
            self.tenant_name = self._get_adapter().test_connection()
        except errors.ConnectorError as exc:
            self.message_post(body=self.env._("Reckon still refuses the connection: %(error)s", error=str(exc)[:300]))
            return
        self._mark_connected()
        self.message_post(body=self.env._("Reckon accepts the subscription key: synchronisation resumes."))

    # ------------------------------------------------------------------ tokens
    def _reckon_oauth(self):
        self.ensure_one()
        secret = self._get_secret("client_secret")
        if not self.client_id or not secret:
            raise UserError(self.env._("Enter the Reckon app's client ID and client secret first."))
        return OAuth2Helper(
            client_id=self.client_id,
            client_secret=secret,
            authorize_url=self.auth_url or reckon.AUTHORIZE_URL,
            token_url=self.token_url or reckon.TOKEN_URL,
            revoke_url=self.revoke_url or reckon.REVOKE_URL,
            redirect_uri=self.reckon_redirect_uri,
            scope=reckon.SCOPE,
            client_auth="basic",
            revoke_format="form",
        )

    def _reckon_token(self):
        """The access token's single-flight getter (refreshed, rotating, when expired or refused)."""
        backend = self

        def refresh(refresh_token):
            return backend._reckon_oauth().refresh_token(refresh_token)

        return self._token_manager(refresh).access_token

    def _reconnect_message(self, exc):
        if self.provider != "reckon":
            return super()._reconnect_message(exc)
        if isinstance(exc, SubscriptionKeyError):
            return self.env._(
                "Reckon's API gateway refuses this connection's subscription key: it is missing or not accepted. "
                "Synchronisation is paused and its jobs wait. Enter the Reckon One API subscription key of your "
                "Reckon Developer Portal profile in the connection's settings: the connection resumes at once."
            )
        if "invalid_grant" in str(exc) or "refresh token" in str(exc):
            return self.env._(
                "Reckon has ended this connection's sign-in (Reckon lets it lapse after 45 days without use, or it "
                "was revoked). Synchronisation is paused and its jobs wait. Press Connect and sign in to Reckon again."
            )
        return self.env._(
            "Reckon refused this connection's access (%(error)s). Synchronisation is paused and its jobs wait. "
            "Press Connect and sign in to Reckon again.",
            error=str(exc)[:300],
        )

    # ------------------------------------------------------------------ connecting
    def _provider_connect(self):
        if self.provider != "reckon":
            return super()._provider_connect()
        self.ensure_one()
        if not self._get_secret("subscription_key"):
            raise UserError(
                self.env._(
                    "Enter the Reckon One API subscription key first (Reckon Developer Portal, your profile): "
                    "Reckon refuses every call without it."
                )
            )
        oauth = self._reckon_oauth()
        state = f"{self.id}:{oauth.new_state()}"
        self.sudo().oauth_state = state
        return {"type": "ir.actions.act_url", "url": oauth.authorization_url(state), "target": "self"}

    def _reckon_finish_oauth(self, code):
        """The callback's second half: exchange the code, keep the tokens, list the books."""
        self.ensure_one()
        token = self._reckon_oauth().fetch_token(code)
        self._save_token(token)
        self.sudo().oauth_state = False
        return self._reckon_choose_book()

    def _reckon_choose_book(self, chosen=None):
        """List the books within reach; use ``chosen`` (or the one connected before, or the
        only one) at once; otherwise leave the choice on the form."""
        self.ensure_one()
        books = self._reckon_client(None).books()
        rows = self.env["connector.reckon.book"]._refresh(
            self, [(b["id"], b.get("name") or b["id"], b.get("country")) for b in books]
        )
        wanted = chosen or self.tenant_id
        pick = rows.filtered(lambda r: wanted and r.reckon_id.lower() == wanted.lower())
        if not pick and len(rows) == 1:
            pick = rows
        if len(pick) == 1:
            self.reckon_book_id = pick
            self.action_reckon_use_book()
            return pick
        self.message_post(
            body=self.env._(
                "Signed in to Reckon: %(count)s books are within reach. Choose the one to connect, then press "
                "'Use this book'.",
                count=len(rows),
            )
        )
        return rows.browse()

    def action_reckon_use_book(self):
        """Connect to the book chosen on the form; Test connection's answer becomes its name."""
        for backend in self:
            book = backend.reckon_book_id
            if not book:
                raise UserError(self.env._("Choose the Reckon book to connect first."))
            changed = backend.tenant_id and backend.tenant_id != book.reckon_id
            if changed and self.env["connector.binding"].sudo().search_count([("backend_id", "=", backend.id)]):
                raise UserError(
                    self.env._(
                        "This connection already holds records of another Reckon book: create a new connection "
                        "for %(name)s.",
                        name=book.display_name,
                    )
                )
            backend.sudo().tenant_id = book.reckon_id
            try:
                backend.tenant_name = backend._get_adapter().test_connection()
            except errors.ConnectorError as exc:
                _logger.warning("backend %s: connected, but reading the book failed: %s", backend.id, exc)
                backend.tenant_name = book.display_name
            backend._mark_connected()
            backend.message_post(body=self.env._("Connected to the Reckon book %(name)s.", name=backend.tenant_name))
        return True

    def _provider_disconnect(self):
        if self.provider != "reckon":
            return super()._provider_disconnect()
        token = self._get_token()
        if token.get("refresh_token") and self.client_id and self._get_secret("client_secret"):
            self._reckon_oauth().revoke(token["refresh_token"])

    # ------------------------------------------------------------------ change notifications
    @api.model
    def _reckon_handle_events(self, events, signers, payload):
        """Notification events (tenant: the book, entity, id, operation, dedup, changed_at) into the inbox."""
        neutral = []
        for event in events:
            kind, entity = ENTITY_KIND.get(event["entity"], (None, None))
            neutral.append(
                {
                    "tenant": event["tenant"],
                    "kind": kind,
                    "label": event["entity"],
                    "external_ids": [mappers.ext_id(entity, event["id"]) if entity else event["id"]],
                    "operation": event["operation"],
                    "dedup": event["dedup"],
                    "changed_at": event.get("changed_at"),
                }
            )
        return self._receive_webhook_events("reckon", neutral, payload)
