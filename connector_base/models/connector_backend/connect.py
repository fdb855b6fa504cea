"""Connecting: write-only secrets (stored encrypted in ``connector.secret``), the OAuth token
and its single-flight refresh, the provider hooks that provider addons override
(``_get_adapter``, ``_provider_connect``, ``_provider_disconnect``), the connection's state
(connected, needs reconnect) and the buttons that change it."""

import logging
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ...lib import errors
from ...lib.oauth import TokenManager
from ...lib.secrets import mask

_logger = logging.getLogger(__name__)

# first key of the advisory lock that makes token refreshes single-flight (the second is the backend id)
TOKEN_LOCK_SPACE = 0x51C0
#: write-only secrets: field name -> key in connector.secret
SECRET_FIELDS = {"client_secret": "client_secret", "webhook_secret": "webhook_secret"}


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    def _compute_secrets(self):
        secret = self.env["connector.secret"]
        have = {key: secret._has(self, key) for key in (*SECRET_FIELDS.values(), "token")}
        for backend in self:
            for field, key in SECRET_FIELDS.items():
                backend[field] = mask(backend.id in have[key])
            backend.has_token = backend.id in have["token"]

    def _inverse_secret(self, field):
        for backend in self:
            value = backend[field]
            if value and value == mask(True):
                continue  # the mask came back unchanged from the form
            self.env["connector.secret"]._set(backend, SECRET_FIELDS[field], value or False)

    def _inverse_client_secret(self):
        self._inverse_secret("client_secret")

    def _inverse_webhook_secret(self):
        self._inverse_secret("webhook_secret")

    def _get_secret(self, key):
        self.ensure_one()
        return self.env["connector.secret"]._get(self, key)

    def _set_secret(self, key, value):
        self.ensure_one()
        self.env["connector.secret"]._set(self, key, value)

    def _get_token(self):
        """The stored OAuth token dict (decrypted), or {}."""
        from ...lib.money import json_loads

        raw = self._get_secret("token")
        return json_loads(raw) if raw else {}

    def _save_token(self, token):
        from ...lib.money import json_dumps

        self.ensure_one()
        self._set_secret("token", json_dumps(token) if token else False)
        expires = token.get("expires_at") if token else None
        # The expiry is only shown on the form. From the refresh cursor, the backend row may be
        # locked by the very job that asked for the refresh: skip the display rather than wait.
        self.env.cr.execute("SELECT id FROM connector_backend WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", [self.id])
        if not self.env.cr.fetchone():
            return
        self.sudo().token_expires_at = (
            fields.Datetime.to_datetime(
                fields.Datetime.now() + timedelta(seconds=max(0, int(expires) - int(fields.Datetime.now().timestamp())))
            )
            if expires
            else False
        )

    def _token_manager(self, refresh):
        """Single-flight token refresh across workers: the refresh runs under a lock on the
        backend, in a cursor of its own that commits the rotated token at once, so a
        concurrent job waits for it and then reuses the new token.

        The lock is an advisory one, not a row lock: the job that asks for a refresh may
        itself hold a lock on the backend row (inserting a log row takes a key-share lock
        through its foreign key), and the refresh cursor must never wait for its own job."""
        self.ensure_one()
        backend_id = self.id

        @contextmanager
        def locked_env():
            key = [TOKEN_LOCK_SPACE, backend_id]
            with self.env.registry.cursor() as cr:
                # A session lock, then a new transaction: its snapshot is taken after the wait,
                # so it sees the token that the previous holder committed.
                cr.execute("SELECT pg_advisory_lock(%s, %s)", key)
                cr.commit()
                try:
                    yield api.Environment(cr, self.env.uid, self.env.context)
                    cr.commit()
                except Exception:
                    cr.rollback()
                    raise
                finally:
                    cr.execute("SELECT pg_advisory_unlock(%s, %s)", key)
                    cr.commit()

        holder = {}

        @contextmanager
        def lock():
            with locked_env() as env:
                holder["env"] = env
                try:
                    yield
                finally:
                    holder.pop("env", None)

        def load():
            env = holder.get("env")
            backend = env["connector.backend"].browse(backend_id) if env else self
            if env:
                env.invalidate_all()
            return backend._get_token()

        def save(token):
            env = holder.get("env")
            backend = env["connector.backend"].browse(backend_id) if env else self
            backend._save_token(token)

        return TokenManager(load=load, save=save, refresh=refresh, lock=lock)

    def _get_adapter(self):
        """The ProviderAdapter of this backend (lib/provider.py). Provider addons override."""
        self.ensure_one()
        raise UserError(self.env._("Choose a provider for the connection '%(name)s'.", name=self.name))

    def _party_roles_separate(self):
        """Whether the provider keeps a customer and a vendor as two records (its adapter's
        ``party_roles_separate``): the partner is then bound to each with its role."""
        self.ensure_one()
        return bool(self._get_adapter().party_roles_separate)

    def _provider_connect(self):
        """Start connecting. Return an action (an OAuth redirect) or None when done."""
        self.ensure_one()
        self.action_test_connection()
        self._mark_connected()
        return None

    def _mark_connected(self):
        """The provider accepted the credentials: jobs that waited for them run now."""
        self.ensure_one()
        was_waiting = self.state == "needs_reconnect"
        self.state = "connected"
        if was_waiting:
            self.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_todo")
            ).action_feedback(feedback=self.env._("Reconnected."))
        self._wake_jobs()

    def _mark_needs_reconnect(self, exc):
        """One notification per outage."""
        if self.state == "needs_reconnect":
            return
        self.state = "needs_reconnect"
        body = self._reconnect_message(exc)
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        managers = self.env.ref("connector_base.group_connector_manager").sudo().users
        for user in managers.filtered(lambda u: self.company_id in u.company_ids and not u.share)[:3]:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Reconnect %(name)s", name=self.name),
                note=body,
                user_id=user.id,
            )

    def _reconnect_message(self, exc):
        """What the accountant reads when the provider refuses the credentials. Provider
        addons override it for refusals they can name (a lapsed subscription, say)."""
        return self.env._(
            "The provider refused the credentials (%(error)s). Synchronisation is paused: reconnect.",
            error=str(exc)[:300],
        )

    def _provider_disconnect(self):
        """Revoke what the provider allows to revoke. Called before the tokens are dropped."""

    def action_test_connection(self):
        self.ensure_one()
        try:
            info = self._get_adapter().test_connection()
        except errors.ConnectorError as exc:
            raise UserError(self.env._("Connection failed: %(error)s", error=exc)) from None
        if info and not self.tenant_name:
            self.tenant_name = info
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Connection works"),
                "message": info or self.name,
                "sticky": False,
            },
        }

    def action_connect(self):
        self.ensure_one()
        return self._provider_connect()

    def action_disconnect(self):
        for backend in self:
            try:
                backend._provider_disconnect()
            except errors.ConnectorError as exc:
                _logger.warning("backend %s: revoking failed (%s); dropping the tokens anyway", backend.id, exc)
            backend._save_token({})
            backend.state = "draft"
            backend.message_post(body=self.env._("Disconnected."))

    def action_pause(self):
        self.filtered(lambda b: b.state == "connected").write({"state": "paused"})

    def action_resume(self):
        for backend in self.filtered(lambda b: b.state == "paused"):
            backend.state = "connected"
            backend._wake_jobs()
