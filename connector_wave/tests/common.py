"""Odoo tests against the Wave sandbox (tests/sandbox/wave), over real HTTP.

The sandbox runs in a thread of the test process on a loopback port and executes every query
and mutation against Wave's published schema (read from ../shared; without it these tests
skip). Jobs are run by ``run_jobs`` in the test transaction. At the end of each class the log
says how many queries and mutations the sandbox executed."""

import logging
import re
import time
import unittest
import urllib.parse
from decimal import Decimal
from importlib import import_module

import requests

from odoo import Command
from odoo.tests import HttpCase

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.connector_base.tests.sandboxes import AccountMappingMixin, ConnectorJobsMixin, load_sandbox

_logger = logging.getLogger(__name__)

CLIENT_ID, CLIENT_SECRET = "sandbox-client", "sandbox-secret"
SIGNING_SECRET = "wave-relay-secret"
T = 30  # seconds, every request of a test to the sandbox
#: Wave's sales taxes of the generated US company -> the Odoo tax each is mapped to
TAXES = {
    "State Sales Tax": {"amount": 6.25, "sequence": 1, "include_base_amount": True},
    "County Tax": {"amount": 1.0, "sequence": 2, "include_base_amount": True, "is_base_affected": False},
    "City Surcharge": {"amount": 0.5, "sequence": 3},  # compound: on the amount and the taxes before it
}
#: what the sandbox executed in every test of the run, for the summary line
EXECUTED = {"query_operations": 0, "mutation_operations": 0, "refused": 0}


class WaveCase(ConnectorJobsMixin, AccountMappingMixin, AccountTestInvoicingCommon, HttpCase):
    """A US company like the sandbox's (USD, CAD active, the three sales taxes) and a Wave connection."""

    company_size = {
        "customers": 10,
        "vendors": 3,
        "products": 6,
        "invoices": 20,
        "payments": 12,
        "second_currency": "CAD",
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        wave = load_sandbox("wave")
        schema = import_module(f"{wave.__name__}.schema")
        try:
            schema.locate()
        except schema.SchemaMissing as exc:
            raise unittest.SkipTest(f"Wave's schema is not on this machine: {exc}") from None
        cls.wave_totals = import_module(f"{wave.__name__}.totals")
        cls.sandbox = import_module(f"{wave.__name__}.server").WaveSandbox(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.executed = dict.fromkeys(EXECUTED, 0)
        cls.addClassCleanup(cls.log_executed)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        company = cls.env.company
        cls.env.ref("base.user_admin").write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        company.tax_calculation_rounding_method = "round_per_line"  # Wave rounds each tax of each line
        cls.env.ref("base.CAD").active = True
        cls.taxes = {
            name: cls.env["account.tax"].create(
                {"name": name, "type_tax_use": "sale", "company_id": company.id, **values}
            )
            for name, values in TAXES.items()
        }
        cls.rounding_account = cls.env["account.account"].create(
            {"name": "Tax rounding", "code": "999100", "account_type": "expense"}
        )
        cls.generic_product = cls.env["product.product"].create(
            {"name": "Services (Wave)", "type": "service", "list_price": 0, "taxes_id": [Command.clear()]}
        )
        cls.backend = cls.env["connector.backend"].create(
            {
                "name": "Wave sandbox",
                "provider": "wave",
                "company_id": company.id,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "webhook_secret": SIGNING_SECRET,
                "api_url": f"{cls.sandbox.url}/graphql/public",
                "auth_url": f"{cls.sandbox.url}/oauth2/authorize/",
                "token_url": f"{cls.sandbox.url}/oauth2/token/",
                "revoke_url": f"{cls.sandbox.url}/oauth2/token-revoke/",
                "conflict_policy": "provider",
                "rounding_account_id": cls.rounding_account.id,
                "sync_start_date": "2020-01-01",
                "wave_generic_product_id": cls.generic_product.id,
                "wave_per_minute": 0,  # the sandbox's own limit is off too: tests need not wait
                "wave_concurrent": 0,
            }
        )

    @classmethod
    def log_executed(cls):
        _logger.info(
            "Wave sandbox: %s sent %d queries and %d mutations, executed against Wave's schema (%d refused); "
            "the Wave tests so far: %d queries and %d mutations",
            cls.__name__,
            cls.executed["query_operations"],
            cls.executed["mutation_operations"],
            cls.executed["refused"],
            EXECUTED["query_operations"],
            EXECUTED["mutation_operations"],
        )

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        # the database rolls back after each test: the sandbox starts afresh too
        self.sandbox.reset()
        self.control("limits", per_minute=None, concurrent=None)
        self.business = self.sandbox.tenant().id
        if self.company_size:
            self.control("generate", size=self.company_size)
        self.addCleanup(self.count_executed)

    def count_executed(self):
        for key in EXECUTED:
            EXECUTED[key] += self.sandbox.stats.get(key, 0)
            self.executed[key] += self.sandbox.stats.get(key, 0)

    # ------------------------------------------------------------------ the sandbox
    def control(self, action, **body):
        answer = requests.post(f"{self.sandbox.url}/_sandbox/{action}", json=body, timeout=T)
        self.assertEqual(answer.status_code, 200, f"sandbox {action}: {answer.text[:500]}")
        return answer.json()

    def sandbox_client(self):
        """The sandbox's own client for tests (a Full Access Token): records made as in Wave's screens."""
        return import_module(f"{load_sandbox('wave').__name__}.client").WaveClient(self.sandbox.url, timeout=T)

    def docs(self, kind):
        answer = requests.get(f"{self.sandbox.url}/_sandbox/docs/{kind}", timeout=T)
        return answer.json()[kind]

    def wave_figures(self, business=None):
        """{invoice id: (status, currency, total, amount due)} as Wave computes them."""
        tenant = self.sandbox.tenant(business or self.business)
        figures = {}
        with tenant.lock:
            for invoice in tenant.records("Invoice"):
                numbers = self.wave_totals.compute(tenant, invoice)
                status = self.wave_totals.status(tenant, invoice, numbers)
                wire_id = tenant.ref("Invoice", invoice["n"])
                figures[wire_id] = (status, invoice["currency"], numbers["total"], numbers["amountDue"])
        return figures

    # ------------------------------------------------------------------ connecting
    def consent(self, business=None, backend=None):
        """Odoo's Connect button and Wave's consent page: the callback path Wave redirects to."""
        action = (backend or self.backend).action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        session = requests.Session()
        page = session.get(action["url"], timeout=T)
        self.assertEqual(page.status_code, 200, page.text[:300])
        ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
        consent = session.post(
            f"{self.sandbox.url}/oauth2/authorize/",
            data={"ticket": ticket, "businessId": business or self.business, "decision": "connect"},
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

    def connect(self, business=None, backend=None):
        """Connect through the real pages: Odoo's button, Wave's consent, Odoo's callback."""
        path = self.consent(business, backend)
        response = self.follow_callback(path)
        self.assertEqual(response.status_code, 303, response.text[:500])
        return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)

    # ------------------------------------------------------------------ what an accountant maps once
    def map_accounts(self):
        self.map_accounts_by_type(self.backend)

    def map_taxes(self):
        for row in self.env["connector.tax.mapping"].search([("backend_id", "=", self.backend.id)]):
            row.tax_id = self.taxes[row.external_name]

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

    def make_invoice(self, partner, amount="100.00", taxes=("State Sales Tax",), product=True, post=True):
        line = {
            "name": "Consulting",
            "quantity": 1,
            "price_unit": float(Decimal(amount)),
            "tax_ids": [Command.set([self.taxes[name].id for name in taxes])],
        }
        if product:
            line["product_id"] = self.product_a.id
        else:
            line["account_id"] = self.company_data["default_account_revenue"].id
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": "2026-11-02",
                "invoice_line_ids": [Command.create(line)],
            }
        )
        if post:
            move.action_post()
        return move

    def wait_for(self, condition, timeout=15.0):
        """Wait (without touching the database) until ``condition()`` holds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.fail("timed out waiting for the sandbox")
            time.sleep(0.05)
