import json
import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from .common import QuickBooksCase, legacy_event, sign_webhook

WEBHOOK = "/connector_quickbooks/webhook"
CALLBACK = "/connector_quickbooks/oauth/callback"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
event_like = st.fixed_dictionaries(
    {
        "eventNotifications": st.lists(
            st.fixed_dictionaries(
                {
                    "realmId": st.one_of(st.text(max_size=20), st.integers(), st.none()),
                    "dataChangeEvent": st.one_of(
                        json_values,
                        st.fixed_dictionaries(
                            {
                                "entities": st.lists(
                                    st.dictionaries(
                                        st.sampled_from(["name", "id", "operation", "lastUpdated", "deletedId"]),
                                        json_values,
                                    ),
                                    max_size=3,
                                )
                            }
                        ),
                    ),
                }
            ),
            max_size=3,
        )
    }
)


@tagged("post_install", "-at_install")
class TestQuickBooksWebhookSecurity(QuickBooksCase):
    company_size = {
        "customers": 3,
        "items": 2,
        "invoices": 0,
        "payments": 0,
        "bills": 0,
        "journal_entries": 0,
        "credit_memos": 0,
    }

    def setUp(self):
        super().setUp()
        self.connect()
        self.events_before = self.env["connector.webhook.event"].search_count([])

    def post(self, body, headers=None):
        # always a POST, an empty body included (url_open would turn that into a GET)
        return self.opener.post(self.base_url() + WEBHOOK, data=body, headers=headers or {}, timeout=30)

    def assert_nothing_stored(self):
        self.assertEqual(self.env["connector.webhook.event"].search_count([]), self.events_before)
        self.assertFalse(self.pending_jobs())

    def test_refusals_are_typed_and_leave_nothing(self):
        legit = json.dumps(legacy_event(self.realm)).encode()
        cases = [
            ("no signature", legit, {"Content-Type": "application/json"}, 401),
            (
                "signed with the client secret",
                legit,
                {"Content-Type": "application/json", "intuit-signature": sign_webhook(legit, b"sandbox-secret")},
                401,
            ),
            (
                "signature of another body",
                legit,
                {"Content-Type": "application/json", "intuit-signature": sign_webhook(legit + b" ")},
                401,
            ),
            ("not base64", legit, {"Content-Type": "application/json", "intuit-signature": "%%%"}, 401),
            (
                "form content type",
                legit,
                {"Content-Type": "application/x-www-form-urlencoded", "intuit-signature": sign_webhook(legit)},
                400,
            ),
            (
                "oversized",
                b"{" + b" " * (1024 * 1024 + 10) + b"}",
                {"Content-Type": "application/json", "intuit-signature": "x"},
                413,
            ),
            (
                "signed but not JSON",
                b"\xff\xfe not json",
                {"Content-Type": "application/json", "intuit-signature": sign_webhook(b"\xff\xfe not json")},
                400,
            ),
        ]
        with self.assertLogs("odoo.addons.connector_quickbooks.controllers.main", level="WARNING") as logs:
            for label, body, headers, status in cases:
                with self.subTest(label):
                    self.assertEqual(self.post(body, headers).status_code, status)
        self.assertEqual(len(logs.output), len(cases), "each refusal leaves one security log line")
        self.assert_nothing_stored()

    def test_a_replayed_event_is_queued_once(self):
        body = json.dumps(legacy_event(self.realm)).encode()
        headers = {"Content-Type": "application/json", "intuit-signature": sign_webhook(body)}
        for _attempt in range(3):
            self.assertEqual(self.post(body, headers).status_code, 200)
        self.assertEqual(self.env["connector.webhook.event"].search_count([]), self.events_before + 1)
        self.assertEqual(len(self.pending_jobs("_job_import_record")), 1)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        body=st.binary(max_size=300),
        # what an HTTP header can carry
        signature=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60),
    )
    def test_fuzz_unsigned_bodies_never_get_in(self, body, signature):
        answer = self.post(body, {"Content-Type": "application/json", "intuit-signature": signature})
        self.assertIn(answer.status_code, (400, 401))
        self.assert_nothing_stored()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(payload=st.one_of(event_like, json_values))
    def test_fuzz_signed_payloads_never_crash_or_touch_other_realms(self, payload):
        body = json.dumps(payload).encode()
        answer = self.post(body, {"Content-Type": "application/json", "intuit-signature": sign_webhook(body)})
        self.assertIn(answer.status_code, (200, 400))
        # nothing for a realm that is not connected here
        foreign = self.env["connector.webhook.event"].search([("backend_id", "!=", self.backend.id)])
        self.assertFalse(foreign)

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(state=st.text(max_size=60), code=st.text(max_size=30), realm=st.text(max_size=20))
    def test_fuzz_oauth_callback_never_crashes_nor_connects(self, state, code, realm):
        self.backend.action_disconnect()
        self.env.flush_all()
        query = urllib.parse.urlencode({"state": state, "code": code, "realmId": realm})
        answer = self.url_open(f"{CALLBACK}?{query}", allow_redirects=False)
        self.assertIn(answer.status_code, (303, 400, 403, 404))
        self.env.invalidate_all()
        self.assertEqual(self.backend.state, "draft")
