"""Odoo tests against the Reckon One sandbox (tests/sandbox/reckon), over real HTTP.

The sandbox runs in a thread of the test process on a loopback port. Every request the
connector sends it and every answer it gives on ``/r1/v2`` is held to Reckon's openapi.yaml
(read from ../shared; without it the sandbox runs unvalidated and says so). After each test
the exchanges it validated are counted and a mismatch fails the test; at the end of each class
the log says how many were validated."""

import logging
import re
import time
import urllib.parse
from decimal import Decimal

import requests

from odoo import Command
from odoo.tests import HttpCase

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.connector_base.tests.sandboxes import AccountMappingMixin, ConnectorJobsMixin, load_sandbox

_logger = logging.getLogger(__name__)

CLIENT_ID, CLIENT_SECRET = "sandbox-client", "sandbox-secret"
KEY = "sandbox-subscription-key"
SIGNING_SECRET = "reckon-relay-secret"
T = 30  # seconds, every request of a test to the sandbox
#: what the sandbox validated in every test of the run, for the summary line
CONTRACT = {"requests": 0, "answers": 0, "failed": 0, "enabled": False}


class ReckonCase(ConnectorJobsMixin, AccountMappingMixin, AccountTestInvoicingCommon, HttpCase):
    """An Australian company (AUD) like the sandbox's book, its GST taxes, and a Reckon connection."""

    country_code = "AU"
    chart_template = "generic_coa"
    #: the generated book (``generate_book``'s sizes); None: an empty book
    book_size = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from importlib import import_module

        reckon = load_sandbox("reckon")
        cls.sandbox = import_module(f"{reckon.__name__}.server").Sandbox(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, subscription_key=KEY
        )
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.validated = {"requests": 0, "answers": 0}
        cls.addClassCleanup(cls.log_contract)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        company = cls.env.company
        cls.env.ref("base.user_admin").write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        company.tax_calculation_rounding_method = "round_per_line"  # Reckon rounds each line's tax
        Tax = cls.env["account.tax"]
        cls.taxes = {
            (use, rate): Tax.create(
                {"name": f"GST {rate}% ({use})", "amount": rate, "type_tax_use": use, "company_id": company.id}
            )
            for use in ("sale", "purchase")
            for rate in (10, 0)
        }
        cls.rounding_account = cls.env["account.account"].create(
            {"name": "Tax rounding", "code": "999100", "account_type": "expense"}
        )
        cls.backend = cls.env["connector.backend"].create(
            {
                "name": "Reckon sandbox",
                "provider": "reckon",
                "company_id": company.id,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "webhook_secret": SIGNING_SECRET,
                "reckon_subscription_key": KEY,
                "api_url": f"{cls.sandbox.url}/r1/v2",
                "auth_url": f"{cls.sandbox.url}/connect/authorize",
                "token_url": f"{cls.sandbox.url}/connect/token",
                "revoke_url": f"{cls.sandbox.url}/connect/revocation",
                "conflict_policy": "provider",
                "rounding_account_id": cls.rounding_account.id,
                "sync_start_date": "2020-01-01",
                "reckon_per_minute": 0,  # the sandbox's own limit is off too: tests need not wait
                "reckon_concurrent": 0,
            }
        )

    @classmethod
    def log_contract(cls):
        _logger.info(
            "Reckon contract: %s validated %d requests and %d answers against Reckon's openapi.yaml, 0 failing; "
            "the Reckon tests so far: %d requests and %d answers, %d failing%s",
            cls.__name__,
            cls.validated["requests"],
            cls.validated["answers"],
            CONTRACT["requests"],
            CONTRACT["answers"],
            CONTRACT["failed"],
            "" if CONTRACT["enabled"] else " (openapi.yaml not here: nothing validated)",
        )

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        # the database rolls back after each test: the sandbox starts afresh too
        self.sandbox.reset()
        self.sandbox.subscription_keys.clear()
        self.sandbox.subscription_keys.add(KEY)
        self.control("limits", per_minute=None, concurrent=None)
        self.book = self.sandbox.book.id
        self.control("book", name="Harbourside Services Pty Ltd", country="AU")
        if self.book_size is not None:
            self.control("generate", size=self.book_size)
        self.addCleanup(self.check_contract)

    def check_contract(self):
        """Every exchange of the test held to openapi.yaml: counted, and a mismatch fails the test."""
        report = self.sandbox.contract.report()
        failed = report["requests"]["failed"] + report["answers"]["failed"]
        CONTRACT["enabled"] = CONTRACT["enabled"] or report["enabled"]
        CONTRACT["failed"] += failed
        for key in ("requests", "answers"):
            CONTRACT[key] += report[key]["validated"]
            self.validated[key] += report[key]["validated"]
        self.assertEqual(failed, 0, f"exchanges that break Reckon's openapi.yaml: {report['failures']}")

    # ------------------------------------------------------------------ the sandbox
    def control(self, action, **body):
        answer = requests.post(f"{self.sandbox.url}/_sandbox/{action}", json=body, timeout=T)
        self.assertEqual(answer.status_code, 200, f"sandbox {action}: {answer.text[:500]}")
        return answer.json()

    def docs(self, table):
        return self.sandbox.book.snapshot(table)

    # ------------------------------------------------------------------ connecting
    def consent(self, backend=None):
        """Odoo's Connect button and Reckon's sign-in page: the callback path Reckon redirects to."""
        action = (backend or self.backend).action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        session = requests.Session()
        page = session.get(action["url"], timeout=T)
        self.assertEqual(page.status_code, 200, page.text[:300])
        ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
        consent = session.post(
            f"{self.sandbox.url}/connect/authorize",
            data={"ticket": ticket, "decision": "connect"},
            allow_redirects=False,
            timeout=T,
        )
        self.assertEqual(consent.status_code, 302, consent.text[:300])
        return consent.headers["Location"][len(self.base_url()) :]

    def follow_callback(self, path, login="admin"):
        self.authenticate(login, login)
        self.env.flush_all()  # what this test wrote is what the callback's request must see
        response = self.url_open(path, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def connect(self, backend=None):
        """Connect through the real pages: Odoo's button, Reckon's sign-in, Odoo's callback."""
        path = self.consent(backend)
        response = self.follow_callback(path)
        self.assertEqual(response.status_code, 303, response.text[:500])
        return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)

    # ------------------------------------------------------------------ what an accountant maps once
    def map_accounts(self):
        self.map_accounts_by_type(self.backend)

    def map_taxes(self):
        rows = self.env["connector.tax.mapping"].search([("backend_id", "=", self.backend.id)])
        for row in rows:
            rate = 10 if Decimal(row.external_rate or "0") else 0
            use = "purchase" if row.scope == "purchase" else "sale"
            row.tax_id = self.taxes[(use, rate)]
            if row.scope == "both":
                row.purchase_tax_id = self.taxes[("purchase", rate)]
        rows.action_confirm()

    def import_kinds(self, kinds=("account", "tax", "party", "product", "invoice", "payment")):
        results = {}
        for kind in kinds:
            results[kind] = self.backend._import_batch(kind)
            if kind == "account":
                self.map_accounts()
            if kind == "tax":
                self.map_taxes()
        return results

    def quarantine_messages(self):
        rows = self.env["connector.quarantine"].search([("backend_id", "=", self.backend.id)])
        return [f"{r.reason}: {r.message}" for r in rows]

    def bound(self, kind, external_id):
        return self.env["connector.binding"]._find_record(self.backend, kind, external_id)

    def chatter(self):
        import html

        return [html.unescape(str(message.body)) for message in self.backend.message_ids]

    def wait_for(self, condition, timeout=15.0):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.fail("timed out waiting for the sandbox")
            time.sleep(0.05)


class ReckonBooksCase(ReckonCase):
    """Import all, and the invoices compared with Reckon's to the cent."""

    def import_all(self):
        self.connect()
        self.assertEqual(self.backend.state, "connected")
        self.backend.action_import_all()
        self.assertGreater(self.backend.import_total, 0, "Reckon counts what the import will read")
        self.run_jobs("_job_import_batch", limit=1)  # accounts first: the accountant maps them
        self.map_accounts()
        self.run_jobs("_job_import_batch", limit=1)
        self.map_taxes()
        self.run_jobs()

    def reckon_figures(self, table="invoices"):
        """{external id: (status, total, balance)} as Reckon has them."""
        entity = {"invoices": "Invoice", "creditnotes": "CreditNote"}[table]
        return {
            f"{entity}/{doc['id']}": (doc["status"], Decimal(str(doc["totalAmount"])), Decimal(str(doc["balance"])))
            for doc in self.docs(table)
        }

    def assert_invoices_match_reckon(self, table="invoices"):
        figures = self.reckon_figures(table)
        mismatches = []
        for external_id, (status, total, balance) in figures.items():
            move = self.bound("invoice", external_id)
            if not move:
                mismatches.append((external_id, "missing"))
                continue
            state = "draft" if status == "Draft" else "posted"
            odoo = (move.state, move.currency_id.name, Decimal(str(move.amount_total)), move.amount_residual)
            if (
                odoo[:2] != (state, "AUD")
                or round(odoo[2] - total, 2)
                or (status != "Draft" and round(Decimal(str(odoo[3])) - balance, 2))
            ):
                mismatches.append((external_id, status, total, balance, odoo))
        self.assertEqual(mismatches, [])
        return figures
