import html

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.connector_base.lib.secrets import mask
from odoo.addons.queue_job.exception import RetryableJobError

from .common import WaveCase


@tagged("post_install", "-at_install")
class TestWaveConnect(WaveCase):
    company_size = None  # an empty business: connecting reads only the business

    def test_connect_through_wave_consent_page_to_the_business_chosen_there(self):
        maple = self.control("business", create=True, name="Maple Outfitters Ltd.", currency="CAD", country="CA")
        self.control("business", create=True, name="Starter Books", plan="STARTER")
        params = self.connect(business=maple["business"])
        self.assertNotIn("businessId", params, "Wave's redirect carries the code and state only")
        backend = self.backend
        self.assertEqual(backend.state, "connected")
        self.assertEqual(backend.tenant_id, maple["business"])
        self.assertEqual(backend.wave_business_id.wave_id, maple["business"])
        self.assertEqual(backend.tenant_name, "Maple Outfitters Ltd. (CAD)")
        self.assertFalse(backend.oauth_state, "the state is single use")
        notice = backend.action_test_connection()["params"]
        self.assertEqual(notice["message"], "Maple Outfitters Ltd. (CAD)", "Test connection shows name and currency")
        token = backend._get_token()
        self.assertEqual(token["businessId"], maple["business"])
        self.env.flush_all()
        self.env.cr.execute("SELECT ciphertext FROM connector_secret")
        stored = " ".join(row[0] or "" for row in self.env.cr.fetchall())
        self.assertNotIn(token["access_token"], stored)
        self.assertNotIn(token["refresh_token"], stored)
        self.assertIn("Connected to the Wave business Maple Outfitters Ltd. (CAD)", self.chatter())

    def chatter(self):
        return " ".join(html.unescape(str(message.body)) for message in self.backend.message_ids)

    def test_a_callback_with_a_forged_state_is_refused(self):
        self.backend.action_connect()
        self.authenticate("admin", "admin")
        response = self.url_open(f"/connector_wave/oauth/callback?code=x&state={self.backend.id}:forged")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.backend.state, "draft")
        self.assertFalse(self.backend.has_token)

    def test_a_full_access_token_lists_the_businesses_to_choose_from(self):
        second = self.control("business", create=True, name="Harbor Design LLC")
        self.backend.wave_full_access_token = self.control("full_access_token")["token"]
        self.backend.invalidate_recordset(["wave_full_access_token"])
        self.assertEqual(self.backend.wave_full_access_token, mask(True), "write-only")
        self.assertIsNone(self.backend.action_connect(), "no consent page: the token is the owner's")
        self.assertEqual(self.backend.state, "draft", "two businesses: the accountant chooses")
        choices = self.env["connector.wave.business"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(
            sorted(choices.mapped("display_name")), ["Harbor Design LLC (USD)", "Sandbox Consulting Inc. (USD)"]
        )
        self.assertIn("2 businesses are within reach", self.chatter())
        with self.assertRaises(UserError):
            self.backend.action_wave_use_business()
        self.backend.wave_business_id = choices.filtered(lambda c: c.wave_id == second["business"])
        self.backend.action_wave_use_business()
        self.assertEqual(self.backend.state, "connected")
        self.assertEqual(self.backend.tenant_id, second["business"])
        self.assertEqual(self.backend.action_test_connection()["params"]["message"], "Harbor Design LLC (USD)")
        self.assertIn("Connected to the Wave business Harbor Design LLC (USD)", self.chatter())

    def test_a_lapsed_plan_pauses_the_connection_with_one_message_and_the_jobs_wait(self):
        self.connect()
        self.control("business", business=self.business, plan="STARTER")
        self.control("expire_tokens")
        self.backend._job_import_batch("account")
        self.assertEqual(self.backend.state, "needs_reconnect")
        activities = self.backend.activity_ids
        with self.assertRaises(RetryableJobError):  # later jobs wait too; queue_job postpones them
            self.backend._job_import_batch("party")
        said = [html.unescape(str(m.body)) for m in self.backend.message_ids if "subscription" in (m.body or "")]
        self.assertEqual(len(said), 1, "one message per outage")
        self.assertIn(
            "the business Sandbox Consulting Inc. (USD) needs an active Wave Pro or Wave Advisor subscription", said[0]
        )
        self.assertEqual(self.backend.activity_ids, activities, "no new to-do for the waiting job")
        self.assertEqual(len(activities), len(activities.user_id), "one to-do per manager")
        self.assertIn("Wave Pro", activities[0].note)
        waiting = self.pending_jobs("_job_import_batch")
        self.assertEqual(len(waiting), 1)
        self.assertTrue(all(waiting.mapped("eta")), "the job waits instead of failing")
        self.control("business", business=self.business, plan="PRO")
        self.connect()
        self.assertEqual(self.backend.state, "connected")
        self.assertFalse(self.backend.activity_ids, "reconnecting closes the to-do")
        self.assertFalse(any(self.pending_jobs("_job_import_batch").mapped("eta")), "reconnecting wakes the job")

    def test_disconnect_revokes_the_grant(self):
        self.connect()
        refresh = self.backend._get_token()["refresh_token"]
        self.backend.action_disconnect()
        self.assertEqual(self.backend.state, "draft")
        self.assertNotIn(refresh, self.sandbox.oauth.refresh_tokens)
        self.assertFalse(self.backend._get_token())

    def test_the_form_says_what_wave_cannot_do_and_fixes_the_directions_it_cannot_follow(self):
        backend = self.backend
        self.assertEqual(backend.poll_interval, 1, "Wave announces nothing: polled every minute")
        self.assertEqual(backend.direction_journal_entry, "off", "Wave cannot read money transactions back")
        self.assertIn("journal_entry", backend.locked_directions)
        limits = html.unescape(str(backend.direction_limits))
        for text in (
            "Vendor bills",
            "Wave's public API has no bills",
            "Vendors",
            "read-only",
            "Payments made",
            "no bill payments",
            "Customer credit notes",
        ):
            self.assertIn(text, limits)
        self.assertFalse(backend._imports("journal_entry"))
        backend.direction_journal_entry = "both"
        self.assertEqual(backend.direction_journal_entry, "off", "nothing Wave cannot do is kept")
        backend.wave_money_transactions = True
        backend.direction_journal_entry = "both"
        self.assertEqual(backend.direction_journal_entry, "export", "sent as money transactions, never read")
        self.assertNotIn("journal_entry", backend.locked_directions or "")
        self.assertTrue(backend._exports("journal_entry"))
        self.assertFalse(backend._imports("journal_entry"))
        self.assertEqual(backend.direction_party, "both", "customers go both ways; vendors are only read")
