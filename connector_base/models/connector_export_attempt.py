"""Batches sent to a provider, noted before they leave in a transaction of their own.

A batch's items carry no idempotency key of their own (QuickBooks' ``requestid`` is the whole
batch's), and an export job takes over the jobs waiting behind it, so a job rolled back after
its batch was created at the provider (a concurrent link by the export's own echo, a worker or
node killed) leaves records that the next job would put in another batch, with another
request id: copies at the provider. The note outlives the rollback: a record noted and still
unbound is looked up by its stamp before it is sent again (``_export_page``).

A note the job itself forgot (deleted, uncommitted) is noted again in the job's transaction: a
cursor of its own would wait on the job's row lock, for ever. The committed note stands for every
other transaction until the job commits, so it still outlives the job's rollback."""

from odoo import api, models

TABLE = "connector_export_attempt"
FORGOTTEN = "connector_export_attempt.forgotten"


class ConnectorExportAttempt(models.AbstractModel):
    _name = "connector.export.attempt"
    _description = "Export batches sent, noted outside the job's transaction"

    def init(self):
        self.env.cr.execute(
            f"""CREATE TABLE IF NOT EXISTS {TABLE} (
                    backend_id integer NOT NULL,
                    reference varchar NOT NULL,
                    sent_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
                    PRIMARY KEY (backend_id, reference))"""
        )

    @api.model
    def _note(self, backend, references):
        """Note ``references`` as sent, committed at once in a cursor of its own (those this
        transaction forgot: in the job's own, see the module's docstring)."""
        forgotten = self._forgotten()
        mine = [reference for reference in references if (backend.id, reference) in forgotten]
        others = [reference for reference in references if (backend.id, reference) not in forgotten]
        if mine:
            self._upsert(self.env.cr, backend, mine)
        if others:
            with self.env.registry.cursor() as cr:
                self._upsert(cr, backend, others)

    @staticmethod
    def _upsert(cr, backend, references):
        cr.execute(
            f"""INSERT INTO {TABLE} (backend_id, reference) SELECT %s, unnest(%s::varchar[])
                ON CONFLICT (backend_id, reference) DO UPDATE SET sent_at = EXCLUDED.sent_at""",
            [backend.id, list(references)],
        )

    def _forgotten(self):
        """(backend id, reference) pairs this transaction deleted: emptied when it ends."""
        cr = self.env.cr
        if FORGOTTEN not in cr.cache:
            cr.cache[FORGOTTEN] = set()
            cr.postcommit.add(lambda: cr.cache.pop(FORGOTTEN, None))
            cr.postrollback.add(lambda: cr.cache.pop(FORGOTTEN, None))
        return cr.cache[FORGOTTEN]

    @api.model
    def _noted(self, backend, references):
        """Which of ``references`` a batch was sent for and not bound since."""
        if not references:
            return set()
        self.env.cr.execute(
            f"SELECT reference FROM {TABLE} WHERE backend_id = %s AND reference = ANY(%s)",
            [backend.id, list(references)],
        )
        return {reference for (reference,) in self.env.cr.fetchall()}

    @api.model
    def _forget(self, backend, references):
        """In the job's transaction: bound, so no longer in doubt (kept if the job rolls back)."""
        if references:
            self.env.cr.execute(
                f"DELETE FROM {TABLE} WHERE backend_id = %s AND reference = ANY(%s) RETURNING reference",
                [backend.id, list(references)],
            )
            self._forgotten().update((backend.id, reference) for (reference,) in self.env.cr.fetchall())
