import json
import logging
import os
import urllib.parse

import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from odoo.tests import new_test_user, tagged

from .common import QuickBooksCase, legacy_event, sign_webhook

_logger = logging.getLogger(__name__)

WEBHOOK = "/connector_quickbooks/webhook"
CALLBACK = "/connector_quickbooks/oauth/callback"
#: cases per fuzzed route: a few hundred in `make test`; `make chaos` sets 10,000
FUZZ_CASES = int(os.environ.get("CONNECTOR_FUZZ_CASES") or 0)


def fuzz(default):
    return settings(
        max_examples=FUZZ_CASES or default, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )


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
        self.fuzz_cases = 0
        self.connect()
        self.events_before = self.env["connector.webhook.event"].search_count([])

    def post(self, body, headers=None):
        # always a POST, an empty body included (url_open would turn that into a GET)
        return self.opener.post(self.base_url() + WEBHOOK, data=body, headers=headers or {}, timeout=30)

    def tearDown(self):
        if self.fuzz_cases:  # make chaos reads these lines to check how many cases each route got
            _logger.info("fuzz %s: %d cases", self._testMethodName, self.fuzz_cases)
        super().tearDown()

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

    def test_a_body_for_one_realm_signed_with_another_connections_verifier_gets_401(self):
        """Each connection's verifier vouches for its own realm only: a body naming realm A
        signed with B's verifier is refused and stores nothing, while B's own events get in."""
        realm_b = "4620816365000000002"
        backend_b = self.env["connector.backend"].create(
            {
                "name": "Another QuickBooks company",
                "provider": "quickbooks",
                "company_id": self.env.company.id,
                "tenant_id": realm_b,
                "webhook_secret": "verifier-of-b",
            }
        )
        backend_b.state = "connected"
        self.env.flush_all()
        headers = {"Content-Type": "application/json"}
        body_a = json.dumps(legacy_event(self.realm)).encode()
        both = legacy_event(self.realm)
        both["eventNotifications"] += legacy_event(realm_b, doc_id="2")["eventNotifications"]
        body_both = json.dumps(both).encode()
        with self.assertLogs("odoo.addons.connector_quickbooks.controllers.main", level="WARNING") as logs:
            for body in (body_a, body_both):
                answer = self.post(body, dict(headers, **{"intuit-signature": sign_webhook(body, b"verifier-of-b")}))
                self.assertEqual(answer.status_code, 401, answer.text)
        self.assertIn(self.realm, logs.output[0])
        self.assert_nothing_stored()
        body_b = json.dumps(legacy_event(realm_b, doc_id="2")).encode()
        answer = self.post(body_b, dict(headers, **{"intuit-signature": sign_webhook(body_b, b"verifier-of-b")}))
        self.assertEqual(answer.status_code, 200, answer.text)
        stored = self.env["connector.webhook.event"].search([("backend_id", "=", backend_b.id)])
        self.assertEqual(stored.mapped("external_id"), ["Customer/2"])
        self.assertFalse(self.env["connector.webhook.event"].search([("backend_id", "=", self.backend.id)]))

    def test_a_replayed_event_is_queued_once(self):
        body = json.dumps(legacy_event(self.realm)).encode()
        headers = {"Content-Type": "application/json", "intuit-signature": sign_webhook(body)}
        for _attempt in range(3):
            self.assertEqual(self.post(body, headers).status_code, 200)
        self.assertEqual(self.env["connector.webhook.event"].search_count([]), self.events_before + 1)
        self.assertEqual(len(self.pending_jobs("_job_import_record")), 1)

    @fuzz(150)
    @given(
        body=st.binary(max_size=300),
        # what an HTTP header can carry
        signature=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60),
    )
    def test_fuzz_unsigned_bodies_never_get_in(self, body, signature):
        self.fuzz_cases += 1
        answer = self.post(body, {"Content-Type": "application/json", "intuit-signature": signature})
        self.assertIn(answer.status_code, (400, 401))
        self.assert_nothing_stored()

    @fuzz(150)
    @given(payload=st.one_of(event_like, json_values))
    def test_fuzz_signed_payloads_never_crash_or_touch_other_realms(self, payload):
        self.fuzz_cases += 1
        body = json.dumps(payload).encode()
        answer = self.post(body, {"Content-Type": "application/json", "intuit-signature": sign_webhook(body)})
        self.assertIn(answer.status_code, (200, 400))
        # nothing for a realm that is not connected here
        foreign = self.env["connector.webhook.event"].search([("backend_id", "!=", self.backend.id)])
        self.assertFalse(foreign)

    @fuzz(150)
    @given(
        edits=st.lists(
            st.tuples(st.integers(min_value=0, max_value=10**6), st.binary(max_size=3), st.integers(0, 2)), max_size=6
        )
    )
    def test_fuzz_mutated_signed_events_never_crash(self, edits):
        """A real event with bytes replaced, cut or inserted, signed again: parsed or refused, never a 500."""
        self.fuzz_cases += 1
        body = bytearray(json.dumps(legacy_event(self.realm, doc_id="1")).encode())
        for position, data, cut in edits:
            at = position % (len(body) + 1)
            body[at : at + cut] = data
        body = bytes(body)
        answer = self.post(body, {"Content-Type": "application/json", "intuit-signature": sign_webhook(body)})
        self.assertIn(answer.status_code, (200, 400))
        self.assertFalse(self.env["connector.webhook.event"].search([("backend_id", "!=", self.backend.id)]))

    @fuzz(300)
    @given(
        state=st.one_of(st.text(max_size=60), st.builds(lambda s: f"{s}:", st.integers(-5, 10**6))),
        code=st.text(max_size=30),
        realm=st.text(max_size=20),
    )
    @example(state="²:", code="x", realm="1")  # a digit to str.isdigit(), not to int(): found at 10,000 cases
    @example(state="99999999999999999999:x", code="x", realm="1")  # beyond a database id
    def test_fuzz_oauth_callback_never_crashes_nor_connects(self, state, code, realm):
        """A Connector Manager's session: the fuzzed values reach the handler itself."""
        self.fuzz_cases += 1
        if self.backend.state != "draft":
            self.backend.action_disconnect()
            self.backend.action_connect()  # a connection being set up: its state is secret
            self.authenticate("admin", "admin")
            self.env.flush_all()
        query = urllib.parse.urlencode({"state": state, "code": code, "realmId": realm})
        answer = self.url_open(f"{CALLBACK}?{query}", allow_redirects=False)
        self.assertIn(answer.status_code, (400, 403))
        self.env.invalidate_all()
        self.assertEqual(self.backend.state, "draft")
        self.assertFalse(self.backend.has_token)


@tagged("post_install", "-at_install")
class TestQuickBooksOAuthSecurity(QuickBooksCase):
    """The OAuth callback only ever connects the backend it was started for, once, for a
    Connector Manager of that backend's company."""

    company_size = TestQuickBooksWebhookSecurity.company_size

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})

        def user(login, groups, companies):
            return new_test_user(
                cls.env,
                login,
                groups=groups,
                password=login,
                company_id=companies[0].id,
                company_ids=[c.id for c in companies],
            )

        cls.manager_b = user("qbo_manager_b", "connector_base.group_connector_manager", cls.company_b)
        cls.accountant_a = user("qbo_accountant_a", "account.group_account_manager", company_a)
        cls.connector_user_a = user("qbo_user_a", "connector_base.group_connector_user", company_a)
        cls.portal = new_test_user(cls.env, "qbo_portal", groups="base.group_portal", password="qbo_portal")

    def assert_refused(self, response, expected=403):
        self.assertEqual(response.status_code, expected, response.text[:300])
        self.env.invalidate_all()
        self.assertEqual(self.backend.state, "draft")
        self.assertFalse(self.backend.has_token)

    def test_another_companys_manager_cannot_complete_the_connection(self):
        path = self.consent()
        with self.assertLogs("odoo.addons.connector_quickbooks.controllers.main", level="WARNING") as logs:
            self.assert_refused(self.follow_callback(path, login="qbo_manager_b"))
        self.assertIn("no access to its company", logs.output[0])
        # the right person can still finish it: nothing was used up
        self.assertEqual(self.follow_callback(path).status_code, 303)
        self.assertEqual(self.backend.state, "connected")

    def test_only_a_connector_manager_completes_the_connection(self):
        path = self.consent()
        for login in ("qbo_accountant_a", "qbo_user_a", "qbo_portal"):
            with self.subTest(login), self.assertLogs("odoo.addons.connector_quickbooks.controllers.main", "WARNING"):
                self.assert_refused(self.follow_callback(path, login=login))

    def test_an_anonymous_visitor_is_sent_to_the_login_page(self):
        path = self.consent()
        self.env.flush_all()
        response = self.url_open(path, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        self.env.invalidate_all()
        self.assertEqual(self.backend.state, "draft")

    def test_a_replayed_callback_is_refused(self):
        path = self.consent()
        self.assertEqual(self.follow_callback(path).status_code, 303)
        token = self.backend._get_token()
        with self.assertLogs("odoo.addons.connector_quickbooks.controllers.main", level="WARNING"):
            response = self.follow_callback(path)
        self.assertEqual(response.status_code, 403, "the state is single use")
        self.assertEqual(self.backend._get_token(), token, "the tokens stay those of the first callback")

    def test_a_code_already_used_elsewhere_connects_nothing(self):
        path = self.consent()
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["code"][0]
        # someone who intercepted the redirect redeemed the code first
        stolen = requests.post(
            f"{self.sandbox.url}/oauth2/v1/tokens/bearer",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": self.backend.redirect_uri},
            auth=("sandbox-client", "sandbox-secret"),
            timeout=10,
        )
        self.assertEqual(stolen.status_code, 200)
        messages = len(self.backend.message_ids)
        self.assertEqual(self.follow_callback(path).status_code, 303)
        self.assertEqual(self.backend.state, "draft")
        self.assertFalse(self.backend.has_token)
        self.assertEqual(len(self.backend.message_ids), messages + 1, "the accountant is told why")
        self.assertIn("Connecting failed", self.backend.message_ids[0].body)
