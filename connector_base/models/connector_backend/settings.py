"""The connection: the ``connector.backend`` model, defined here, with all its fields
(credentials, sync settings, policies, health figures) and the per-kind directions.

The other files of this package extend it by concern (``_inherit``): ``connect`` (secrets,
OAuth tokens, provider hooks, the connect and pause buttons), ``health`` (the figures on the
form), ``jobs`` (the queue_job bodies and what enqueues them from the form and from Odoo's
side), ``crons`` (polls and the nightly sweep) and ``webhooks`` (the inbox of provider events)."""

from markupsafe import Markup

from odoo import api, fields, models
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
#: what a "<kind>/<variant>" key of ``_unavailable_directions`` names, in the user's words
VARIANT_LABELS = {
    "party/customer": "Customers",
    "party/vendor": "Vendors",
    "invoice/out_invoice": "Customer invoices",
    "invoice/out_refund": "Customer credit notes",
    "invoice/in_invoice": "Vendor bills",
    "invoice/in_refund": "Vendor refunds",
    "payment/inbound": "Payments received",
    "payment/outbound": "Payments made (bill payments, refunds paid)",
    "payment/credit_application": "Credit notes applied to invoices",
}
#: the directions a direction value needs
NEEDS = {"import": ("import",), "export": ("export",), "both": ("import", "export"), "off": ()}


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
    direction_limits = fields.Html(
        "What the provider cannot do",
        compute="_compute_direction_limits",
        sanitize=False,
        help="Kinds and documents the provider's API does not let the connector read or write: they are never "
        "synchronised that way, whatever the directions above say.",
    )
    locked_directions = fields.Char(compute="_compute_direction_limits")
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
        return self._direction(kind) in ("import", "both") and not self._direction_refusal(kind, "import")

    def _exports(self, kind):
        return self._direction(kind) in ("export", "both") and not self._direction_refusal(kind, "export")

    # ------------------------------------------------------------------ what the provider cannot do
    def _unavailable_directions(self):
        """What the provider's API does not allow, said plainly: ``{key: {"import"|"export": reason}}``.

        ``key`` is a kind (``"journal_entry"``: its direction field then offers only what is
        left) or ``"<kind>/<variant>"`` (an invoice's move type, a payment's type, a party's
        role, see ``_sync_variant``): such records are never queued nor sent that way, so
        nothing of them half-syncs. Provider addons override; the default allows everything."""
        return {}

    @api.model
    def _capability_limits(self, capabilities, reasons=None):
        """``_unavailable_directions`` from an adapter's ``capabilities`` (``{key: {"read",
        "create", "update", "note"}}``): what it cannot read is refused on import, what it can
        neither create nor update on export, each with ``reasons[key]`` or the capability's note."""
        limits = {}
        for key, entry in capabilities.items():
            reason = str((reasons or {}).get(key) or entry["note"])
            refused = {}
            if not entry["read"]:
                refused["import"] = reason
            if not (entry["create"] or entry["update"]):
                refused["export"] = reason
            if refused:
                limits[key] = refused
        return limits

    def _direction_refusal(self, kind, direction, variant=None):
        """Why ``direction`` is not possible for ``kind`` (of ``variant``), or None."""
        limits = self._unavailable_directions()
        for key in ((f"{kind}/{variant}",) if variant else ()) + (kind,):
            reason = (limits.get(key) or {}).get(direction)
            if reason:
                return reason
        return None

    def _sync_variant(self, kind, record):
        """The variant of an Odoo record that ``_unavailable_directions`` may name, or None."""
        if kind == "invoice":
            return record.move_type
        if kind == "payment" and record._name == "connector.credit.application":
            return "credit_application"  # a credit note applied with no money moving
        if kind == "payment":
            return record.payment_type
        if kind == "party":
            return "vendor" if record.supplier_rank and not record.customer_rank else "customer"
        return None

    def _export_refusal(self, kind, record):
        """Why ``record`` is not sent to the provider, or None."""
        return self._direction_refusal(kind, "export", self._sync_variant(kind, record))

    def _allowed_directions(self, kind):
        refused = {d for d in ("import", "export") if self._direction_refusal(kind, d)}
        return [value for value, _label in DIRECTIONS if not refused.intersection(NEEDS[value])]

    def _fit_directions(self):
        """Directions the provider cannot follow become what it can: ``{field: (old, new, reason)}``."""
        changed = {}
        for backend in self:
            vals = {}
            for kind, field in DIRECTION_FIELDS.items():
                value = backend[field]
                refused = [d for d in NEEDS[value] if backend._direction_refusal(kind, d)]
                if refused:
                    kept = [d for d in NEEDS[value] if d not in refused]
                    vals[field] = "import" if kept == ["import"] else "export" if kept == ["export"] else "off"
                    changed[field] = (value, vals[field], backend._direction_refusal(kind, refused[0]))
            if vals:
                if isinstance(backend.id, int):
                    backend.write(vals)
                else:
                    backend.update(vals)
        return changed

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        backends._fit_directions()
        return backends

    def write(self, vals):
        result = super().write(vals)
        if not self.env.context.get("connector_fitting_directions"):
            self.with_context(connector_fitting_directions=True)._fit_directions()
        return result

    @api.onchange("provider", *DIRECTION_FIELDS.values())
    def _onchange_fit_directions(self):
        changed = self._fit_directions()
        if changed:
            labels = {field: self._fields[field].string for field in changed}
            return {
                "warning": {
                    "title": self.env._("Not possible with this provider"),
                    "message": "\n".join(f"{labels[field]}: {reason}" for field, (_o, _n, reason) in changed.items()),
                }
            }
        return None

    @api.depends("provider")
    def _compute_direction_limits(self):
        kinds = {kind: self._fields[field].string for kind, field in DIRECTION_FIELDS.items()}
        for backend in self:
            items, locked = [], []
            for key, refusals in backend._unavailable_directions().items():
                label = VARIANT_LABELS.get(key) or kinds.get(key) or key
                reasons = {d: r for d, r in refusals.items() if r}
                if not reasons:
                    continue
                if len(reasons) == 2 and len(set(reasons.values())) == 1:
                    text = self.env._("neither way: %(reason)s", reason=reasons["import"])
                else:
                    words = {"import": self.env._("not read"), "export": self.env._("not sent")}
                    text = "; ".join(f"{words[d]}: {r}" for d, r in sorted(reasons.items()))
                items.append(Markup("<li><strong>%s</strong>: %s</li>") % (label, text))
                if key in DIRECTION_FIELDS and len(backend._allowed_directions(key)) == 1:
                    locked.append(key)
            backend.direction_limits = Markup("<ul class='mb-0'>%s</ul>") % Markup().join(items) if items else False
            backend.locked_directions = " ".join(locked) or False

    def _check_active(self):
        if self.state != "connected":
            raise UserError(self.env._("The connection '%(name)s' is not connected.", name=self.name))

    def _channel(self):
        return f"root.connector.{self.provider}" if self.provider != "none" else "root.connector"
