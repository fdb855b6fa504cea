import logging
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import errors
from ..lib.oauth import TokenManager
from ..lib.provider import KINDS_IN_ORDER
from ..lib.secrets import mask

_logger = logging.getLogger(__name__)

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
# queue_job priorities (lower runs first; queue_job's default is 10): a change announced by a
# webhook is read before the polls and the initial import, the nightly sweep after them
WEBHOOK_PRIORITY = 5
#: the re-read of an event that is most likely the echo of our own export waits behind
#: real changes (it is still made: the re-read, not the guess, decides)
ECHO_PRIORITY = 40
SWEEP_PRIORITY = 50
# first key of the advisory lock that makes token refreshes single-flight (the second is the backend id)
TOKEN_LOCK_SPACE = 0x51C0
#: write-only secrets: field name -> key in connector.secret
SECRET_FIELDS = {"client_secret": "client_secret", "webhook_secret": "webhook_secret"}


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

    # ------------------------------------------------------------------ secrets
    def _compute_secrets(self):
        secret = self.env["connector.secret"]
        have = {key: secret._has(self, key) for key in (*SECRET_FIELDS.values(), "token")}
        for backend in self:
            for field, key in SECRET_FIELDS.items():
                backend[field] = mask(backend.id in have[key])
            backend.has_token = backend.id in have["token"]

    def _inverse_secret(self, field):
        for backend in self:
            value = backend[field]
            if value and value == mask(True):
                continue  # the mask came back unchanged from the form
            self.env["connector.secret"]._set(backend, SECRET_FIELDS[field], value or False)

    def _inverse_client_secret(self):
        self._inverse_secret("client_secret")

    def _inverse_webhook_secret(self):
        self._inverse_secret("webhook_secret")

    def _get_secret(self, key):
        self.ensure_one()
        return self.env["connector.secret"]._get(self, key)

    def _set_secret(self, key, value):
        self.ensure_one()
        self.env["connector.secret"]._set(self, key, value)

    def _get_token(self):
        """The stored OAuth token dict (decrypted), or {}."""
        from ..lib.money import json_loads

        raw = self._get_secret("token")
        return json_loads(raw) if raw else {}

    def _save_token(self, token):
        from ..lib.money import json_dumps

        self.ensure_one()
        self._set_secret("token", json_dumps(token) if token else False)
        expires = token.get("expires_at") if token else None
        # The expiry is only shown on the form. From the refresh cursor, the backend row may be
        # locked by the very job that asked for the refresh: skip the display rather than wait.
        self.env.cr.execute("SELECT id FROM connector_backend WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", [self.id])
        if not self.env.cr.fetchone():
            return
        self.sudo().token_expires_at = (
            fields.Datetime.to_datetime(
                fields.Datetime.now() + timedelta(seconds=max(0, int(expires) - int(fields.Datetime.now().timestamp())))
            )
            if expires
            else False
        )

    def _token_manager(self, refresh):
        """Single-flight token refresh across workers: the refresh runs under a lock on the
        backend, in a cursor of its own that commits the rotated token at once, so a
        concurrent job waits for it and then reuses the new token.

        The lock is an advisory one, not a row lock: the job that asks for a refresh may
        itself hold a lock on the backend row (inserting a log row takes a key-share lock
        through its foreign key), and the refresh cursor must never wait for its own job."""
        self.ensure_one()
        backend_id = self.id

        @contextmanager
        def locked_env():
            key = [TOKEN_LOCK_SPACE, backend_id]
            with self.env.registry.cursor() as cr:
                # A session lock, then a new transaction: its snapshot is taken after the wait,
                # so it sees the token that the previous holder committed.
                cr.execute("SELECT pg_advisory_lock(%s, %s)", key)
                cr.commit()
                try:
                    yield api.Environment(cr, self.env.uid, self.env.context)
                    cr.commit()
                except Exception:
                    cr.rollback()
                    raise
                finally:
                    cr.execute("SELECT pg_advisory_unlock(%s, %s)", key)
                    cr.commit()

        holder = {}

        @contextmanager
        def lock():
            with locked_env() as env:
                holder["env"] = env
                try:
                    yield
                finally:
                    holder.pop("env", None)

        def load():
            env = holder.get("env")
            backend = env["connector.backend"].browse(backend_id) if env else self
            if env:
                env.invalidate_all()
            return backend._get_token()

        def save(token):
            env = holder.get("env")
            backend = env["connector.backend"].browse(backend_id) if env else self
            backend._save_token(token)

        return TokenManager(load=load, save=save, refresh=refresh, lock=lock)

    # ------------------------------------------------------------------ health
    def _compute_health(self):
        Quarantine = self.env["connector.quarantine"].sudo()
        Log = self.env["connector.sync.log"].sudo()
        since = fields.Datetime.now() - timedelta(hours=24)
        counts = dict(
            Quarantine._read_group(
                [("backend_id", "in", self.ids), ("state", "=", "open")], ["backend_id"], ["__count"]
            )
        )
        logs = Log._read_group(
            [
                ("backend_id", "in", self.ids),
                ("create_date", ">=", since),
                ("state", "in", ("done", "quarantined", "failed")),
            ],
            ["backend_id", "state"],
            ["__count"],
        )
        per_backend = {}
        for backend, state, count in logs:
            per_backend.setdefault(backend.id, {})[state] = count
        pending = dict(self._pending_job_counts()) if self.ids else {}
        for backend in self:
            backend.quarantine_count = counts.get(backend, 0)
            stats = per_backend.get(backend.id, {})
            total = sum(stats.values())
            bad = stats.get("quarantined", 0) + stats.get("failed", 0)
            backend.error_rate = 100.0 * bad / total if total else 0.0
            backend.jobs_pending = pending.get(backend.id, 0)

    # queue_job keeps ``records`` as a JSON document encoded in a jsonb string:
    # ``(records #>> '{}')::jsonb`` reads it back as an object
    def _pending_job_counts(self):
        self.env["queue.job"].flush_model(["records", "state", "model_name"])
        self.env.cr.execute(
            """SELECT rec.id::int, count(*)
                 FROM queue_job, jsonb_array_elements((records #>> '{}')::jsonb -> 'ids') AS rec(id)
                WHERE model_name = 'connector.backend'
                  AND state IN ('wait_dependencies', 'pending', 'enqueued', 'started')
                  AND rec.id::int = ANY(%s)
                GROUP BY 1""",
            [self.ids],
        )
        return self.env.cr.fetchall()

    def _pending_jobs(self):
        self.env["queue.job"].flush_model(["records", "state", "model_name"])
        self.env.cr.execute(
            """SELECT id FROM queue_job
                WHERE model_name = 'connector.backend' AND state = 'pending'
                  AND (records #>> '{}')::jsonb -> 'ids' @> %s::jsonb""",
            [str(self.ids)],
        )
        return self.env["queue.job"].sudo().browse([r[0] for r in self.env.cr.fetchall()])

    # ------------------------------------------------------------------ provider hooks
    def _get_adapter(self):
        """The ProviderAdapter of this backend (lib/provider.py). Provider addons override."""
        self.ensure_one()
        raise UserError(self.env._("Choose a provider for the connection '%(name)s'.", name=self.name))

    def _provider_connect(self):
        """Start connecting. Return an action (an OAuth redirect) or None when done."""
        self.ensure_one()
        self.action_test_connection()
        self._mark_connected()
        return None

    def _mark_connected(self):
        """The provider accepted the credentials: jobs that waited for them run now."""
        self.ensure_one()
        was_waiting = self.state == "needs_reconnect"
        self.state = "connected"
        if was_waiting:
            self.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_todo")
            ).action_feedback(feedback=self.env._("Reconnected."))
        self._wake_jobs()

    def _provider_disconnect(self):
        """Revoke what the provider allows to revoke. Called before the tokens are dropped."""

    def _direction(self, kind):
        return self[DIRECTION_FIELDS[kind]]

    def _imports(self, kind):
        return self._direction(kind) in ("import", "both")

    def _exports(self, kind):
        return self._direction(kind) in ("export", "both")

    # ------------------------------------------------------------------ actions
    def action_test_connection(self):
        self.ensure_one()
        try:
            info = self._get_adapter().test_connection()
        except errors.ConnectorError as exc:
            raise UserError(self.env._("Connection failed: %(error)s", error=exc)) from None
        if info and not self.tenant_name:
            self.tenant_name = info
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Connection works"),
                "message": info or self.name,
                "sticky": False,
            },
        }

    def action_connect(self):
        self.ensure_one()
        return self._provider_connect()

    def action_disconnect(self):
        for backend in self:
            try:
                backend._provider_disconnect()
            except errors.ConnectorError as exc:
                _logger.warning("backend %s: revoking failed (%s); dropping the tokens anyway", backend.id, exc)
            backend._save_token({})
            backend.state = "draft"
            backend.message_post(body=self.env._("Disconnected."))

    def action_pause(self):
        self.filtered(lambda b: b.state == "connected").write({"state": "paused"})

    def action_resume(self):
        for backend in self.filtered(lambda b: b.state == "paused"):
            backend.state = "connected"
            backend._wake_jobs()

    def action_import_all(self):
        """Enqueue the initial import: every imported kind, dependencies first."""
        for backend in self:
            backend._check_active()
            kinds = [k for k in KINDS_IN_ORDER if backend._imports(k)]
            self.env["connector.cursor"]._reset(backend, kinds)
            backend.import_total = backend._expected_count(kinds)
            previous = None
            for priority, kind in enumerate(kinds):
                job = backend.delayable(
                    channel=backend._channel(),
                    priority=10 + priority,
                    description=f"{backend.name}: import all {kind}",
                    identity_key=f"import_batch:{backend.id}:{kind}",
                )._job_import_batch(kind)
                if previous is not None:
                    previous.on_done(job)
                else:
                    first = job
                previous = job
            if kinds:
                first.delay()
        return True

    def _expected_count(self, kinds):
        """How many records a full import reads, when the provider can tell (for the progress bar)."""
        try:
            adapter = self._get_adapter()
            return sum(adapter.count(kind, since=self._start_position()) or 0 for kind in kinds)
        except (errors.ConnectorError, NotImplementedError) as exc:
            _logger.info("backend %s: no record count for the progress bar (%s)", self.id, exc)
            return 0

    def _compute_sync_progress(self):
        rows = (
            self.env["connector.cursor"]
            .sudo()
            ._read_group([("backend_id", "in", self.ids)], ["backend_id"], ["last_run_at:max", "done:sum"])
        )
        found = {backend.id: (last, done) for backend, last, done in rows}
        for backend in self:
            backend.last_sync_at, backend.import_done = found.get(backend.id, (False, 0))

    @api.depends("import_total", "import_done")
    def _compute_import_progress(self):
        for backend in self:
            total = max(backend.import_total, backend.import_done)
            backend.import_progress = 100.0 * backend.import_done / total if total else 0.0

    def _check_active(self):
        if self.state != "connected":
            raise UserError(self.env._("The connection '%(name)s' is not connected.", name=self.name))

    def _channel(self):
        return f"root.connector.{self.provider}" if self.provider != "none" else "root.connector"

    def _wake_jobs(self):
        """Jobs postponed while the backend was paused or disconnected run now."""
        self._pending_jobs().filtered("eta").write({"eta": False})

    @api.model
    def _receive_webhook_events(self, provider, events, payload):
        """Store verified webhook events in the inbox and queue a re-read of each record.

        ``events``: dicts with tenant, kind (None when the connector does not import that
        type), label, external_ids (the record first; for a merge, also the one merged
        away), operation, dedup and changed_at (a naive UTC datetime, or None). A repeated
        delivery is stored once and queues nothing; the jobs re-read the records and never
        trust the body. Return the jobs queued."""
        Inbox = self.env["connector.webhook.event"].sudo()
        queued = 0
        for event in events:
            backends = self.sudo().search(
                [
                    ("provider", "=", provider),
                    ("tenant_id", "=", event["tenant"]),
                    ("state", "in", ("connected", "paused", "needs_reconnect")),
                ]
            )
            kind = event["kind"]
            for backend in backends:
                stored = Inbox._store(
                    [
                        {
                            "backend_id": backend.id,
                            "provider": provider,
                            "dedup_key": f"{backend.id}:{event['dedup']}",
                            "kind": kind or event["label"],
                            "external_id": event["external_ids"][0],
                            "operation": event["operation"],
                            "payload": payload,
                        }
                    ]
                )
                if not stored:
                    continue  # a duplicate delivery
                if not kind or not backend._imports(kind):
                    stored.write({"state": "ignored", "note": "not imported by this connection"})
                    continue
                for external_id in event["external_ids"]:
                    echo = backend._exported_since(kind, external_id, event.get("changed_at"))
                    backend.with_delay(
                        channel=backend._channel(),
                        priority=ECHO_PRIORITY if echo else WEBHOOK_PRIORITY,
                        identity_key=f"import_record:{backend.id}:{kind}:{external_id}",
                        description=f"{backend.name}: {event['operation'].lower()} {external_id}",
                    )._job_import_record(kind, external_id)
                    queued += 1
                stored.write({"state": "queued"})
        return queued

    def _exported_since(self, kind, external_id, moment):
        """True when our last write of this record to the provider is as recent as a change
        made at ``moment``: the change is most likely that write."""
        if not moment:
            return False
        return bool(
            self.env["connector.binding"]
            .sudo()
            .search_count(
                [
                    ("backend_id", "=", self.id),
                    ("external_type", "=", kind),
                    ("external_id", "=", str(external_id)),
                    ("last_direction", "=", "export"),
                    ("last_sync_at", ">=", moment),
                ],
                limit=1,
            )
        )

    @api.model
    def _cron_poll(self):
        """Enqueue an incremental import for every connected backend whose interval is due."""
        now = fields.Datetime.now()
        for backend in self.search([("state", "=", "connected")]):
            if backend.last_sync_at and backend.last_sync_at + timedelta(minutes=backend.poll_interval or 5) > now:
                continue
            backend._enqueue_each_kind("import_batch", "poll {kind}")

    def _enqueue_each_kind(self, job, description, *args, priority=None):
        """One ``_job_<job>(kind, *args)`` per imported kind, dependencies first; the identity
        key makes a repeat of a job that still waits a no-op."""
        for kind in KINDS_IN_ORDER:
            if self._imports(kind):
                delayed = self.with_delay(
                    channel=self._channel(),
                    priority=priority,
                    identity_key=f"{job}:{self.id}:{kind}",
                    description=f"{self.name}: {description.format(kind=kind)}",
                )
                getattr(delayed, f"_job_{job}")(kind, *args)

    # ------------------------------------------------------------------ jobs
    def _run_job(self, name, *args):
        """Run the job body ``_<name>`` with the error taxonomy mapped onto queue_job.

        Retryable -> RetryableJobError (backoff, Retry-After honoured). Refused
        credentials -> the backend goes to 'needs reconnect' with one message, and the job
        is put back, waiting for the reconnection, instead of failing."""
        from odoo.addons.queue_job.exception import RetryableJobError

        self.ensure_one()
        if self.state in ("paused", "needs_reconnect", "draft"):
            raise RetryableJobError(
                f"connection {self.name} is {self.state}: the job waits", seconds=600, ignore_retry=True
            )
        try:
            # an auth refusal leaves nothing of the half-done job behind (log rows, the export
            # jobs it took over): the job is put back whole
            with self.env.cr.savepoint():
                return getattr(self, f"_{name}")(*args)
        except errors.AuthError as exc:
            self._mark_needs_reconnect(exc)
            getattr(
                self.with_delay(
                    channel=self._channel(),
                    eta=fields.Datetime.now() + timedelta(hours=1),
                    description=f"{self.name}: {name} (waits for the reconnection)",
                ),
                f"_job_{name}",
            )(*args)
            return f"paused: {exc}"
        except errors.RetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after) if exc.retry_after else None) from None

    def _mark_needs_reconnect(self, exc):
        """One notification per outage."""
        if self.state == "needs_reconnect":
            return
        self.state = "needs_reconnect"
        self.message_post(
            body=self.env._(
                "The provider refused the credentials (%(error)s). Synchronisation is paused: reconnect.",
                error=str(exc)[:300],
            ),
            subtype_xmlid="mail.mt_note",
        )
        managers = self.env.ref("connector_base.group_connector_manager").sudo().users
        for user in managers.filtered(lambda u: self.company_id in u.company_ids and not u.share)[:3]:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Reconnect %(name)s", name=self.name),
                user_id=user.id,
            )

    def _job_import_batch(self, kind):
        return self._run_job("import_batch", kind)

    def _import_batch(self, kind):
        counts = self._import_kind(kind)
        return f"{kind}: {counts['read']} read, {counts['new']} new, {counts['quarantined']} quarantined"

    def _import_kind(self, kind, commit_every=None):
        """Import every record of ``kind`` changed since the cursor; advance the cursor.

        Return the counts: read, new (bindings created), quarantined. ``commit_every``
        (headless first loads only) commits after so many records."""
        if kind == "party":  # parties and the documents after them point to terms and methods
            self._import_reference_lists()
        Binding = self.env["connector.binding"].sudo()
        binding_domain = [("backend_id", "=", self.id), ("external_type", "=", kind)]
        bound_before = Binding.search_count(binding_domain)
        cursor = self.env["connector.cursor"]._take(self, kind)
        position = cursor.position
        engine = self.env["connector.engine"]
        done = quarantined = unsaved = 0
        changes = self._get_adapter().changes(kind, since=cursor.position or self._start_position())
        for page, page_position in self._pages(changes):
            quarantined += engine._import_page(self, kind, page)
            done += len(page)
            unsaved += len(page)
            if done % engine.ANALYZE_EVERY < len(page):
                engine._refresh_statistics(kind)
            if page_position:
                position = max(position or page_position, page_position)
            if commit_every and unsaved >= commit_every:
                cursor._advance(position, read=unsaved)
                self.env.cr.commit()
                cursor = self.env["connector.cursor"]._take(self, kind)
                unsaved = 0
        cursor._advance(position, read=unsaved)
        return {"read": done, "new": Binding.search_count(binding_domain) - bound_before, "quarantined": quarantined}

    def _pages(self, changes):
        """(records, latest position) in pages of the engine's page size."""
        size = self.env["connector.engine"].PAGE_SIZE
        page, latest = [], None
        for record, position in changes:
            page.append(record)
            if position:
                latest = max(latest or position, position)
            if len(page) >= size:
                yield page, latest
                page = []
        if page:
            yield page, latest

    @api.model
    def _cron_sweep(self, hours=25):
        """The daily reconciliation: re-read everything changed in the last ``hours``,
        without moving the cursors, to catch what a lost webhook or a failed poll missed."""
        for backend in self.search([("state", "=", "connected")]):
            backend._enqueue_each_kind("sweep", f"reconcile {{kind}} (last {hours} h)", hours, priority=SWEEP_PRIORITY)

    def _job_sweep(self, kind, hours):
        return self._run_job("sweep", kind, hours)

    def _sweep(self, kind, hours):
        done, quarantined = self._reread(kind, hours)
        return f"{kind}: {done} re-read, {quarantined} quarantined"

    def _reread(self, kind, hours):
        """Re-read what changed at the provider in the last ``hours``; return (read, quarantined)."""
        since = fields.Datetime.now() - timedelta(hours=hours)
        done = quarantined = 0
        changes = self._get_adapter().changes(kind, since=since.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
        for page, _position in self._pages(changes):
            quarantined += self.env["connector.engine"]._import_page(self, kind, page)
            done += len(page)
        return done, quarantined

    def _import_reference_lists(self):
        """Payment terms and methods into their mapping tables, named, with suggestions."""
        models_by_list = {
            "payment_term": "connector.payment.term.mapping",
            "payment_method": "connector.payment.method.mapping",
        }
        for name, rows in self._get_adapter().reference_lists().items():
            Mapping = self.env[models_by_list[name]].sudo()
            for external_id, label, extra in rows:
                row = Mapping.search([("backend_id", "=", self.id), ("external_id", "=", str(external_id))], limit=1)
                vals = dict(extra, external_name=label)
                if row:
                    row.write(vals)
                else:
                    row = Mapping.create(dict(vals, backend_id=self.id, external_id=str(external_id)))
                if not row[Mapping._target_field]:
                    row._suggest()

    def _start_position(self):
        """Where a first import starts: the backend's start date. Providers may override."""
        return fields.Date.to_string(self.sync_start_date) if self.sync_start_date else None

    def _job_import_record(self, kind, external_id):
        return self._run_job("import_record", kind, external_id)

    def _import_record(self, kind, external_id):
        try:
            record = self._get_adapter().read(kind, external_id)
        except errors.NotFoundError:
            record = {"external_id": external_id, "deleted": True}  # gone at the provider
        result = self.env["connector.engine"]._import_safely(self, kind, record)
        return f"{kind} {external_id}: {'imported' if result else 'quarantined'}"

    def _job_export_record(self, kind, res_model, res_id):
        return self._run_job("export_record", kind, res_model, res_id)

    def _export_record(self, kind, res_model, res_id):
        """Export one record; when the provider takes batches, with the records of the
        export jobs of the same kind that wait behind this one (up to a batch)."""
        record = self.env[res_model].browse(res_id).exists()
        if not record:
            return f"{res_model},{res_id} no longer exists"
        engine = self.env["connector.engine"]
        batch_size = self._get_adapter().batch_size
        others = self._take_waiting_exports(kind, record, batch_size - 1) if batch_size > 1 else None
        if not others:
            external_id = engine._export_safely(self, kind, record)
            return f"{record.display_name}: {'exported as ' + str(external_id) if external_id else 'quarantined'}"
        results = engine._export_page(self, kind, record | others)
        exported = len([r for r in results.values() if r])
        return f"{len(results)} {kind} records: {exported} exported, {len(results) - exported} quarantined"

    def _take_waiting_exports(self, kind, record, limit):
        """The records of up to ``limit`` export jobs of this connection, kind and model that
        wait in the queue and are due. This job takes them over: theirs are marked done with
        a note naming it (should the runner start one all the same, it finds nothing to do)."""
        note = f"exported together with job {self.env.context.get('job_uuid') or 'run outside the queue'}"
        self.env.cr.execute(
            """
            UPDATE queue_job SET state = 'done', date_done = now() AT TIME ZONE 'utc', result = %s
             WHERE id IN (SELECT id FROM queue_job
                           WHERE state = 'pending' AND identity_key LIKE %s AND identity_key != %s
                             AND (eta IS NULL OR eta <= now() AT TIME ZONE 'utc')
                           ORDER BY priority, id LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING identity_key
            """,
            [
                note,
                f"export:{self.id}:{kind}:{record._name}:%",
                f"export:{self.id}:{kind}:{record._name}:{record.id}",
                limit,
            ],
        )
        ids = [int(key.rsplit(":", 1)[1]) for (key,) in self.env.cr.fetchall()]
        self.env["queue.job"].invalidate_model(["state", "date_done", "result"])
        return record.browse(ids).exists()

    def _job_retry_quarantine(self, quarantine_id):
        return self._run_job("retry_quarantine", quarantine_id)

    def _retry_quarantine(self, quarantine_id):
        row = self.env["connector.quarantine"].sudo().browse(quarantine_id).exists()
        if not row or row.state != "open":
            return "nothing to retry"
        row._retry()
        return f"retried {row.display_label}: {row.state}"

    @api.model
    def _enqueue_export(self, kind, records):
        """Called by the Odoo-side listeners: one export job per record and backend."""
        if self.env.context.get("connector_no_export") or not records:
            return
        for company in records.mapped("company_id") or self.env.company:
            backends = self.sudo().search([("company_id", "=", company.id), ("state", "in", ("connected", "paused"))])
            for backend in backends.filtered(lambda b: b._exports(kind)):
                for record in records.filtered(lambda r, c=company: not r.company_id or r.company_id == c):
                    backend.with_delay(
                        channel=backend._channel(),
                        identity_key=f"export:{backend.id}:{kind}:{record._name}:{record.id}",
                        description=f"{backend.name}: export {record.display_name}",
                    )._job_export_record(kind, record._name, record.id)
