"""Odoo tests against the Kashoo sandbox (tests/sandbox/kashoo), over real HTTP on loopback.

The sandbox runs in a thread of the test process; it is reset before each test (the database
rolls back). Jobs run in the test transaction."""

import hashlib
import hmac
import json

import requests

from odoo import Command
from odoo.tests import HttpCase

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.connector_base.tests.sandboxes import AccountMappingMixin, ConnectorJobsMixin, load_sandbox
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

EMAIL, PASSWORD = "owner@sandbox.example", "sandbox-password"
WEBHOOK_SECRET = "kashoo-relay-secret"
RATES = {"GST": 5.0, "PST": 7.0, "HST": 13.0, "QST": 9.975}


def sign(body, key=WEBHOOK_SECRET):
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


class KashooCase(ConnectorJobsMixin, AccountMappingMixin, AccountTestInvoicingCommon, HttpCase):
    """A company with CAD active, the four Canadian rates as Odoo taxes, and a Kashoo connection."""

    company_size = {"customers": 10, "vendors": 4, "invoices": 25, "bills": 8, "payments": 15}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.sandbox = load_sandbox("kashoo").KashooSandbox()
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        company = cls.env.company
        cls.env.ref("base.user_admin").write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        company.tax_calculation_rounding_method = "round_per_line"  # as Kashoo rounds, each tax per line
        cls.env.ref("base.CAD").active = True
        cls.taxes = {
            (code, use): cls.env["account.tax"].create(
                {"name": f"{code} {use}", "amount": rate, "type_tax_use": use, "company_id": company.id}
            )
            for code, rate in RATES.items()
            for use in ("sale", "purchase")
        }
        cls.rounding_account = cls.env["account.account"].create(
            {"name": "Tax rounding", "code": "999100", "account_type": "expense"}
        )
        cls.backend = cls.env["connector.backend"].create(
            {
                "name": "Kashoo sandbox",
                "provider": "kashoo",
                "company_id": company.id,
                "api_url": cls.sandbox.url,
                "webhook_secret": WEBHOOK_SECRET,
                "conflict_policy": "provider",
                "rounding_account_id": cls.rounding_account.id,
                "payment_journal_id": cls.company_data["default_journal_bank"].id,
                "sync_start_date": "2020-01-01",
                "request_timeout": 10,
            }
        )

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.sandbox.reset()
        self.sandbox.faults.retry_after = 0.2

    # ------------------------------------------------------------------ helpers
    def control(self, action, **body):
        answer = requests.post(f"{self.sandbox.url}/_sandbox/{action}", data=json.dumps(body), timeout=30)
        self.assertEqual(answer.status_code, 200, f"sandbox {action}: {answer.text[:500]}")
        return answer.json()

    def docs(self, entity):
        answer = requests.get(f"{self.sandbox.url}/_sandbox/docs/{entity}", timeout=30)
        return answer.json()[entity]

    def sign_in(self, backend=None, email=EMAIL, password=PASSWORD):
        """Connect as a manager does: the button opens the wizard, the e-mail and password sign in once."""
        backend = backend or self.backend
        action = backend.action_connect()
        self.assertEqual(action["res_model"], "connector.kashoo.sign.in")
        wizard = (
            self.env[action["res_model"]]
            .with_context(action["context"])
            .create({"method": "password", "email": email, "password": password})
        )
        return wizard.action_sign_in()

    def map_accounts(self):
        self.map_accounts_by_type(self.backend)

    def map_taxes(self):
        for row in self.env["connector.tax.mapping"].search([("backend_id", "=", self.backend.id)]):
            row.tax_id = self.taxes[(row.external_id, "sale")]
            row.purchase_tax_id = self.taxes[(row.external_id, "purchase")]

    def import_kinds(self, kinds=("account", "tax", "party", "invoice", "payment", "journal_entry")):
        results = {}
        for kind in kinds:
            if self.backend._imports(kind):
                results[kind] = self.backend._import_kind(kind)
            if kind == "account":
                self.map_accounts()
            if kind == "tax":
                self.map_taxes()
        return results

    def run_jobs(self, method=None, limit=200):
        """Perform the pending connector jobs as the runner would; unlike the shared mixin's, a job
        that asks to wait (RetryableJobError) is put back and not run again here."""
        done, tried = 0, set()
        while done < limit:
            jobs = self.pending_jobs(method).filtered(lambda j: not j.eta and j.uuid not in tried)
            if not jobs:
                return done
            for record in jobs:
                tried.add(record.uuid)
                job = Job.load(self.env(su=True), record.uuid)
                job.set_started()
                try:
                    job.perform()
                except RetryableJobError:
                    job.set_pending()
                    job.store()
                    continue
                job.set_done()
                job.store()
                done += 1
        return done

    def quarantine(self):
        return self.env["connector.quarantine"].search([("backend_id", "=", self.backend.id)])

    def bound(self, kind, external_id):
        return self.env["connector.binding"]._find_record(self.backend, kind, str(external_id))
