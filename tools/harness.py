"""What `make bench` and `make chaos` share: a database of their own, an Odoo environment in
this process, a US company connected to the QuickBooks sandbox through its consent page with
accounts and taxes mapped, and an Odoo server (with queue_job's runner) started and stopped.

The environment comes from tools/bench.sh or tools/chaos.sh: PGHOST, PGPORT, PGUSER_ODOO and
PGPASSWORD for PostgreSQL; the caller passes the config file and the database name."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
ODOO = str(ROOT / ".venv" / "bin" / "odoo")

# QuickBooks account types -> the Odoo account type they map to in the harness company
ACCOUNT_TYPES = {
    "Bank": "asset_cash",
    "Accounts Receivable": "asset_receivable",
    "Other Current Asset": "asset_current",
    "Accounts Payable": "liability_payable",
    "Credit Card": "liability_current",
    "Other Current Liability": "liability_current",
    "Equity": "equity",
    "Income": "income",
    "Cost of Goods Sold": "expense_direct_cost",
    "Expense": "expense",
}
# the generated company's sales tax codes and their rates
TAX_CODES = {"2": 7.25, "3": 8.25, "4": 8.625}


def say(text):
    print(text, flush=True)


def install_database(conf, db):
    """A fresh database with connector_base and connector_quickbooks installed, no demo data."""
    subprocess.run(
        [
            "dropdb",
            "-h",
            os.environ["PGHOST"],
            "-p",
            os.environ["PGPORT"],
            "-U",
            os.environ["PGUSER_ODOO"],
            "--if-exists",
            "--force",
            db,
        ],
        check=True,
    )
    subprocess.run(
        [
            ODOO,
            "-c",
            conf,
            "-d",
            db,
            "-i",
            "connector_base,connector_quickbooks",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


def open_env(conf, db):
    """An Odoo environment (superuser) on ``db`` in this process, with its own cursor."""
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", conf, "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(db)
    cr = registry.cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})


def setup_company(env, sandbox, web_port, **backend_values):
    """A US company on the generic chart, three sales taxes, and a QuickBooks connection to the
    sandbox connected through its consent page, with the sandbox's accounts and tax codes mapped.
    Return (backend, {rate: tax})."""
    company = env.company
    company.write({"name": "Garden Supplies Inc.", "country_id": env.ref("base.us").id})
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    company.tax_calculation_rounding_method = "round_globally"
    env.ref("base.EUR").active = True
    taxes = {
        rate: env["account.tax"].create({"name": f"Sales tax {rate}%", "amount": rate, "type_tax_use": "sale"})
        for rate in TAX_CODES.values()
    }
    rounding = env["account.account"].create({"name": "Tax rounding", "code": "999100", "account_type": "expense"})
    backend = env["connector.backend"].create(
        {
            "name": "QuickBooks sandbox",
            "provider": "quickbooks",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "webhook_secret": "sandbox-verifier",
            "api_url": sandbox.url,
            "auth_url": f"{sandbox.url}/connect/oauth2",
            "token_url": f"{sandbox.url}/oauth2/v1/tokens/bearer",
            "revoke_url": f"{sandbox.url}/v2/oauth2/tokens/revoke",
            "rounding_account_id": rounding.id,
            "sync_start_date": "2020-01-01",
            "conflict_policy": "provider",
            **backend_values,
        }
    )
    env["ir.config_parameter"].set_param("web.base.url", f"http://127.0.0.1:{web_port}")
    connect(backend, sandbox)
    account = {
        kind: env["account.account"].search([("account_type", "=", kind)], limit=1) for kind in ACCOUNT_TYPES.values()
    }
    for doc in sandbox.company.snapshot("Account"):
        env["connector.account.mapping"].create(
            {
                "backend_id": backend.id,
                "external_id": doc["Id"],
                "external_name": doc["Name"],
                "account_id": account[ACCOUNT_TYPES[doc["AccountType"]]].id,
            }
        )
    for code_id, rate in TAX_CODES.items():
        env["connector.tax.mapping"].create(
            {"backend_id": backend.id, "external_id": code_id, "external_name": code_id, "tax_id": taxes[rate].id}
        )
    env.cr.commit()
    return backend, taxes


def connect(backend, sandbox):
    """Connect through the sandbox's consent page, as the accountant would; the work of the
    OAuth callback is done here directly (no Odoo server needs to run)."""
    url = backend.action_connect()["url"]
    session = requests.Session()
    page = session.get(url, timeout=10)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{sandbox.url}/connect/oauth2",
        allow_redirects=False,
        timeout=10,
        data={"ticket": ticket, "realmId": sandbox.company.realm_id, "decision": "connect"},
    )
    code = re.search(r"code=([^&]+)", answer.headers["Location"]).group(1)
    backend._qbo_finish_oauth(code, sandbox.company.realm_id)


class OdooServer:
    """``odoo`` serving ``db`` on ``port`` with queue_job's runner, its log in ``log_path``."""

    def __init__(self, conf, db, port, log_path=None, log_level="warn"):
        self.conf, self.db, self.port = conf, db, port
        self.log_path = log_path
        self.log_level = log_level
        self.process = None
        self.restarts = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait=120):
        command = [ODOO, "-c", self.conf, "-d", self.db, "--http-port", str(self.port), "--workers=0"]
        command.append(f"--log-level={self.log_level}")
        if self.log_path:
            command.append(f"--logfile={self.log_path}")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Odoo server stopped at start (exit {self.process.returncode})")
            try:
                requests.get(f"{self.url}/web/login", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError(f"the Odoo server did not answer on {self.url} within {wait} s")

    def kill(self):
        """SIGKILL: no shutdown, running jobs die mid-transaction."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def restart(self):
        self.kill()
        self.restarts += 1
        self.start()

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
