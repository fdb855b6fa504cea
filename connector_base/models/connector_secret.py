from odoo import api, fields, models, tools

from ..lib.secrets import SecretBox, resolve_key


class ConnectorSecret(models.Model):
    """Encrypted credentials of the backends.

    No group has any access right on this model: it is read and written only by
    connector.backend through sudo(), so no user can read a secret back through the UI
    or RPC, and the database holds Fernet ciphertext only (the key lives in the server
    configuration, see ``lib/secrets.py``).
    """

    _name = "connector.secret"
    _description = "Connector Secret (encrypted)"
    _log_access = False

    backend_id = fields.Many2one("connector.backend", required=True, ondelete="cascade", index=True)
    key = fields.Char(required=True)
    ciphertext = fields.Text(required=True)

    _sql_constraints = [
        ("backend_key_uniq", "unique(backend_id, key)", "One value per secret and backend."),
    ]

    @api.model
    def _box(self):
        return SecretBox(resolve_key(tools.config.get("connector_secret_key")))

    @api.model
    def _get(self, backend, key):
        row = self.sudo().search([("backend_id", "=", backend.id), ("key", "=", key)], limit=1)
        return self._box().decrypt(row.ciphertext) if row else None

    @api.model
    def _set(self, backend, key, value):
        rows = self.sudo().search([("backend_id", "=", backend.id), ("key", "=", key)])
        if not value:
            rows.unlink()
            return
        ciphertext = self._box().encrypt(value)
        if rows:
            rows.write({"ciphertext": ciphertext})
        else:
            self.sudo().create({"backend_id": backend.id, "key": key, "ciphertext": ciphertext})

    @api.model
    def _has(self, backends, key):
        rows = self.sudo().search([("backend_id", "in", backends.ids), ("key", "=", key)])
        return set(rows.mapped("backend_id").ids)
