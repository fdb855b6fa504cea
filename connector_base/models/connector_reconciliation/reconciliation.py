"""The books-agree check and its lines: what Odoo and the provider hold, side by side."""

from odoo import api, fields, models

LINE_TYPES = [
    ("record", "Record"),
    ("count", "Count"),
    ("partner", "Partner balance"),
    ("account", "Account balance"),
]
#: a line's verdict; "caused": its difference is that of a record line (``cause_id``)
STATUSES = [
    ("unexplained", "Differs, unexplained"),
    ("explained", "Differs, explained"),
    ("caused", "Differs, see the record"),
    ("unavailable", "Not available"),
    ("agree", "Agrees"),
]
STATUS_ORDER = {value: n for n, (value, _label) in enumerate(STATUSES)}


def verdict(counts):
    """The check's state from its lines' verdicts: a check that compared nothing does not agree."""
    for status, state in (("unexplained", "differ"), ("explained", "explained"), ("agree", "agree")):
        if counts[status]:
            return state
    return "nothing"


class ConnectorReconciliation(models.Model):
    _name = "connector.reconciliation"
    _description = "Books agree: a check of a connection's books"
    _order = "checked_at desc, id desc"
    _rec_name = "name"

    name = fields.Char(compute="_compute_name")
    backend_id = fields.Many2one("connector.backend", "Connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    provider_label = fields.Char(related="backend_id.provider_label")
    checked_at = fields.Datetime("Checked on", default=fields.Datetime.now, required=True, readonly=True)
    since = fields.Date("From", readonly=True, help="The connection's start date: what the check covers.")
    state = fields.Selection(
        [
            ("running", "Running"),
            ("agree", "Books agree"),
            ("explained", "Differences explained"),
            ("differ", "Unexplained differences"),
            ("nothing", "Nothing the provider can compare"),
            ("failed", "Could not finish"),
        ],
        default="running",
        required=True,
        readonly=True,
        index=True,
    )
    progress = fields.Float(compute="_compute_progress", help="Share of the check done, in %.")
    sample_agree_count = fields.Integer("Sampled records that agree", readonly=True)
    error = fields.Text("What stopped the check", readonly=True)
    line_ids = fields.One2many("connector.reconciliation.line", "reconciliation_id", "Lines")
    difference_count = fields.Integer("Differences", readonly=True)
    unexplained_count = fields.Integer("Unexplained", readonly=True)
    unavailable_count = fields.Integer("Not available", readonly=True)
    agree_count = fields.Integer("Agree", readonly=True)

    @api.depends("backend_id", "checked_at")
    def _compute_name(self):
        for check in self:
            check.name = f"{check.backend_id.name} – {fields.Datetime.to_string(check.checked_at)[:16]}"

    def init(self):
        # the progress of a running check, written by its job on a cursor of its own and committed
        # at once (the form's bar moves while the job's own transaction is still open)
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS connector_reconciliation_progress (
                   check_id integer PRIMARY KEY REFERENCES connector_reconciliation(id) ON DELETE CASCADE,
                   share double precision NOT NULL)"""
        )

    def _compute_progress(self):
        shares = {}
        if self.ids:
            self.env.cr.execute(
                "SELECT check_id, share FROM connector_reconciliation_progress WHERE check_id = ANY(%s)", [self.ids]
            )
            shares = dict(self.env.cr.fetchall())
        for check in self:
            check.progress = 100.0 if check.state != "running" else shares.get(check.id, 0.0)

    def _set_progress(self, share):
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            cr.execute(
                """INSERT INTO connector_reconciliation_progress (check_id, share) VALUES (%s, %s)
                   ON CONFLICT (check_id) DO UPDATE SET share = EXCLUDED.share""",
                [self.id, round(share, 1)],
            )
        self.invalidate_recordset(["progress"])

    def _finish(self):
        """Count the verdicts, set the state, tell the manager once when something is unexplained."""
        for check in self:
            lines = check.line_ids
            verdicts = {status: 0 for status, _label in STATUSES}
            for line in lines:
                verdicts[line.status] += 1
            check.write(
                {
                    "difference_count": verdicts["unexplained"] + verdicts["explained"],
                    "unexplained_count": verdicts["unexplained"],
                    "unavailable_count": verdicts["unavailable"],
                    "agree_count": verdicts["agree"],
                    "state": verdict(verdicts),
                }
            )
            if verdicts["unexplained"]:
                check.backend_id._books_differ_activity(check)
            else:
                check.backend_id._books_agree_again(check)

    def action_open_differences(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Differences"),
            "res_model": "connector.reconciliation.line",
            "view_mode": "list,form",
            "domain": [("reconciliation_id", "=", self.id), ("status", "in", ("unexplained", "explained"))],
        }


class ConnectorReconciliationLine(models.Model):
    _name = "connector.reconciliation.line"
    _description = "Books agree: one figure on both sides"
    _order = "status_rank, line_type, label, id"

    reconciliation_id = fields.Many2one("connector.reconciliation", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one(related="reconciliation_id.backend_id", store=True, index=True)
    company_id = fields.Many2one(related="reconciliation_id.company_id", store=True)
    currency_id = fields.Many2one(related="reconciliation_id.currency_id")
    checked_at = fields.Datetime(related="reconciliation_id.checked_at", store=True)
    line_type = fields.Selection(LINE_TYPES, "Compares", required=True)
    kind = fields.Char("Record type code")
    label = fields.Char("What", required=True)
    status = fields.Selection(STATUSES, required=True, default="agree", index=True)
    status_rank = fields.Integer(compute="_compute_status_rank", store=True)
    odoo_value = fields.Char("In Odoo")
    remote_value = fields.Char("At the provider")
    difference = fields.Monetary(currency_field="currency_id")
    tolerance = fields.Monetary(currency_field="currency_id")
    explanation = fields.Char("Why")
    partner_id = fields.Many2one("res.partner", "Partner", index=True)
    account_id = fields.Many2one("account.account", "Account", index=True)
    account_ids = fields.Many2many("account.account", string="Accounts touched")
    res_model = fields.Char("Odoo model")
    res_id = fields.Many2oneReference("Odoo record id", model_field="res_model")
    external_id = fields.Char("Reference at the provider")
    cause_id = fields.Many2one("connector.reconciliation.line", "Difference of the record", ondelete="set null")
    is_difference = fields.Boolean(compute="_compute_status_rank", store=True)

    @api.depends("status")
    def _compute_status_rank(self):
        for line in self:
            line.status_rank = STATUS_ORDER.get(line.status, 9)
            line.is_difference = line.status in ("unexplained", "explained")

    def action_open_record(self):
        self.ensure_one()
        if not (self.res_model and self.res_id and self.env[self.res_model].browse(self.res_id).exists()):
            return False
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
