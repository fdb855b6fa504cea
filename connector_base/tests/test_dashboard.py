"""The operations dashboard: a connection's card figures, and the activity that goes to its
manager when its error rate or queue depth moves more than 20% above its own 7-day baseline,
once per episode."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDashboard(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["connector.backend"].create({"name": "Dashboard books", "state": "connected"})
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Manny Manager",
                "login": "manny_dashboard",
                "groups_id": [(6, 0, [cls.env.ref("connector_base.group_connector_manager").id])],
            }
        )
        cls.backend.manager_id = cls.manager

    def log(self, state, count=1):
        for n in range(count):
            self.env["connector.sync.log"].create(
                {
                    "backend_id": self.backend.id,
                    "direction": "import",
                    "entity": "invoice",
                    "external_id": f"X{n}",
                    "state": state,
                }
            )

    def alerts(self):
        return self.backend.activity_ids.filtered(lambda a: "above its usual" in (a.summary or ""))

    def test_card_counts_errors_of_the_day_and_quarantine_by_reason(self):
        self.log("done", 3)
        self.log("failed", 2)
        for reason in ("mapping_missing", "mapping_missing", "partner_ambiguous"):
            self.env["connector.quarantine"].create(
                {
                    "backend_id": self.backend.id,
                    "reason": reason,
                    "direction": "import",
                    "kind": "invoice",
                    "external_id": reason,
                    "message": "waits",
                }
            )
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.errors_24h, 2)
        self.assertRegex(self.backend.quarantine_by_reason, r"\w.*: 2, \w.*: 1")
        logs = self.env["connector.sync.log"].search([("backend_id", "=", self.backend.id)])
        self.assertTrue(all(log.logged_hour and log.logged_hour.endswith(":00") for log in logs))

    def test_one_activity_per_episode_above_the_7_day_baseline(self):
        now = fields.Datetime.now()
        Sample = self.env["connector.health.sample"]
        for day in range(1, 8):
            Sample.create({"backend_id": self.backend.id, "sampled_at": now - timedelta(days=day), "error_rate": 10.0})
        # today: 1 failure in 4 = 25%, more than 20% above the 10% baseline
        self.log("done", 3)
        self.log("failed", 1)
        self.backend.invalidate_recordset()
        started = self.backend._health_watch(now)
        self.assertEqual([field for field, _now, _base in started], ["error_rate"])
        self.assertEqual(len(self.alerts()), 1)
        self.assertEqual(self.alerts().user_id, self.manager)
        # an hour later, still above: the same episode, no second activity
        self.assertEqual(self.backend._health_watch(now + timedelta(hours=1)), [])
        self.assertEqual(len(self.alerts()), 1)
        # back to normal ends the episode; the next rise is a new one
        self.env["connector.sync.log"].search([("backend_id", "=", self.backend.id), ("state", "=", "failed")]).unlink()
        self.backend.invalidate_recordset()
        self.backend._health_watch(now + timedelta(hours=2))
        self.assertFalse(self.backend.health_episode)
        self.log("failed", 3)
        self.backend.invalidate_recordset()
        self.backend._health_watch(now + timedelta(hours=3))
        self.assertEqual(len(self.alerts()), 2)

    def test_a_figure_within_its_baseline_raises_nothing(self):
        now = fields.Datetime.now()
        for day in range(1, 8):
            self.env["connector.health.sample"].create(
                {"backend_id": self.backend.id, "sampled_at": now - timedelta(days=day), "error_rate": 30.0}
            )
        self.log("done", 3)
        self.log("failed", 1)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend._health_watch(now), [])
        self.assertFalse(self.alerts())

    def finished_check(self, status):
        check = self.env["connector.reconciliation"].create({"backend_id": self.backend.id})
        self.env["connector.reconciliation.line"].create(
            {"reconciliation_id": check.id, "line_type": "count", "label": "Invoices", "status": status}
        )
        check._finish()
        return check

    def test_books_differ_one_activity_until_they_agree_again(self):
        def open_activities():
            return self.backend.activity_ids.filtered(lambda a: (a.summary or "").startswith("Books differ"))

        self.assertEqual(self.finished_check("unexplained").state, "differ")
        self.assertEqual(self.finished_check("unexplained").state, "differ")
        self.assertEqual(len(open_activities()), 1, "one activity while the books differ, not one per check")
        self.assertEqual(open_activities().user_id, self.manager)
        self.assertEqual(self.finished_check("explained").state, "explained")
        self.assertFalse(open_activities(), "a check without unexplained differences closes it")
        done = self.backend.message_ids.filtered(lambda m: "No unexplained difference" in (m.body or ""))
        self.assertTrue(done)
