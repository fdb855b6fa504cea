"""A connection to a Wave business: its settings, its adapter, and what Wave cannot do.

Signing in (OAuth or a Full Access Token), the choice of the business and the change
notifications are in ``connector_backend_connect``."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from ..lib import client as wave
from ..lib.adapter import WaveAdapter
from ..lib.mappers import id_kind

_lt = LazyTranslate(__name__)
#: why Wave cannot do what ``CAPABILITIES`` leaves out, per key of ``_unavailable_directions``
REASONS = {
    "party/vendor": _lt("Vendors are read-only in Wave's public API: they are read from Wave, never written to it."),
    "invoice/in_invoice": _lt("Wave's public API has no bills."),
    "invoice/in_refund": _lt("Wave's public API has no bills, so no vendor refunds either."),
    "invoice/out_refund": _lt("Wave's public API has no credit notes."),
    "payment/outbound": _lt("Wave's public API has no bill payments (nor refunds paid out)."),
    "payment/credit_application": _lt("Wave's public API has no credit notes, so none is applied to an invoice."),
}


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    provider = fields.Selection(selection_add=[("wave", "Wave")], ondelete={"wave": "set default"})
    wave_business_id = fields.Many2one(
        "connector.wave.business",
        "Wave business",
        domain="[('backend_id', '=', id)]",
        copy=False,
        help="The Wave business this connection reads and writes, among those your sign-in reaches.",
    )
    wave_generic_product_id = fields.Many2one(
        "product.product",
        "Product for lines without one",
        check_company=True,
        help="Every line of a Wave invoice needs a product. An Odoo invoice line without one goes to Wave with this "
        "product (which is sent to Wave first when it is not there yet).",
    )
    wave_money_transactions = fields.Boolean(
        "Export journal entries as money transactions",
        help="Wave has no journal entries. With this on, posted Odoo journal entries with one bank or cash line go "
        "to Wave as money transactions (a Wave beta): created once, never changed nor read back.",
    )
    wave_per_minute = fields.Integer(
        "Requests a minute",
        default=wave.PER_MINUTE,
        help="Wave publishes no limit; third parties report about 60 requests a minute. 0: no limit of our own.",
    )
    wave_concurrent = fields.Integer(
        "Requests at once",
        default=wave.CONCURRENT,
        help="How many requests this connection sends to Wave at the same time, across all workers (about 2 "
        "reported). 0: no limit of our own.",
    )

    _sql_constraints = [
        (
            "wave_per_minute_positive",
            "CHECK(wave_per_minute IS NULL OR wave_per_minute >= 0)",
            "A limit cannot be negative.",
        ),
        (
            "wave_concurrent_positive",
            "CHECK(wave_concurrent IS NULL OR wave_concurrent >= 0)",
            "A limit cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------ defaults
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("provider") == "wave":
                vals.setdefault("poll_interval", 1)  # Wave announces nothing: polling is the path
        return super().create(vals_list)

    @api.onchange("provider")
    def _onchange_wave_provider(self):
        if self.provider != "wave":
            return
        if self.poll_interval == 5:
            self.poll_interval = 1
        for field, default in (
            ("api_url", wave.API_URL),
            ("auth_url", wave.AUTHORIZE_URL),
            ("token_url", wave.TOKEN_URL),
            ("revoke_url", wave.REVOKE_URL),
        ):
            if not self[field]:
                self[field] = default

    @api.onchange("wave_money_transactions")
    def _onchange_wave_money_transactions(self):
        if self.provider == "wave" and self.wave_money_transactions and self.direction_journal_entry == "off":
            self.direction_journal_entry = "export"
        self._fit_directions()

    # ------------------------------------------------------------------ the adapter
    def _wave_api_url(self):
        return self.api_url or wave.API_URL

    def _wave_client(self, business_id):
        """The GraphQL client of ``business_id`` (None: only the user's list of businesses)."""
        return wave.WaveClient(
            business_id,
            self._wave_token(),
            api_url=self._wave_api_url(),
            per_minute=self.wave_per_minute or None,
            concurrent=self.wave_concurrent or None,
            timeout=(5.0, float(max(self.request_timeout or 60, 1))),
        )

    def _provider_ready(self):
        return self.provider == "wave" or super()._provider_ready()

    def _get_adapter(self):
        if self.provider != "wave":
            return super()._get_adapter()
        self.ensure_one()
        if not self.tenant_id:
            raise UserError(self.env._("Choose the Wave business of '%(name)s' first.", name=self.name))
        product = self.wave_generic_product_id
        binding = self.env["connector.binding"].sudo()._for_record(self, "product", product) if product else None
        return WaveAdapter(
            self._wave_client(self.tenant_id),
            generic_product=binding.external_id if binding else None,
            money_transactions=self.wave_money_transactions,
            conflict_policy=self.conflict_policy,
            known_fields_only=True,  # what the engine validates records against
        )

    # ------------------------------------------------------------------ what Wave cannot do
    @api.depends("provider", "wave_money_transactions")
    def _compute_direction_limits(self):
        return super()._compute_direction_limits()

    def _unavailable_directions(self):
        if self.provider != "wave":
            return super()._unavailable_directions()
        # the refusals derived from the adapter's declarations, said in Wave's words
        limits = super()._unavailable_directions()
        for key, reason in REASONS.items():
            for direction in limits.get(key, {}):
                limits[key][direction] = str(reason)
        limits["payment/credit_application"] = {"export": str(REASONS["payment/credit_application"])}
        limits["journal_entry"] = {"import": self.env._("Wave cannot read money transactions back.")}
        if not self.wave_money_transactions:
            limits["journal_entry"]["export"] = self.env._(
                "Wave has no journal entries; turn on 'Export journal entries as money transactions' to send them "
                "as money transactions."
            )
        return limits

    def _sync_variant(self, kind, record):
        """A partner linked to a Wave vendor is a vendor, whatever its ranks in Odoo."""
        if self.provider == "wave" and kind == "party":
            binding = self.env["connector.binding"].sudo()._for_record(self, "party", record)
            if binding and id_kind(binding.external_id) == "Vendor":
                return "vendor"
        return super()._sync_variant(kind, record)
