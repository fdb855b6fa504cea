"""Odoo tests against the QuickBooks sandbox (tests/sandbox/quickbooks), over real HTTP.

The sandbox runs in a thread of the test process on a loopback port; Odoo's test server
answers its webhooks. Jobs are run by ``run_jobs`` in the test transaction."""

import base64
import hashlib
import hmac
import json
import re
import urllib.parse
from datetime import timedelta

import requests

from odoo import Command
from odoo.tests import HttpCase

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.connector_base.tests import sandboxes

VERIFIER = b"sandbox-verifier"


def sign_webhook(body, key=VERIFIER):
    """The intuit-signature of a webhook body: base64 HMAC-SHA256 under the verifier token."""
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


def legacy_event(realm, entity="Customer", doc_id="1", operation="Update", updated="2026-11-22T10:00:00Z"):
    """A webhook body in Intuit's legacy format, carrying one entity event."""
    entities = [{"name": entity, "id": doc_id, "operation": operation, "lastUpdated": updated}]
    return {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": entities}}]}


def load_sandbox(provider="quickbooks"):
    return sandboxes.load_sandbox(provider)


class QuickBooksCase(sandboxes.ConnectorJobsMixin, sandboxes.AccountMappingMixin, AccountTestInvoicingCommon, HttpCase):
    """A company like the sandbox's (USD, EUR active, US sales taxes) and a backend."""

    company_size = {
        "customers": 15,
        "items": 8,
        "invoices": 20,
        "payments": 12,
        "bills": 4,
        "journal_entries": 2,
        "credit_memos": 2,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.sandbox = load_sandbox().Sandbox()
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.realm = cls.sandbox.company.realm_id
        company = cls.env.company
        cls.env.ref("base.user_admin").write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        company.tax_calculation_rounding_method = "round_globally"  # as QuickBooks rounds, per rate
        cls.env.ref("base.EUR").active = True
        cls.taxes = {
            rate: cls.env["account.tax"].create(
                {"name": f"Sales tax {rate}%", "amount": rate, "type_tax_use": "sale", "company_id": company.id}
            )
            for rate in (7.25, 8.25, 8.625)
        }
        cls.rounding_account = cls.env["account.account"].create(
            {"name": "Tax rounding", "code": "999100", "account_type": "expense"}
        )
        cls.backend = cls.env["connector.backend"].create(
            {
                "name": "QuickBooks sandbox",
                "provider": "quickbooks",
                "company_id": company.id,
                "client_id": "sandbox-client",
                "client_secret": "sandbox-secret",
                "webhook_secret": "sandbox-verifier",
                "api_url": cls.sandbox.url,
                "auth_url": f"{cls.sandbox.url}/connect/oauth2",
                "token_url": f"{cls.sandbox.url}/oauth2/v1/tokens/bearer",
                "revoke_url": f"{cls.sandbox.url}/v2/oauth2/tokens/revoke",
                "conflict_policy": "provider",
                "rounding_account_id": cls.rounding_account.id,
                "sync_start_date": "2020-01-01",
            }
        )

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        # the database rolls back after each test: the sandbox starts afresh too
        self.sandbox.reset()
        self.sandbox.clock_offset = timedelta(0)
        self.sandbox.limits = type(self.sandbox.limits)()
        self.sandbox.generate(**self.company_size)
        self.sandbox.faults.retry_after = 0.5  # QuickBooks says nothing and means 60 s; tests need not wait

    # ------------------------------------------------------------------ helpers
    def control(self, action, **body):
        answer = requests.post(f"{self.sandbox.url}/_sandbox/{action}", data=json.dumps(body), timeout=30)
        self.assertEqual(answer.status_code, 200, f"sandbox {action}: {answer.text[:500]}")
        return answer.json()

    def consent(self, backend=None):
        """Odoo's Connect button and Intuit's consent page: return the callback path Intuit
        redirects the browser to (not followed yet)."""
        action = (backend or self.backend).action_connect()
        session = requests.Session()
        page = session.get(action["url"], timeout=10)
        ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
        consent = session.post(
            f"{self.sandbox.url}/connect/oauth2",
            data={"ticket": ticket, "realmId": self.realm, "decision": "connect"},
            allow_redirects=False,
            timeout=10,
        )
        return consent.headers["Location"][len(self.base_url()) :]

    def follow_callback(self, path, login="admin"):
        """The browser of ``login`` arrives on Odoo's OAuth callback."""
        self.authenticate(login, login)
        self.env.flush_all()  # what this test wrote is what the callback's request must see
        response = self.url_open(path, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def connect(self, backend=None):
        """Connect through the real pages: Odoo's button, Intuit's consent, Odoo's callback."""
        path = self.consent(backend)
        response = self.follow_callback(path)
        self.assertEqual(response.status_code, 303, response.text[:500])
        return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)

    def map_accounts(self):
        """What an accountant does once: confirm the suggestions, then map what is left by type."""
        self.map_accounts_by_type(self.backend)

    def map_taxes(self):
        rates = {"2": 7.25, "3": 8.25, "4": 8.625}
        for row in self.env["connector.tax.mapping"].search([("backend_id", "=", self.backend.id)]):
            row.tax_id = self.taxes[rates[row.external_id]]

    def import_kinds(self, kinds=("account", "tax", "party", "product", "invoice", "payment", "journal_entry")):
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

    def qbo_docs(self, entity):
        return self.sandbox.company.snapshot(entity)

    def odoo_partner(self, external_id):
        return self.env["connector.binding"]._find_record(self.backend, "party", external_id)

    def make_vendor_document(self, move_type, partner, date, label, amount):
        """A posted vendor bill or refund with one untaxed expense line."""
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": label,
                            "account_id": self.company_data["default_account_expense"].id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def make_journal_entry(self, amount, ref="Owner loan", **vals):
        """A posted miscellaneous entry: ``amount`` into the bank, against revenue."""
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "ref": ref,
                "line_ids": [
                    Command.create(
                        {
                            "name": "Loan in",
                            "account_id": self.company_data["default_journal_bank"].default_account_id.id,
                            "debit": amount,
                        }
                    ),
                    Command.create(
                        {"name": ref, "account_id": self.company_data["default_account_revenue"].id, "credit": amount}
                    ),
                ],
                **vals,
            }
        )
        entry.action_post()
        return entry

    def make_invoice(self, partner, amount="100.00", currency=None, post=True, **vals):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": "2026-11-02",
                "currency_id": (currency or self.env.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "quantity": 1,
                            "price_unit": float(amount),
                            "tax_ids": [Command.set(self.taxes[8.25].ids)],
                        }
                    )
                ],
                **vals,
            }
        )
        if post:
            move.action_post()
        return move
