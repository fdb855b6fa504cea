"""The check from start to end (``_run``), and why each difference is there.

A record that differs is the difference; a partner, account or count that differs because of
it is marked as caused by it (``cause_id``), not counted again. What is left is explained when
the connector knows why (an open quarantine row, a record dated before the start date, a job
still waiting) and flagged otherwise."""

import logging

from odoo import models

from ...lib import errors

_logger = logging.getLogger(__name__)

WAITING = ("wait_dependencies", "pending", "enqueued", "started")


class ConnectorReconciliation(models.Model):
    _inherit = "connector.reconciliation"

    def _run(self):
        self.ensure_one()
        backend = self.backend_id
        adapter = backend._get_adapter()
        since = backend._start_position()
        self.since = backend.sync_start_date
        steps = (
            lambda: self._count_lines(adapter, since),
            lambda: self._partner_lines(adapter),
            lambda: self._account_lines(adapter, since),
        )
        values = []
        for number, step in enumerate(steps):
            values += step()
            self._set_progress(100.0 * (number + 1) / (len(steps) + 2))
        records, agreed = self._record_lines(adapter)
        self.sample_agree_count = agreed
        self._set_progress(100.0 * (len(steps) + 1) / (len(steps) + 2))
        self.env["connector.reconciliation.line"].create([dict(v, reconciliation_id=self.id) for v in records + values])
        self._explain()
        self._finish()

    # ------------------------------------------------------------------ what the connector knows
    def _waiting_jobs(self):
        """How many jobs of the connection wait or run, this check's own left out."""
        self.env["queue.job"].flush_model()
        self.env.cr.execute(
            """SELECT count(*)
                 FROM queue_job, jsonb_array_elements((records #>> '{}')::jsonb -> 'ids') AS rec(id)
                WHERE model_name = 'connector.backend' AND state IN %s AND rec.id::int = %s
                  AND method_name != '_job_books_agree'""",
            [WAITING, self.backend_id.id],
        )
        return self.env.cr.fetchone()[0]

    def _open_quarantine(self):
        return (
            self.env["connector.quarantine"]
            .sudo()
            .search([("backend_id", "=", self.backend_id.id), ("state", "=", "open")])
        )

    def _record_reason(self, line, quarantine, waiting):
        rows = quarantine.filtered(
            lambda q: (q.external_id and q.external_id == line.external_id)
            or (q.res_model == line.res_model and q.res_id == line.res_id)
        )
        if rows:
            return self.env._("In quarantine: %(message)s", message=rows[0].message[:200])
        if waiting:
            return self.env._("%(count)s job(s) of the connection still waiting", count=waiting)
        record = line.res_model and self.env[line.res_model].sudo().browse(line.res_id).exists()
        dated = record and (record.date if "date" in record._fields else False)
        if dated and self.since and dated < self.since:
            return self.env._("Dated before the start date (%(date)s)", date=self.since)
        return None

    def _aggregate_reason(self, line, quarantine, waiting):
        if line.line_type == "count" and quarantine.filtered(lambda q: q.kind == line.kind):
            count = len(quarantine.filtered(lambda q: q.kind == line.kind))
            return self.env._("%(count)s record(s) of this kind in quarantine", count=count)
        if line.line_type == "partner" and line.partner_id and self.since:
            before = self._odoo_open_items(line.partner_id, before=self.since)
            early = before.get((line.partner_id.id, line.kind))
            if early and abs(line.difference + float(early)) < 0.005:
                return self.env._("Open documents dated before the start date (%(date)s)", date=self.since)
        if line.line_type != "count" and quarantine:
            return self.env._("%(count)s record(s) of the connection in quarantine", count=len(quarantine))
        if waiting:
            return self.env._("%(count)s job(s) of the connection still waiting", count=waiting)
        return None

    def _cause_of(self, line, records):
        if line.line_type == "partner" and line.partner_id:
            found = records.filtered(lambda r: r.partner_id == line.partner_id)
        elif line.line_type == "account" and line.account_id:
            found = records.filtered(lambda r: line.account_id in r.account_ids)
            if not found:  # a bank account: the record touched its outstanding account
                journals = self.env["account.journal"].sudo().search([("default_account_id", "=", line.account_id.id)])
                outstanding = (
                    journals.inbound_payment_method_line_ids.payment_account_id
                    | journals.outbound_payment_method_line_ids.payment_account_id
                )
                found = records.filtered(lambda r: r.account_ids & outstanding)
        elif line.line_type == "count":
            found = records.filtered(lambda r: r.kind == line.kind and r.odoo_value == self.env._("deleted"))
        else:
            found = records.browse()
        return found[:1]

    def _explain(self):
        quarantine = self._open_quarantine()
        waiting = self._waiting_jobs()
        lines = self.line_ids.filtered(lambda ln: ln.status == "unexplained")
        records = lines.filtered(lambda ln: ln.line_type == "record")
        for line in records:
            reason = self._record_reason(line, quarantine, waiting)
            if reason:
                line.write({"status": "explained", "explanation": reason})
        for line in lines - records:
            cause = self._cause_of(line, records)
            if cause:
                line.write(
                    {
                        "status": "caused",
                        "cause_id": cause.id,
                        "explanation": self.env._("See %(record)s", record=cause.label),
                    }
                )
                continue
            reason = self._aggregate_reason(line, quarantine, waiting)
            if reason:
                line.write({"status": "explained", "explanation": reason})

    def _fail(self, exc):
        self.write({"state": "failed", "error": str(exc)[:2000]})


def run_check(check):
    """Run ``check``; whatever stops it for good ends it as failed, with the reason, instead of
    leaving it running forever. Retryable errors and refused credentials go back to the job
    queue (``_run_job``), which runs it again."""
    try:
        with check.env.cr.savepoint():
            check._run()
    except (errors.RetryableError, errors.AuthError, errors.OutcomeUnknownError):
        raise
    except Exception as exc:  # an adapter's figure it cannot give the way it is asked, say
        _logger.exception("books-agree check %s of connection %s stopped", check.id, check.backend_id.id)
        check._fail(f"{type(exc).__name__}: {exc}")
    return check.state
