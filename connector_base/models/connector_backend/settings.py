"""The connection: the ``connector.backend`` model, defined here, with all its fields
(credentials, sync settings, policies, health figures) and the per-kind directions.

The other files of this package extend it by concern (``_inherit``): ``connect`` (secrets,
OAuth tokens, provider hooks, the connect and pause buttons), ``health`` (the figures on the
form), ``jobs`` (the queue_job bodies and what enqueues them from the form and from Odoo's
side), ``crons`` (polls and the nightly sweep) and ``webhooks`` (the inbox of provider events)."""

from odoo import fields, models
from odoo.exceptions import UserError

DIRECTIONS = [("import", "Import"), ("export", "Export"), ("both", "Both ways"), ("off", "Off")]
#: canonical kind -> the backend field holding its direction
DIRECTION_FIELDS = {
    "party": "direction_party",
    "product": "direction_product",
    "account": "direction_account",
    "tax": "direction_tax",
    "invoice": "direction_invoice",
    "payment": "direction_payment",
    "journal_entry": "direction_journal_entry",
}


class ConnectorBackend(models.Model):
    """One connected external company (a QuickBooks realm, a Wave business, ...) for one
    Odoo company. Provider addons add themselves to ``provider`` and override the
    ``_get_adapter`` / ``_provider_*`` hooks, as payment providers do in ``payment``."""

    _name = "connector.backend"
    _description = "Accounting Connector Backend"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True
    _order = "sequence, name, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    provider = fields.Selection([("none", "Not set")], default="none", required=True, tracking=True, string="Provider")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, tracking=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [
            ("draft", "Not connected"),
            ("connected", "Connected"),
            ("paused", "Paused"),
            ("needs_reconnect", "Needs reconnect"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production")], default="sandbox", required=True
    )
    tenant_id = fields.Char("External company id", copy=False, tracking=True, index=True)
    tenant_name = fields.Char("External company", copy=False)
    api_url = fields.Char("API base URL", help="Leave empty for the provider's default.")
    auth_url = fields.Char("Authorization URL", help="Leave empty for the provider's default.")
    token_url = fields.Char("Token URL", help="Leave empty for the provider's default.")
    revoke_url = fields.Char("Revocation URL", help="Leave empty for the provider's default.")
    client_id = fields.Char("Client ID", copy=False)
    # write-only secrets: reading them gives a mask, writing stores ciphertext elsewhere
    client_secret = fields.Char(
        "Client secret", compute="_compute_secrets", inverse="_inverse_client_secret", copy=False
    )
    webhook_secret = fields.Char(
        "Webhook verifier token", compute="_compute_secrets", inverse="_inverse_webhook_secret", copy=False
    )
    has_token = fields.Boolean("Has a token", compute="_compute_secrets")
    token_expires_at = fields.Datetime(copy=False, readonly=True)
    oauth_state = fields.Char(copy=False, groups="base.group_system")

    # sync settings
    sync_start_date = fields.Date("Synchronise from", default=lambda self: fields.Date.today().replace(month=1, day=1))
    direction_party = fields.Selection(DIRECTIONS, "Customers and vendors", default="both", required=True)
    direction_product = fields.Selection(DIRECTIONS, "Products", default="both", required=True)
    direction_account = fields.Selection(DIRECTIONS, "Chart of accounts", default="import", required=True)
    direction_tax = fields.Selection(DIRECTIONS, "Taxes", default="import", required=True)
    direction_invoice = fields.Selection(DIRECTIONS, "Invoices, bills and credit notes", default="both", required=True)
    direction_payment = fields.Selection(DIRECTIONS, "Payments", default="both", required=True)
    direction_journal_entry = fields.Selection(DIRECTIONS, "Journal entries", default="import", required=True)
    poll_interval = fields.Integer("Poll every (minutes)", default=5)
    partner_policy = fields.Selection(
        [("create", "Create new partners"), ("review", "Send to review")],
        "Unknown partners",
        default="create",
        required=True,
        help="What to do with a provider contact that matches no Odoo partner well enough.",
    )
    conflict_policy = fields.Selection(
        [("provider", "Provider wins"), ("odoo", "Odoo wins"), ("manual", "Ask (quarantine)")],
        default="manual",
        required=True,
        help="When a record changed on both sides since the last synchronisation.",
    )
    remote_delete_policy = fields.Selection(
        [
            ("apply", "Apply: archive contacts and products, cancel documents"),
            ("review", "Send to review (quarantine)"),
            ("ignore", "Ignore"),
        ],
        "Deleted at the provider",
        default="apply",
        required=True,
        help="What happens in Odoo when a record is deleted, voided away or merged into another at the provider. "
        "A paid invoice is never cancelled automatically: it goes to review.",
    )
    suspense_account_id = fields.Many2one(
        "account.account", check_company=True, help="Counterpart for lines whose account is not mapped yet."
    )
    rounding_account_id = fields.Many2one(
        "account.account", check_company=True, help="Takes the one-cent tax rounding differences."
    )
    sale_journal_id = fields.Many2one("account.journal", check_company=True, domain="[('type', '=', 'sale')]")
    purchase_journal_id = fields.Many2one("account.journal", check_company=True, domain="[('type', '=', 'purchase')]")
    misc_journal_id = fields.Many2one("account.journal", check_company=True, domain="[('type', '=', 'general')]")
    payment_journal_id = fields.Many2one(
        "account.journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        help="Journal of imported payments whose method or deposit account is not mapped.",
    )
    log_retention_days = fields.Integer(default=90)
    request_timeout = fields.Integer(
        "Answer timeout (seconds)",
        default=60,
        help="How long a call to the provider waits for an answer. A write that gets no answer in time is "
        "looked up by its reference before it is sent again.",
    )

    # health
    # both read from the cursors, which each import job writes for its own kind only
    last_sync_at = fields.Datetime("Last successful sync", compute="_compute_sync_progress")
    jobs_pending = fields.Integer(compute="_compute_health")
    quarantine_count = fields.Integer("Quarantined", compute="_compute_health")
    error_rate = fields.Float("Error rate (24 h, %)", compute="_compute_health", digits=(5, 1))
    import_total = fields.Integer(readonly=True, copy=False)
    import_done = fields.Integer(compute="_compute_sync_progress")
    import_progress = fields.Float(compute="_compute_import_progress")

    _sql_constraints = [
        (
            "tenant_uniq",
            "unique(provider, tenant_id, company_id)",
            "This external company is already connected to this Odoo company.",
        ),
    ]

    def _direction(self, kind):
        return self[DIRECTION_FIELDS[kind]]

    def _imports(self, kind):
        return self._direction(kind) in ("import", "both")

    def _exports(self, kind):
        return self._direction(kind) in ("export", "both")

    def _check_active(self):
        if self.state != "connected":
            raise UserError(self.env._("The connection '%(name)s' is not connected.", name=self.name))

    def _channel(self):
        return f"root.connector.{self.provider}" if self.provider != "none" else "root.connector"
