"""The provider sandboxes (``tests/sandbox`` of the repository) for the addons' Odoo tests.

They are not Odoo addons: ``load_sandbox("wave")`` loads one from the repository, once, under
a private package name, so that a provider's relative imports of the shared kit work."""

import importlib
import importlib.util
import sys
from pathlib import Path

SANDBOXES_DIR = Path(__file__).resolve().parents[2] / "tests" / "sandbox"
PACKAGE = "connector_sandboxes"


def load_sandbox(provider):
    """The sandbox package of ``provider`` (``quickbooks``, ``wave``, ...)."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            PACKAGE, SANDBOXES_DIR / "__init__.py", submodule_search_locations=[str(SANDBOXES_DIR)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = module
        spec.loader.exec_module(module)
    return importlib.import_module(f"{PACKAGE}.{provider}")


class ConnectorJobsMixin:
    """Run a connection's queued jobs as the runner would, in the test's transaction."""

    def pending_jobs(self, method=None):
        domain = [("model_name", "=", "connector.backend"), ("state", "=", "pending")]
        if method:
            domain.append(("method_name", "=", method))
        return self.env["queue.job"].sudo().search(domain)

    def run_jobs(self, method=None, limit=500):
        """Perform the pending connector jobs; return how many ran."""
        done = 0
        while done < limit:
            jobs = self.pending_jobs(method)
            if not jobs:
                return done
            for record in jobs:
                done += self.run_job(record.uuid)
        return done

    def run_job(self, uuid):
        """Perform one pending job; 0 when another has taken it over."""
        from odoo.addons.queue_job.job import Job

        job = Job.load(self.env(su=True), uuid)
        if job.state != "pending":
            return 0
        job.set_started()
        result = job.perform()
        job.set_done(result=result)
        job.store()
        job.env.flush_all()
        job.enqueue_waiting()  # the jobs chained behind it, as the runner does
        return 1


class AccountMappingMixin:
    """What an accountant maps once, for tests on ``AccountTestInvoicingCommon``: the account
    suggestions confirmed, the rest mapped by type to the test company's accounts."""

    def map_accounts_by_type(self, backend):
        rows = self.env["connector.account.mapping"].search([("backend_id", "=", backend.id)])
        rows.action_confirm()
        data = self.company_data
        by_type = {
            "income": data["default_account_revenue"],
            "other_income": data["default_account_revenue"],
            "expense": data["default_account_expense"],
            "direct_costs": data["default_account_expense"],
            "bank": data["default_journal_bank"].default_account_id,
            "receivable": data["default_account_receivable"],
            "payable": data["default_account_payable"],
            "current_liabilities": data["default_account_tax_sale"],
            "credit_card": data["default_account_tax_sale"],
        }
        equity = self.env["account.account"].search(
            [("company_ids", "in", self.env.company.ids), ("account_type", "=", "equity")], limit=1
        )
        for row in rows.filtered(lambda r: not r.account_id):
            row.account_id = by_type.get(row.external_type) or equity
