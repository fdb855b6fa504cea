"""The connection's side of books agree: its settings (who is told, the sample's size, the
tolerances), *Check now*, the nightly cron, the job, and the one activity for the manager."""

from odoo import api, fields, models

from .explain import run_check


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    manager_id = fields.Many2one(
        "res.users",
        "Manager",
        domain="[('share', '=', False)]",
        help="Told (one activity) when the books stop agreeing. Empty: the first connector manager of the company.",
    )
    books_sample_size = fields.Integer(
        "Records compared field by field",
        default=50,
        help="How many of the records synchronised last the books-agree check reads again from the provider.",
    )
    books_tolerance_pl = fields.Float("Tolerance on income and expense accounts", default=1.0, digits=(16, 2))
    books_tolerance_bs = fields.Float("Tolerance on balance-sheet accounts", default=0.0, digits=(16, 2))
    reconciliation_ids = fields.One2many("connector.reconciliation", "backend_id", "Books-agree checks")
    last_reconciliation_id = fields.Many2one(
        "connector.reconciliation",
        "Last books-agree check",
        compute="_compute_last_reconciliation",
        search="_search_last_reconciliation",
    )
    last_reconciliation_state = fields.Selection(related="last_reconciliation_id.state", string="Books agree")
    last_reconciliation_unexplained = fields.Integer(related="last_reconciliation_id.unexplained_count")

    def _compute_last_reconciliation(self):
        Check = self.env["connector.reconciliation"]
        for backend in self:
            backend.last_reconciliation_id = (
                Check.search([("backend_id", "=", backend.id)], limit=1) if backend.id else False
            )

    def _search_last_reconciliation(self, operator, value):
        """The connections whose last check is among the checks ``operator`` ``value`` names
        (searchable, so that its related figures know which connections a new check changes)."""
        last = {
            backend.id: backend.last_reconciliation_id for backend in self.with_context(active_test=False).search([])
        }
        checks = self.env["connector.reconciliation"].union(*last.values())
        matching = checks.filtered_domain([("id", operator, value)]) if checks else checks
        unchecked_match = not value and operator in ("=", "in")
        return [
            (
                "id",
                "in",
                [
                    bid
                    for bid, check in last.items()
                    if (check and check in matching) or (not check and unchecked_match)
                ],
            )
        ]

    # ------------------------------------------------------------------ running it
    def _enqueue_books_agree(self):
        checks = self.env["connector.reconciliation"]
        for backend in self:
            check = checks.create({"backend_id": backend.id, "since": backend.sync_start_date})
            backend.with_delay(
                channel=backend._channel(),
                priority=60,
                identity_key=f"books_agree:{backend.id}:{check.id}",
                description=f"{backend.name}: books agree",
            )._job_books_agree(check.id)
            checks |= check
        return checks

    def action_check_books(self):
        self.ensure_one()
        self._check_active()
        check = self._enqueue_books_agree()
        return {
            "type": "ir.actions.act_window",
            "res_model": "connector.reconciliation",
            "res_id": check.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_reconciliations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_base.connector_reconciliation_action")
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action

    @api.model
    def _cron_books_agree(self):
        self.search([("state", "=", "connected")])._enqueue_books_agree()

    def _job_books_agree(self, check_id):
        return self._run_job("books_agree", check_id)

    def _books_agree(self, check_id):
        check = self.env["connector.reconciliation"].browse(check_id).exists()
        if not check or check.state != "running":
            return "nothing to check"
        state = run_check(check)
        return f"{state}: {check.difference_count} difference(s), {check.unexplained_count} unexplained"

    # ------------------------------------------------------------------ telling the manager
    def _books_manager(self):
        if self.manager_id:
            return self.manager_id
        managers = self.env.ref("connector_base.group_connector_manager").sudo().users
        return managers.filtered(lambda u: self.company_id in u.company_ids and not u.share and u.id != 1)[:1]

    def _books_differ_summary(self):
        return self.env._("Books differ: %(name)s", name=self.name)

    def _books_differ_open(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        summary = self._books_differ_summary()
        return self.sudo().activity_ids.filtered(lambda a: a.activity_type_id == todo and a.summary == summary)

    def _books_agree_again(self, check):
        """A check without unexplained differences closes the open activity, saying so."""
        self._books_differ_open().action_feedback(
            feedback=self.env._("No unexplained difference in the check of %(date)s.", date=check.checked_at)
        )

    def _books_differ_activity(self, check):
        """One activity per connection while its books differ: a later check that still differs
        updates the open one's note instead of adding another."""
        self.ensure_one()
        summary = self._books_differ_summary()
        note = self.env._(
            "%(count)s unexplained difference(s) between Odoo and %(provider)s (check of %(date)s).",
            count=check.unexplained_count,
            provider=self.provider_label,
            date=fields.Datetime.to_string(check.checked_at)[:16],
        )
        open_one = self._books_differ_open()
        if open_one:
            open_one.note = note
            return open_one
        user = self._books_manager()
        if not user:
            return self.env["mail.activity"]
        # an accountant may run the check: the activity is the connection's, not hers to write
        return self.sudo().activity_schedule(
            "mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id
        )
