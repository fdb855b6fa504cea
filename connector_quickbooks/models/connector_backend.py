from odoo import fields, models


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    provider = fields.Selection(
        selection_add=[("quickbooks", "QuickBooks Online")],
        ondelete={"quickbooks": "set default"},
    )
