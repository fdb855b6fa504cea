"""A connection to a Reckon One book: its settings, its adapter, and what Reckon cannot do.

Signing in, the choice of the book, the subscription key and the change notifications are
in ``connector_backend_connect``.

A table Reckon refuses with 403 (bills and journals need the book's plan and the user's
role) is said once on the connection and kept in ``reckon_refused_tables``: its directions
show the reason, nothing of it is queued again, and *Check again* clears the list once the
book's owner has added it."""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from ..lib import client as reckon
from ..lib.adapter import ReckonAdapter
from ..lib.faults import TABLES, PermissionDeniedError, SubscriptionKeyError

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)
#: why Reckon cannot do what ``CAPABILITIES`` leaves out, per key of ``_unavailable_directions``
REASONS = {
    "tax": _lt("Reckon's API has no way to create or change tax rates or groups: they are read from Reckon."),
    "invoice/in_refund": _lt("Reckon One's API has no supplier adjustment notes (vendor refunds)."),
    "payment/outbound": _lt(
        "Supplier payments are read-only in Reckon One's API v2: they are read from Reckon, never written to it."
    ),
}
#: a Reckon table -> the key of ``_unavailable_directions`` its refusal closes
TABLE_KEYS = {
    "ledgeraccounts": "account",
    "customers": "party/customer",
    "suppliers": "party/vendor",
    "items": "product",
    "invoices": "invoice/out_invoice",
    "creditnotes": "invoice/out_refund",
    "bills": "invoice/in_invoice",
    "receipts": "payment/inbound",
    "payments": "payment/outbound",
    "journals": "journal_entry",
}
#: what a 403 said, per (database, connection): recorded on the connection once its job is over
#: (a refusal met inside a savepoint that rolls back must still be said)
_REFUSED = {}


class _Client(reckon.ReckonClient):
    """The lib's client, telling the connection of every 403 it meets."""

    def __init__(self, *args, on_denied=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._on_denied = on_denied

    def call(self, *args, **kwargs):
        try:
            return super().call(*args, **kwargs)
        except PermissionDeniedError as exc:
            if self._on_denied:
                self._on_denied(exc)
            raise


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    provider = fields.Selection(selection_add=[("reckon", "Reckon One")], ondelete={"reckon": "set default"})
    reckon_book_id = fields.Many2one(
        "connector.reckon.book",
        "Reckon book",
        domain="[('backend_id', '=', id)]",
        copy=False,
        help="The Reckon One book this connection reads and writes, among those your sign-in reaches.",
    )
    reckon_per_minute = fields.Integer(
        "Requests a minute",
        default=reckon.REQUESTS_PER_MINUTE,
        help="Reckon publishes no request limit; its gateway answers 429 when one is reached. 0: no limit of our own.",
    )
    reckon_concurrent = fields.Integer(
        "Requests at once",
        default=reckon.CONCURRENT,
        help="How many requests this connection sends to Reckon at the same time, across all workers. 0: no limit.",
    )
    reckon_window_days = fields.Integer(
        "Re-read window (days)",
        default=60,
        help="Reckon's invoices, credit notes and receipts carry no last-modified time: each poll reads again those "
        "dated in the last so many days (an unchanged one costs a comparison). Older ones are read again by the "
        "nightly check.",
    )
    reckon_refused_tables = fields.Char(
        "Tables Reckon refused",
        readonly=True,
        copy=False,
        help="Tables this book answered 403 for (its plan or the connected user's role lacks them).",
    )

    _sql_constraints = [
        (
            "reckon_limits_positive",
            "CHECK((reckon_per_minute IS NULL OR reckon_per_minute >= 0) "
            "AND (reckon_concurrent IS NULL OR reckon_concurrent >= 0) "
            "AND (reckon_window_days IS NULL OR reckon_window_days >= 0))",
            "A limit cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------ defaults
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("provider") == "reckon":
                vals.setdefault("poll_interval", 1)  # Reckon announces nothing: polling is the path
                for field, default in self._reckon_endpoints():
                    vals.setdefault(field, default)
        return super().create(vals_list)

    @api.model
    def _reckon_endpoints(self):
        return (
            ("api_url", reckon.API_URL),
            ("auth_url", reckon.AUTHORIZE_URL),
            ("token_url", reckon.TOKEN_URL),
            ("revoke_url", reckon.REVOKE_URL),
        )

    @api.onchange("provider")
    def _onchange_reckon_provider(self):
        if self.provider != "reckon":
            return
        if self.poll_interval == 5:
            self.poll_interval = 1
        for field, default in self._reckon_endpoints():
            if not self[field]:
                self[field] = default

    # ------------------------------------------------------------------ the adapter
    def _provider_ready(self):
        return self.provider == "reckon" or super()._provider_ready()

    def _reckon_client(self, book_id):
        """The API client of ``book_id`` (None: only the user's list of books)."""
        self.ensure_one()
        key = self._get_secret("subscription_key")
        if not key:
            raise SubscriptionKeyError(
                "This connection has no Reckon One API subscription key: enter it in the connection settings."
            )
        refused = _REFUSED.setdefault((self.env.cr.dbname, self.id), {})
        return _Client(
            book_id,
            self._reckon_token(),
            key,
            api_url=self.api_url or reckon.API_URL,
            per_minute=self.reckon_per_minute or None,
            concurrent=self.reckon_concurrent or None,
            timeout=(5.0, float(max(self.request_timeout or 60, 1))),
            on_denied=lambda exc: refused.setdefault(exc.table, str(exc)),
        )

    def _get_adapter(self):
        if self.provider != "reckon":
            return super()._get_adapter()
        self.ensure_one()
        if not self.tenant_id:
            raise UserError(self.env._("Choose the Reckon book of '%(name)s' first.", name=self.name))
        adapter = ReckonAdapter(
            self._reckon_client(self.tenant_id),
            window_days=self.reckon_window_days or 60,
            conflict_policy=self.conflict_policy,
        )
        adapter.unavailable.update(self._reckon_refused())
        return adapter

    # ------------------------------------------------------------------ tables the book refuses
    def _reckon_refused(self):
        return set((self.reckon_refused_tables or "").split())

    def _reckon_note_refusals(self):
        """Say once on the connection each table Reckon refused during this job."""
        for backend in self.filtered(lambda b: b.provider == "reckon"):
            met = _REFUSED.get((self.env.cr.dbname, backend.id), {})
            refused, _cleared = dict(met), met.clear()
            new = {table: text for table, text in refused.items() if table and table not in backend._reckon_refused()}
            if not new:
                continue
            backend.reckon_refused_tables = " ".join(sorted(backend._reckon_refused() | set(new)))
            for table, text in sorted(new.items()):
                backend.message_post(
                    body=self.env._(
                        "%(error)s Nothing more is asked of Reckon for %(table)s until you press 'Check again'.",
                        error=text,
                        table=TABLES.get(table, table),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def action_reckon_check_again(self):
        """The book's owner added what was refused: ask Reckon again."""
        for backend in self:
            backend.reckon_refused_tables = False
            backend.message_post(body=self.env._("Reckon will be asked again for every table."))
        return True

    def _run_job(self, name, *args):
        """A table refused with 403 ends the job with one message on the connection, not a failure."""
        if self.provider != "reckon":
            return super()._run_job(name, *args)
        try:
            result = super()._run_job(name, *args)
        except PermissionDeniedError as exc:
            result = f"skipped: {exc}"
        self._reckon_note_refusals()
        return result

    def action_test_connection(self):
        try:
            return super().action_test_connection()
        finally:
            self._reckon_note_refusals()

    # ------------------------------------------------------------------ what Reckon cannot do
    @api.depends("provider", "reckon_refused_tables")
    def _compute_direction_limits(self):
        return super()._compute_direction_limits()

    def _unavailable_directions(self):
        if self.provider != "reckon":
            return super()._unavailable_directions()
        # the refusals derived from the adapter's declarations, said in Reckon's words
        limits = super()._unavailable_directions()
        for key, reason in REASONS.items():
            for direction in limits.get(key, {}):
                limits[key][direction] = str(reason)
        for table in sorted(self._reckon_refused()):
            key = TABLE_KEYS.get(table)
            if key:
                reason = self.env._(
                    "this book refused access to %(table)s (403: its Reckon One plan or the connected user's role "
                    "lacks them). Ask the book's owner, then press 'Check again'.",
                    table=TABLES.get(table, table),
                )
                limits[key] = {"import": reason, "export": reason}
        return limits

    # ------------------------------------------------------------------ change detection
    def _reread(self, kind, hours):
        """Invoices, credit notes and receipts have no last-modified time: the nightly check
        reads them again from the start date (an unchanged one costs a comparison)."""
        if (
            self.provider == "reckon"
            and kind in ("invoice", "payment")
            and not self.env.context.get("reckon_sweep_from_start")
        ):
            return self.with_context(reckon_sweep_from_start=True)._reread(kind, hours)
        return super()._reread(kind, hours)

    def _sweep_since(self, hours):
        if self.provider == "reckon" and self.env.context.get("reckon_sweep_from_start"):
            return self._start_position()
        return super()._sweep_since(hours)
