"""What the user reads on a connection: the words of its fields, whether its provider can
connect yet, the name of the company it is connected to, and the state of the webhook
events its re-read jobs handle.

The fields are defined in ``connector_backend.py``; this file only gives them the labels an
accountant reads (a field redefined with a ``string`` keeps everything else)."""

from odoo import api, fields, models
from odoo.exceptions import UserError


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"
    _description = "Accounting connection"

    # the labels of the connection form, in sentence case and in the user's words
    state = fields.Selection(string="Status")
    tenant_id = fields.Char(string="Company id at the provider")
    tenant_name = fields.Char(
        string="Connected company",
        help="The provider's name for the company this connection reads and writes, as it answered the last "
        "connection or connection test.",
    )
    has_token = fields.Boolean(string="Signed in")
    token_expires_at = fields.Datetime(string="Access expires")
    conflict_policy = fields.Selection(string="When both sides changed")
    suspense_account_id = fields.Many2one(string="Suspense account")
    rounding_account_id = fields.Many2one(string="Rounding account")
    sale_journal_id = fields.Many2one(string="Sales journal")
    purchase_journal_id = fields.Many2one(string="Purchase journal")
    misc_journal_id = fields.Many2one(string="Miscellaneous journal")
    payment_journal_id = fields.Many2one(string="Payment journal")
    log_retention_days = fields.Integer(string="Keep the sync log (days)")
    last_sync_at = fields.Datetime(string="Last synchronised")
    jobs_pending = fields.Integer(string="Jobs waiting")
    quarantine_count = fields.Integer(string="In quarantine")
    import_total = fields.Integer(string="Records to import")
    import_done = fields.Integer(string="Records imported")
    import_progress = fields.Float(string="Import progress")

    provider_ready = fields.Boolean(
        "Provider available",
        compute="_compute_provider_ready",
        help="False while the provider's addon is installed but cannot talk to the provider yet.",
    )
    provider_label = fields.Char("Provider name", compute="_compute_provider_ready")

    @api.depends("provider")
    def _compute_provider_ready(self):
        labels = dict(self._fields["provider"]._description_selection(self.env))
        for backend in self:
            backend.provider_ready = backend._provider_ready()
            backend.provider_label = labels.get(backend.provider, backend.provider)

    def _provider_ready(self):
        """True when this connection's provider addon can connect and synchronise.

        A provider addon that has its client and mappers overrides it for its own code
        (``self.provider == "quickbooks" or super()._provider_ready()``)."""
        return False

    def _check_provider_ready(self):
        self.ensure_one()
        if self.provider == "none":
            raise UserError(self.env._("Choose the provider of the connection '%(name)s' first.", name=self.name))
        if not self.provider_ready:
            raise UserError(
                self.env._(
                    "%(provider)s cannot be connected yet: its addon is installed, but the part that talks to "
                    "%(provider)s is still being built. The connection '%(name)s' can stay as a draft until then.",
                    provider=self.provider_label,
                    name=self.name,
                )
            )

    # ------------------------------------------------------------------ actions
    def action_connect(self):
        self._check_provider_ready()
        return super().action_connect()

    def action_test_connection(self):
        """The company's name is read again on every test: it may have been renamed."""
        self._check_provider_ready()
        previous, self.tenant_name = self.tenant_name, False  # the provider's answer fills it again
        result = super().action_test_connection()
        self.tenant_name = self.tenant_name or previous
        return result

    # ------------------------------------------------------------------ webhook events
    def _import_record(self, kind, external_id):
        """The re-read of a record: the webhook events that announced it are handled now."""
        result = super()._import_record(kind, external_id)
        self.env["connector.webhook.event"]._mark_handled(self, kind, external_id)
        return result
