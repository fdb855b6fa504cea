"""Sign in to Kashoo once: the e-mail and password give a user token (``POST authTokens``), or a
token is pasted. The password is no column of this wizard: it is used by the inverse of a field
that is never stored, for that one call, and forgotten; only the token is kept, encrypted."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.lib import errors

from ..lib.client import obtain_user_token


class ConnectorKashooSignIn(models.TransientModel):
    _name = "connector.kashoo.sign.in"
    _description = "Sign in to Kashoo"

    backend_id = fields.Many2one("connector.backend", required=True, ondelete="cascade")
    method = fields.Selection(
        [("password", "With the Kashoo e-mail and password"), ("token", "Paste a token")],
        default="password",
        required=True,
    )
    email = fields.Char("Kashoo e-mail")
    password = fields.Char(compute="_compute_secrets", inverse="_inverse_password", help="Used once, never kept.")
    token = fields.Char(compute="_compute_secrets", inverse="_inverse_token")
    signed_in = fields.Boolean(readonly=True)

    def _compute_secrets(self):
        self.password = self.token = False

    def _check_manager(self):
        if not self.env.user.has_group("connector_base.group_connector_manager"):
            raise UserError(self.env._("Only a Connector Manager can sign a connection in to Kashoo."))

    def _inverse_password(self):
        for wizard in self.filtered(lambda w: w.method == "password" and w.password):
            wizard._check_manager()
            backend = wizard.backend_id
            try:
                settings = backend._kashoo_settings()
                token = obtain_user_token(settings, (wizard.email or "").strip(), wizard.password)
            except ValueError as exc:
                raise UserError(self.env._("Kashoo settings: %(problems)s", problems=exc)) from None
            except errors.ConnectorError as exc:
                raise UserError(self.env._("Kashoo sign-in failed: %(error)s", error=exc)) from None
            backend._kashoo_save_token(f"TOKEN {token.form}:{token.text}")
            wizard.signed_in = True

    def _inverse_token(self):
        for wizard in self.filtered(lambda w: w.method == "token" and w.token):
            wizard._check_manager()
            try:
                wizard.backend_id._kashoo_save_token(wizard.token)
            except errors.ConnectorError as exc:
                raise UserError(self.env._("This is not a Kashoo token: %(error)s", error=exc)) from None
            wizard.signed_in = True

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manager()
        return super().create(vals_list)

    def action_sign_in(self):
        """Connect with the token just obtained: the probe runs, the connection shows what it found."""
        self.ensure_one()
        self._check_manager()
        if not self.signed_in:
            raise UserError(self.env._("Enter the Kashoo e-mail and password, or paste a token."))
        backend = self.backend_id
        backend._kashoo_connect()
        return {
            "type": "ir.actions.act_window",
            "res_model": "connector.backend",
            "res_id": backend.id,
            "view_mode": "form",
            "target": "current",
        }
