from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    module_connector_quickbooks = fields.Boolean("QuickBooks Online")
    module_connector_wave = fields.Boolean("Wave")
    module_connector_kashoo = fields.Boolean("Kashoo")
    module_connector_reckon = fields.Boolean("Reckon One")
    connector_backend_count = fields.Integer(compute="_compute_connector_backend_count")

    def _compute_connector_backend_count(self):
        count = self.env["connector.backend"].search_count([("company_id", "=", self.env.company.id)])
        for settings in self:
            settings.connector_backend_count = count
