from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.connector_base.lib.secrets import mask
from odoo.addons.queue_job.exception import RetryableJobError

from .common import KEY, ReckonCase


@tagged("post_install", "-at_install")
class TestReckonConnect(ReckonCase):
    book_size = None  # an empty book: connecting reads only the list of books

    def test_connect_through_reckons_sign_in_page_lists_the_books_and_the_one_chosen_answers_the_test(self):
        bayside = self.control("add_book", name="Bayside Cafe")["book"]
        params = self.connect()
        self.assertEqual(set(params), {"code", "state"}, "Reckon's redirect carries the code and state only")
        backend = self.backend
        self.assertEqual(backend.state, "draft", "two books: the accountant chooses")
        self.assertFalse(backend.oauth_state, "the state is single use")
        books = self.env["connector.reckon.book"].search([("backend_id", "=", backend.id)])
        self.assertEqual(
            sorted(books.mapped("display_name")), ["Bayside Cafe (AU)", "Harbourside Services Pty Ltd (AU)"]
        )
        self.assertTrue(any("2 books are within reach" in text for text in self.chatter()))
        with self.assertRaises(UserError):
            backend.action_reckon_use_book()
        backend.reckon_book_id = books.filtered(lambda b: b.reckon_id == bayside)
        backend.action_reckon_use_book()
        self.assertEqual(backend.state, "connected")
        self.assertEqual(backend.tenant_id, bayside)
        self.assertEqual(backend.action_test_connection()["params"]["message"], "Bayside Cafe (AU)")
        self.assertTrue(any("Connected to the Reckon book Bayside Cafe (AU)" in text for text in self.chatter()))
        token = backend._get_token()
        self.assertEqual(backend.reckon_subscription_key, mask(True), "write-only")
        self.env.flush_all()
        self.env.cr.execute("SELECT ciphertext FROM connector_secret")
        stored = " ".join(row[0] or "" for row in self.env.cr.fetchall())
        for secret in (token["access_token"], token["refresh_token"], KEY):
            self.assertNotIn(secret, stored)

    def test_the_only_book_is_connected_at_once(self):
        self.connect()
        self.assertEqual(self.backend.state, "connected")
        self.assertEqual(self.backend.tenant_name, "Harbourside Services Pty Ltd (AU)")

    def test_a_callback_with_a_forged_state_is_refused(self):
        self.backend.action_connect()
        self.authenticate("admin", "admin")
        response = self.url_open(f"/connector_reckon/oauth/callback?code=x&state={self.backend.id}:forged")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.backend.state, "draft")
        self.assertFalse(self.backend.has_token)

    def test_connect_asks_for_the_subscription_key_first(self):
        self.backend.reckon_subscription_key = False
        with self.assertRaisesRegex(UserError, "subscription key"):
            self.backend.action_connect()

    def test_disconnect_revokes_the_grant(self):
        self.connect()
        refresh = self.backend._get_token()["refresh_token"]
        self.backend.action_disconnect()
        self.assertEqual(self.backend.state, "draft")
        self.assertNotIn(refresh, self.sandbox.oauth.refresh_tokens)
        self.assertFalse(self.backend._get_token())

    def test_the_form_says_what_reckon_cannot_do(self):
        backend = self.backend
        self.assertEqual(backend.poll_interval, 1, "Reckon announces nothing: polled every minute")
        limits = str(backend.direction_limits)
        for text in ("Taxes", "read-only", "Vendor refunds", "supplier adjustment notes", "Payments made"):
            self.assertIn(text, limits)
        backend.direction_tax = "both"
        self.assertEqual(backend.direction_tax, "import", "Reckon's taxes are only read")
        self.assertTrue(backend._exports("party") and backend._imports("party"))
        self.assertTrue(backend._exports("invoice") and backend._imports("invoice"))


@tagged("post_install", "-at_install")
class TestReckonRefusals(ReckonCase):
    """What refuses the connection is said once, in the accountant's words; the jobs wait."""

    book_size = {
        "customers": 3,
        "suppliers": 2,
        "both": 1,
        "items": 2,
        "invoices": 3,
        "receipts": 1,
        "credit_notes": 0,
        "bills": 2,
        "journals": 2,
        "payments": 0,
    }

    def setUp(self):
        super().setUp()
        self.connect()
        self.assertEqual(self.backend.state, "connected")

    def said(self, words):
        return [text for text in self.chatter() if words in text]

    def assert_paused_once(self, words):
        self.backend._job_import_batch("account")
        self.assertEqual(self.backend.state, "needs_reconnect")
        activities = self.backend.activity_ids
        with self.assertRaises(RetryableJobError):  # later jobs wait too; queue_job postpones them
            self.backend._job_import_batch("party")
        self.assertEqual(len(self.said(words)), 1, "one message per outage")
        self.assertEqual(self.backend.activity_ids, activities, "no new to-do for the waiting job")
        waiting = self.pending_jobs("_job_import_batch")
        self.assertEqual(len(waiting), 1)
        self.assertTrue(all(waiting.mapped("eta")), "the job waits instead of failing")
        self.assertFalse(self.env["queue.job"].sudo().search([("state", "=", "failed")]))

    def test_a_subscription_key_reckon_no_longer_accepts_pauses_the_connection_until_a_new_one_is_entered(self):
        self.control("subscription_keys", remove=KEY, add="the-new-key")
        self.assert_paused_once("refuses this connection's subscription key")
        self.backend.reckon_subscription_key = "the-new-key"
        self.assertEqual(self.backend.state, "connected", "a key Reckon takes resumes the connection at once")
        self.assertFalse(self.backend.activity_ids)
        self.assertFalse(any(self.pending_jobs("_job_import_batch").mapped("eta")), "the waiting job runs again")

    def test_a_sign_in_reckon_ended_pauses_the_connection_with_one_message(self):
        self.sandbox.oauth.refresh_tokens.clear()  # the refresh token lapsed (45 days unused) or was revoked
        self.control("expire_tokens")
        self.assert_paused_once("Reckon has ended this connection's sign-in")
        self.connect()
        self.assertEqual(self.backend.state, "connected")
        self.assertFalse(self.backend.activity_ids, "reconnecting closes the to-do")

    def test_a_table_the_book_refuses_is_said_once_and_its_directions_say_why(self):
        self.control("book", extension=False)  # no bills nor journals in this book's plan: 403
        self.import_kinds(("account", "tax", "party", "product"))
        for _poll in range(2):
            self.assertIn("read", self.backend._job_import_batch("invoice"))
            self.assertIn("skipped", self.backend._job_import_batch("journal_entry") or "skipped")
        self.assertEqual(set(self.backend.reckon_refused_tables.split()), {"bills", "journals"})
        for table in ("bills", "journals"):
            self.assertEqual(len(self.said(f"Reckon refused access to {table}")), 1, table)
        self.assertEqual(self.backend.state, "connected", "the rest goes on")
        self.assertEqual(len(self.env["account.move"].search([("move_type", "=", "out_invoice")])), 3)
        self.assertFalse(self.backend._imports("journal_entry"))
        self.assertIn("this book refused access to bills", str(self.backend.direction_limits))
        self.assertFalse(self.env["queue.job"].sudo().search([("state", "=", "failed")]))
        self.backend.action_reckon_check_again()
        self.control("book", extension=True)
        self.backend.direction_journal_entry = "import"
        self.assertIn("2 read", self.backend._job_import_batch("journal_entry"))
        self.assertFalse(self.backend.reckon_refused_tables)
