from odoo import api, fields, models


class ConnectorWaveBusiness(models.Model):
    """A Wave business the connection's credentials reach: the choice offered after signing in.

    Rows are written when Wave answers the list of businesses (after the consent page, or
    with a Full Access Token, which reaches every business of its owner)."""

    _name = "connector.wave.business"
    _description = "Wave business within reach of a connection"
    _order = "name, id"

    backend_id = fields.Many2one("connector.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    wave_id = fields.Char("Wave id", required=True)
    name = fields.Char(required=True)
    currency = fields.Char()
    is_personal = fields.Boolean("Personal")

    _sql_constraints = [
        ("backend_wave_uniq", "unique(backend_id, wave_id)", "This Wave business is already listed."),
    ]

    @api.depends("name", "currency")
    def _compute_display_name(self):
        for business in self:
            business.display_name = f"{business.name} ({business.currency})" if business.currency else business.name

    @api.model
    def _refresh(self, backend, nodes):
        """Keep the rows of ``backend`` equal to Wave's answer (``[{id, name, currency {code}, ...}]``);
        archived businesses are left out. Return the rows."""
        nodes = [node for node in nodes if not node.get("isArchived")]
        rows = self.sudo().search([("backend_id", "=", backend.id)])
        known = {row.wave_id: row for row in rows}
        for node in nodes:
            vals = {
                "name": node.get("name") or node["id"],
                "currency": (node.get("currency") or {}).get("code") or False,
                "is_personal": bool(node.get("isPersonal")),
            }
            if node["id"] in known:
                known[node["id"]].write(vals)
            else:
                known[node["id"]] = self.sudo().create(dict(vals, backend_id=backend.id, wave_id=node["id"]))
        listed = {node["id"] for node in nodes}
        stale = rows.filtered(lambda row: row.wave_id not in listed and row.wave_id != backend.tenant_id)
        stale.unlink()
        return self.sudo().search([("backend_id", "=", backend.id)])
