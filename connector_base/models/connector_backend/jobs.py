"""The queue_job jobs of a connection: ``_run_job`` maps the error taxonomy onto queue_job
(retryable errors back off, refused credentials pause the connection and put the job back),
and the job bodies it runs (``_job_<name>`` enqueued, ``_<name>`` run): a kind's import from
its cursor, a sweep's re-read, one record's import or export (an export taking over the
export jobs waiting behind it), a quarantine retry. Also what enqueues them from the form
(*Import all*) and from Odoo's side (``_enqueue_export``, which leaves out what the provider
cannot take), the deletions a sweep finds by comparing links with the provider's ids, and the
waking of postponed jobs."""

import logging
from datetime import timedelta

from odoo import api, fields, models

from ...lib import errors
from ...lib.provider import KINDS_IN_ORDER

# queue_job priorities (lower runs first; queue_job's default is 10): a change announced by a
# webhook is read before the polls and the initial import, the nightly sweep after them
WEBHOOK_PRIORITY = 5
#: the re-read of an event that is most likely the echo of our own export waits behind
#: real changes (it is still made: the re-read, not the guess, decides)
ECHO_PRIORITY = 40
SWEEP_PRIORITY = 50

_logger = logging.getLogger(__name__)


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

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
        except errors.LockBusyError as exc:
            # another worker is reading or writing the same thing: this job waits its turn, however
            # long that read takes (a rate-limited poll can outlast five retries); not a failure
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 30), ignore_retry=True) from None
        except errors.RetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after) if exc.retry_after else None) from None

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

    def _job_import_batch(self, kind):
        return self._run_job("import_batch", kind)

    def _import_batch(self, kind):
        counts = self._import_kind(kind)
        return f"{kind}: {counts['read']} read, {counts['new']} new, {counts['quarantined']} quarantined"

    def _import_kind(self, kind, commit_every=None):
        """Import every record of ``kind`` changed since the cursor; advance the cursor.

        Return the counts: read, new (bindings created), quarantined. ``commit_every``
        (headless first loads only) commits after so many records."""
        Binding = self.env["connector.binding"].sudo()
        binding_domain = [("backend_id", "=", self.id), ("external_type", "=", kind)]
        bound_before = Binding.search_count(binding_domain)
        cursor = self.env["connector.cursor"]._take(self, kind)
        position = cursor.position
        if kind == "party":  # parties and the documents after them point to terms and methods
            self._refresh_reference_lists(everything=not position)
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
        if kind == "party" and done:  # a vendor and a customer of one company on two partners: offer the merge
            self.env["connector.partner.match"]._offer_merges(self)
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

    def _job_sweep(self, kind, hours):
        return self._run_job("sweep", kind, hours)

    def _sweep(self, kind, hours):
        done, quarantined = self._reread(kind, hours)
        gone = self._sweep_deletions(kind)
        return f"{kind}: {done} re-read, {quarantined} quarantined, {gone} deleted at the provider"

    #: a sweep that finds more than this share of a kind's links gone (and more than
    #: SWEEP_DELETE_FLOOR) applies none of it: a wrong company or a short list, not deletions
    SWEEP_DELETE_SHARE = 0.5
    SWEEP_DELETE_FLOOR = 10

    def _sweep_deletions(self, kind):
        """Deletions no change feed reports (a provider whose deleted records simply disappear):
        the links of ``kind`` whose id the provider no longer lists go through the connection's
        delete policy, as a deletion read from a feed would. The adapter lists the ids it has
        with ``remote_ids(kind)``; without that method, or when it answers None (the provider
        never deletes that kind, or reports deletions itself), nothing is compared. Links made
        after the list was read are left for the next sweep. Return how many were applied."""
        lister = getattr(self._get_adapter(), "remote_ids", None)
        if lister is None:
            return 0
        listed_at = fields.Datetime.now()
        remote = lister(kind)
        if remote is None:
            return 0
        remote = {str(external_id) for external_id in remote}
        bound = (
            self.env["connector.binding"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", self.id),
                    ("external_type", "=", kind),
                    "|",
                    ("last_sync_at", "=", False),
                    ("last_sync_at", "<", listed_at - timedelta(minutes=1)),
                ]
            )
        )
        gone = [binding.external_id for binding in bound if binding.external_id not in remote]
        if len(gone) > max(self.SWEEP_DELETE_FLOOR, self.SWEEP_DELETE_SHARE * len(bound)):
            _logger.warning(
                "backend %s: %d of %d %s links gone at the provider: none applied", self.id, len(gone), len(bound), kind
            )
            self.message_post(
                body=self.env._(
                    "The nightly check found %(gone)s of %(bound)s linked %(kind)s records missing at the provider. "
                    "So many at once looks like a wrong company or an incomplete answer, not deletions: nothing was "
                    "changed in Odoo. Check the connection; records really deleted there can be archived or "
                    "cancelled by hand.",
                    gone=len(gone),
                    bound=len(bound),
                    kind=kind,
                )
            )
            return 0
        engine = self.env["connector.engine"]
        for external_id in gone:
            engine._import_safely(self, kind, {"external_id": external_id, "deleted": True})
        return len(gone)

    def _reread(self, kind, hours):
        """Re-read what changed at the provider in the last ``hours``; return (read, quarantined)."""
        done = quarantined = 0
        changes = self._get_adapter().changes(kind, since=self._sweep_since(hours))
        for page, _position in self._pages(changes):
            quarantined += self.env["connector.engine"]._import_page(self, kind, page)
            done += len(page)
        return done, quarantined

    def _sweep_since(self, hours):
        """What the sweep passes to ``changes`` as ``since``: the moment ``hours`` ago. A provider
        without a modified-since filter overrides it (e.g. its start date: the whole range)."""
        since = fields.Datetime.now() - timedelta(hours=hours)
        return since.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    #: how long the contacts' polls go without reading payment terms and methods again. A
    #: term a document names before then gets its mapping row at once, named by its id until
    #: the next read; the document keeps its own due date meanwhile.
    REFERENCE_LISTS_EVERY = timedelta(hours=1)

    def _refresh_reference_lists(self, everything=False):
        """Payment terms and methods read again when the contacts' import starts from the
        beginning (``everything``) or the last read is REFERENCE_LISTS_EVERY old; not when
        another job is reading them now. Their own cursor (kind ``reference_lists``) keeps
        when they were read, so a poll every minute does not cost the provider's request
        budget two list reads each time."""
        try:
            lists = self.env["connector.cursor"]._take(self, "reference_lists")
        except errors.LockBusyError:
            return
        last = lists.last_run_at
        if not everything and last and fields.Datetime.now() - last < self.REFERENCE_LISTS_EVERY:
            return
        self._import_reference_lists()
        lists._advance(lists.position)

    def _import_reference_lists(self):
        """Payment terms and methods into their mapping tables, named, with suggestions; a row
        is written only where the provider changed it. A row two jobs add at once is the
        mixin's handled conflict: one job retries."""
        models_by_list = {
            "payment_term": "connector.payment.term.mapping",
            "payment_method": "connector.payment.method.mapping",
        }
        for name, rows in self._get_adapter().reference_lists().items():
            Mapping = self.env[models_by_list[name]].sudo()
            known = {row.external_id: row for row in Mapping.search([("backend_id", "=", self.id)])}
            for external_id, label, extra in rows:
                row = known.get(str(external_id))
                vals = dict(extra, external_name=label)
                if not row:
                    row = Mapping._insert_missing(self, str(external_id), label)
                changed = {key: value for key, value in vals.items() if row[key] != value}
                if changed:
                    row.write(changed)
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
        refusal = self._export_refusal(kind, record)
        if refusal:  # queued before the connection said so: nothing of it is sent
            return f"{record.display_name} not sent: {refusal}"
        engine = self.env["connector.engine"]
        batch_size = self._get_adapter().batch_size
        others = self._take_waiting_exports(kind, record, batch_size - 1) if batch_size > 1 else None
        if not others:
            external_id = engine._export_safely(self, kind, record)
            if external_id:
                return f"{record.display_name}: exported as {external_id}"
            if engine._export_skipped(self, kind, record):
                return f"{record.display_name}: cancelled before it was sent, so not sent"
            return f"{record.display_name}: quarantined"
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
                    if backend._export_refusal(kind, record):
                        continue  # the provider cannot take it (the form says why): nothing of it is sent
                    backend.with_delay(
                        channel=backend._channel(),
                        identity_key=f"export:{backend.id}:{kind}:{record._name}:{record.id}",
                        description=f"{backend.name}: export {record.display_name}",
                    )._job_export_record(kind, record._name, record.id)

    def _pending_jobs(self):
        self.env["queue.job"].flush_model(["records", "state", "model_name"])
        self.env.cr.execute(
            """SELECT id FROM queue_job
                WHERE model_name = 'connector.backend' AND state = 'pending'
                  AND (records #>> '{}')::jsonb -> 'ids' @> %s::jsonb""",
            [str(self.ids)],
        )
        return self.env["queue.job"].sudo().browse([r[0] for r in self.env.cr.fetchall()])

    def _wake_jobs(self):
        """Jobs postponed while the backend was paused or disconnected run now."""
        self._pending_jobs().filtered("eta").write({"eta": False})
