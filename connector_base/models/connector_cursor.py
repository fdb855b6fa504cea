import psycopg2

from odoo import api, fields, models

from ..lib.errors import LockBusyError


class ConnectorCursor(models.Model):
    """High-water mark of the incremental import, per backend and record type."""

    _name = "connector.cursor"
    _description = "Connector Poll Cursor"
    _rec_name = "kind"

    backend_id = fields.Many2one("connector.backend", "Connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    kind = fields.Char("Record type", required=True)
    position = fields.Char(help="Provider-specific: a timestamp or a token.")
    last_run_at = fields.Datetime("Last read")
    done = fields.Integer("Records read", help="Since the last full import started (for its progress bar).")

    _sql_constraints = [("backend_kind_uniq", "unique(backend_id, kind)", "One cursor per backend and record type.")]

    @api.model
    def _take(self, backend, kind):
        """The cursor row, locked FOR UPDATE NOWAIT until the transaction ends, so two
        pollers never read the same window. Raise LockBusyError when another holds it."""
        cursor = self.sudo().search([("backend_id", "=", backend.id), ("kind", "=", kind)], limit=1)
        if not cursor:
            # two jobs may start the first poll of a kind together (the poll cron and the
            # initial import): one row is made, the other job comes back later
            # (at Odoo's isolation level the loser gets a serialization failure, not an empty
            # answer: both are a handled conflict, with no error line in the server log)
            row = None
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        """INSERT INTO connector_cursor (backend_id, company_id, kind, done,
                                                         create_uid, create_date, write_uid, write_date)
                           VALUES (%s, %s, %s, 0, %s, now() at time zone 'utc', %s, now() at time zone 'utc')
                           ON CONFLICT (backend_id, kind) DO NOTHING RETURNING id""",
                        [backend.id, backend.company_id.id, kind, self.env.uid, self.env.uid],
                        log_exceptions=False,
                    )
                    row = self.env.cr.fetchone()
            except psycopg2.errors.SerializationFailure:
                row = None
            if not row:
                raise LockBusyError(f"another worker is starting to poll {kind} for {backend.name}", retry_after=30)
            cursor = self.sudo().browse(row[0])
        try:
            with self.env.cr.savepoint(flush=False):
                # a busy cursor is a handled conflict, not an error for the server log
                self.env.cr.execute(
                    "SELECT id FROM connector_cursor WHERE id = %s FOR UPDATE NOWAIT", [cursor.id], log_exceptions=False
                )
        except psycopg2.errors.LockNotAvailable:
            raise LockBusyError(f"another worker is polling {kind} for {backend.name}", retry_after=30) from None
        cursor.invalidate_recordset(["position"])
        return cursor

    def _advance(self, position, read=0):
        """Move the mark; count ``read`` more records. Only this kind's row is written (it is
        locked already), so imports of different kinds never contend on the backend row."""
        self.write({"position": position, "last_run_at": fields.Datetime.now(), "done": self.done + read})

    @api.model
    def _reset(self, backend, kinds):
        cursors = self.sudo().search([("backend_id", "=", backend.id)])
        cursors.filtered(lambda c: c.kind in kinds).write({"position": False})
        cursors.write({"done": 0})
