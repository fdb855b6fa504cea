"""Connecting to the Kashoo sandbox: the sign-in wizard, what the check shows, kinds turned off
with the reason, an expired token, and the signed notification endpoint."""

import json
import time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PASSWORD, WEBHOOK_SECRET, KashooCase, sign


@tagged("post_install", "-at_install")
class TestKashooConnect(KashooCase):
    def test_sign_in_with_email_and_password_then_the_check_is_shown(self):
        self.assertTrue(self.backend.provider_ready)
        self.sign_in()
        backend = self.backend
        self.assertEqual(backend.state, "connected")
        self.assertEqual(backend.tenant_id, str(self.sandbox.tenant().id))
        self.assertEqual(backend.tenant_name, "Sandbox Trading Ltd.")
        self.assertTrue(backend.has_token)
        summary = backend.kashoo_probe_summary
        self.assertIn("records/invoices: answers", summary)
        self.assertIn("contacts: answers", summary)
        self.assertIn("Taxes: no tax list", summary)
        self.assertEqual(backend.direction_product, "off")
        self.assertIn("no products", json.loads(backend.kashoo_kinds_off)["product"])
        # the password is in no table: the wizard has no column for it, the token is ciphertext
        self.env.flush_all()
        self.assertFalse(self.env["connector.kashoo.sign.in"]._fields["password"].store)
        for table in ("connector_kashoo_sign_in", "connector_secret", "connector_backend"):
            self.env.cr.execute(
                f"SELECT count(*) FROM {table} WHERE CAST({table}.* AS text) LIKE %s", [f"%{PASSWORD}%"]
            )
            self.assertEqual(self.env.cr.fetchone()[0], 0, table)
        notification = backend.action_test_connection()
        self.assertEqual(notification["params"]["type"], "success")
        self.assertIn("Business: Sandbox Trading Ltd.", notification["params"]["message"])

    def test_a_wrong_password_keeps_nothing(self):
        with self.assertRaisesRegex(UserError, "refused the e-mail or the password"):
            self.sign_in(password="not-it")
        self.assertFalse(self.backend.has_token)
        self.assertEqual(self.backend.state, "draft")

    def test_a_pasted_token_connects_too(self):
        header = self.sandbox.header("json")
        self.backend.kashoo_token = header
        self.assertEqual(self.backend.kashoo_auth_mode, "token_json")  # the token says how it is sent
        self.backend.action_connect()
        self.assertEqual(self.backend.state, "connected")

    def test_a_collection_answering_404_turns_its_kind_off_with_the_reason(self):
        self.control("settings", disabled=["bills", "invoicePayments", "billPayments"])
        self.sign_in()
        backend = self.backend
        self.assertEqual(backend.state, "connected")
        self.assertEqual(backend.direction_payment, "off")
        self.assertNotEqual(backend.direction_invoice, "off")  # invoices still answer
        reasons = json.loads(backend.kashoo_kinds_off)
        self.assertIn("does not answer for payments", reasons["payment"])
        self.assertIn("records/bills does not answer", json.loads(backend.kashoo_disabled)["bill"])
        self.assertIn("Off: bill: GET", backend.kashoo_probe_summary)
        chatter = backend.message_ids.mapped("body")
        self.assertTrue(any("does not answer for payments" in body for body in chatter), chatter)
        # the collections answer again: the next check puts payments back on
        self.control("settings", disabled=[])
        backend.action_test_connection()
        self.assertEqual(backend.direction_payment, "both")
        self.assertNotIn("payment", json.loads(backend.kashoo_kinds_off))

    def test_an_expired_token_asks_for_a_reconnection_once(self):
        self.sign_in()
        self.control("expire_tokens")
        self.env["connector.backend"]._cron_poll()
        self.run_jobs("_job_import_batch")
        backend = self.backend
        self.assertEqual(backend.state, "needs_reconnect")
        notes = [m for m in backend.message_ids if "reconnect" in (m.body or "")]
        self.assertEqual(len(notes), 1, [m.body for m in notes])
        self.assertIn("Kashoo no longer accepts", notes[0].body)
        backend.action_test_connection()  # still refused: no second message
        self.assertEqual(len([m for m in backend.message_ids if "refused the credentials" in (m.body or "")]), 1)
        action = backend.action_connect()  # Connect signs in again
        self.assertEqual(action["res_model"], "connector.kashoo.sign.in")
        self.sign_in()
        self.assertEqual(backend.state, "connected")

    # ------------------------------------------------------------------ notifications
    def _post(self, body, signature):
        headers = {"Content-Type": "application/json"}
        if signature:
            headers["X-Kashoo-Signature"] = signature
        self.env.flush_all()
        return self.url_open("/connector_kashoo/webhook", data=body, headers=headers)

    def test_a_verification_request_is_answered(self):
        response = self.url_open("/connector_kashoo/webhook?challenge=abc123", timeout=5)
        self.assertEqual((response.status_code, response.text), (200, "abc123"))

    def test_a_signed_notification_queues_a_re_read_and_a_bad_one_stores_nothing(self):
        self.sign_in()
        business = self.backend.tenant_id
        event = {"id": "evt-1", "type": "INVOICE", "record": 200000123, "operation": "updated"}
        body = json.dumps({"business": int(business), "events": [event]}).encode()
        Inbox = self.env["connector.webhook.event"].sudo()
        for signature in (None, "sha256=" + "0" * 64, sign(body, "another-secret")):
            response = self._post(body, signature)
            self.assertEqual(response.status_code, 401, signature)
        self.assertFalse(Inbox.search([("backend_id", "=", self.backend.id)]))
        self.assertFalse(self.pending_jobs("_job_import_record"))
        response = self._post(body, sign(body))
        self.assertEqual(response.status_code, 200, response.text)
        self.env.invalidate_all()
        stored = Inbox.search([("backend_id", "=", self.backend.id)])
        self.assertEqual((stored.kind, stored.external_id, stored.state), ("invoice", "200000123", "queued"))
        self.assertEqual(len(self.pending_jobs("_job_import_record")), 1)
        self.assertEqual(self._post(body, sign(body)).status_code, 200)  # delivered twice: queued once
        self.assertEqual(len(self.pending_jobs("_job_import_record")), 1)

    def test_the_sandbox_signed_notifications_reach_odoo_once(self):
        self.sign_in()
        business = self.sandbox.tenant()
        with self.sandbox.lock:
            contact = business.add_contact({"name": "Relay Client"}, ["customer"])
        self.env.flush_all()
        url = f"{self.base_url()}/connector_kashoo/webhook"
        self.control("notifications", url=url, secret=WEBHOOK_SECRET, retry_scale=0.05)
        log = self.sandbox.notifier.log
        self.control("change", kind="invoice", fields={"contact": contact["id"], "lines": [{"amount": 1500}]})
        deadline = time.monotonic() + 15
        while not log and time.monotonic() < deadline:  # sent by the sandbox's own thread; Odoo answers
            time.sleep(0.05)
        self.control("notifications", url=None)
        self.assertEqual([status for status, _body in log], [200])
        self.env.invalidate_all()
        stored = self.env["connector.webhook.event"].sudo().search([("backend_id", "=", self.backend.id)])
        record_id = json.loads(log[0][1])["events"][0]["record"]
        self.assertEqual((stored.kind, stored.external_id), ("invoice", str(record_id)))
        self.assertEqual(len(self.pending_jobs("_job_import_record")), 1)
