import json
import uuid

from odoo.tests import tagged

from odoo.addons.connector_base.lib.webhook import compute_signature

from .common import SIGNING_SECRET, WaveCase

URL = "/connector_wave/webhook"


@tagged("post_install", "-at_install")
class TestWaveNotifications(WaveCase):
    company_size = {"customers": 4, "vendors": 1, "products": 2, "invoices": 2, "payments": 0}

    def setUp(self):
        super().setUp()
        self.connect()
        self.import_kinds(("account", "tax", "party"))
        self.customer = self.docs("Customer")[0]

    def body(self, business=None, entity="Customer", entity_id=None, operation="updated"):
        event = {
            "id": str(uuid.uuid4()),
            "businessId": business or self.business,
            "entity": entity,
            "entityId": entity_id or self.customer["id"],
            "operation": operation,
            "occurredAt": "2026-11-22T10:00:00.000Z",
        }
        return json.dumps({"events": [event]}).encode()

    def post(self, body, signature=None, headers=None):
        headers = dict(headers or {}, **{"Content-Type": "application/json"})
        if signature is not False:
            headers["X-Wave-Signature"] = signature or compute_signature(SIGNING_SECRET, body, encoding="hex")
        self.env.flush_all()
        response = self.url_open(URL, data=body, headers=headers)
        self.env.invalidate_all()
        return response

    def inbox(self):
        return self.env["connector.webhook.event"].search([("backend_id", "=", self.backend.id)])

    def test_a_signed_notification_queues_a_re_read_of_the_record_and_never_trusts_the_body(self):
        self.control("change", kind="Customer", id=self.customer["id"], fields={"name": "Renamed in Wave"})
        response = self.post(self.body())
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.inbox().mapped("state"), ["queued"])
        reads = self.pending_jobs("_job_import_record")
        self.assertEqual([job.args for job in reads], [["party", self.customer["id"]]])
        self.run_jobs("_job_import_record")
        self.assertEqual(self.bound("party", self.customer["id"]).name, "Renamed in Wave", "read back from Wave")

    def test_a_bad_or_missing_signature_gets_401_and_leaves_nothing(self):
        body = self.body()
        for signature in (compute_signature("another-secret", body, encoding="hex"), "zz-not-hex", False):
            with self.assertLogs("odoo.addons.connector_wave.controllers.main", level="WARNING") as logs:
                response = self.post(body, signature=signature)
            self.assertEqual(response.status_code, 401)
            self.assertIn("bad or missing X-Wave-Signature", logs.output[0])
        # signed with this connection's secret, naming a business that another connection holds
        other = self.control("business", create=True, name="Other Books")["business"]
        self.backend.copy({"name": "Other", "tenant_id": other, "webhook_secret": "other-secret", "state": "connected"})
        with self.assertLogs("odoo.addons.connector_wave.controllers.main", level="WARNING") as logs:
            response = self.post(self.body(business=other))
        self.assertEqual(response.status_code, 401)
        self.assertIn("none of its connections signed", logs.output[0])
        self.assertFalse(self.env["connector.webhook.event"].search([]))
        self.assertFalse(self.pending_jobs("_job_import_record"))

    def test_a_body_over_one_megabyte_gets_413_unread(self):
        body = b'{"events": [' + b" " * (1024 * 1024) + b"]}"
        with self.assertLogs("odoo.addons.connector_wave.controllers.main", level="WARNING"):
            response = self.post(body)
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self.inbox())

    def test_the_sandbox_signed_notifications_reach_odoo_once(self):
        self.env.flush_all()
        self.control("notifications", url=f"{self.base_url()}{URL}", secret=SIGNING_SECRET, retry_scale=0.05)
        log = self.sandbox.notifier.log
        self.control("change", kind="Customer", id=self.customer["id"], fields={"email": "relay@example.com"})
        self.wait_for(lambda: log)  # delivered by the sandbox's own thread; Odoo answered
        self.env.invalidate_all()
        self.assertEqual([status for status, _body in log], [200])
        self.assertEqual(len(self.inbox()), 1)
        self.run_jobs("_job_import_record")
        self.assertEqual(self.bound("party", self.customer["id"]).email, "relay@example.com")
