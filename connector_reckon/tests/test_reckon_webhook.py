import json
import uuid

from odoo.tests import tagged

from odoo.addons.connector_base.lib.webhook import compute_signature

from .common import SIGNING_SECRET, ReckonCase

URL = "/connector_reckon/webhook"
LOGGER = "odoo.addons.connector_reckon.controllers.main"


@tagged("post_install", "-at_install")
class TestReckonNotifications(ReckonCase):
    book_size = {
        "customers": 3,
        "suppliers": 1,
        "both": 0,
        "items": 1,
        "invoices": 0,
        "receipts": 0,
        "credit_notes": 0,
        "bills": 0,
        "journals": 0,
        "payments": 0,
    }

    def setUp(self):
        super().setUp()
        self.connect()
        self.import_kinds(("account", "tax", "party"))
        self.customer = next(c for c in self.docs("contacts") if c["entityTypes"]["isCustomer"])

    def body(self, book=None, entity="Customer", entity_id=None):
        event = {
            "id": str(uuid.uuid4()),
            "bookId": book or self.book,
            "entity": entity,
            "entityId": entity_id or self.customer["id"],
            "operation": "updated",
            "occurredAt": "2026-11-22T10:00:00.000Z",
        }
        return json.dumps({"events": [event]}).encode()

    def post(self, body, signature=None):
        headers = {"Content-Type": "application/json"}
        if signature is not False:
            headers["X-Reckon-Signature"] = signature or compute_signature(SIGNING_SECRET, body, encoding="hex")
        self.env.flush_all()
        response = self.url_open(URL, data=body, headers=headers)
        self.env.invalidate_all()
        return response

    def test_a_signed_notification_queues_a_re_read_and_never_trusts_the_body(self):
        self.control("change", collection="customers", id=self.customer["id"], body={"name": "Renamed Pty Ltd"})
        response = self.post(self.body())
        self.assertEqual(response.status_code, 200, response.text)
        inbox = self.env["connector.webhook.event"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(inbox.mapped("state"), ["queued"])
        reads = self.pending_jobs("_job_import_record")
        self.assertEqual([job.args for job in reads], [["party", self.customer["id"]]])
        self.run_jobs("_job_import_record")
        self.assertEqual(self.bound("party", self.customer["id"]).name, "Renamed Pty Ltd", "read back from Reckon")

    def test_a_bad_or_missing_signature_gets_401_and_leaves_nothing(self):
        body = self.body()
        for signature in (compute_signature("another-secret", body, encoding="hex"), "zz-not-hex", False):
            with self.assertLogs(LOGGER, level="WARNING") as logs:
                response = self.post(body, signature=signature)
            self.assertEqual(response.status_code, 401)
            self.assertIn("bad or missing X-Reckon-Signature", logs.output[0])
        # signed with this connection's secret, naming a book another connection holds
        other = self.control("add_book", name="Other Books")["book"]
        self.backend.copy({"name": "Other", "tenant_id": other, "webhook_secret": "other-secret", "state": "connected"})
        with self.assertLogs(LOGGER, level="WARNING") as logs:
            response = self.post(self.body(book=other))
        self.assertEqual(response.status_code, 401)
        self.assertIn("none of its connections signed", logs.output[0])
        self.assertFalse(self.env["connector.webhook.event"].search([]))
        self.assertFalse(self.pending_jobs("_job_import_record"))
