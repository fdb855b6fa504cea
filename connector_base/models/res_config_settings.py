from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    module_connector_quickbooks = fields.Boolean("QuickBooks Online")
    module_connector_wave = fields.Boolean("Wave")
    module_connector_kashoo = fields.Boolean("Kashoo")
    module_connector_reckon = fields.Boolean("Reckon One")
    connector_backend_count = fields.Integer("Connections", compute="_compute_connector_backend_count")

    # Depends on the settings' company: the settings form is a new record whose first onchange
    # fills every field with its default (0 for a count) and recomputes only the fields whose
    # dependencies it set; without one, the page said "0 connections" while one existed.
    @api.depends("company_id")
    def _compute_connector_backend_count(self):
        Backend = self.env["connector.backend"]
        for settings in self:
            company = settings.company_id or self.env.company
            settings.connector_backend_count = Backend.search_count([("company_id", "=", company.id)])
