"""What `make bench` and `make chaos` share, whatever the provider: a database of their own, an
Odoo environment in this process, the provider's company with its sales taxes connected to the provider's
sandbox (through the provider plug-in, tools/providers) with accounts and taxes mapped, and an
Odoo server (with queue_job's runner) started and stopped.

The environment comes from tools/bench.sh or tools/chaos.sh: PGHOST, PGPORT, PGUSER_ODOO and
PGPASSWORD for PostgreSQL; the caller passes the config file and the database name."""

import os
import signal
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
ODOO = str(ROOT / ".venv" / "bin" / "odoo")


def say(text):
    print(text, flush=True)


def install_database(conf, db, addons):
    """A fresh database with connector_base and ``addons`` installed, no demo data."""
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
            ",".join(("connector_base", *addons)),
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


def setup_company(env, provider, web_port, **backend_values):
    """The provider's company (its country and currency on the generic chart, its sales taxes as
    Odoo taxes, rounded as it rounds them), and a connection to its sandbox connected as the
    plug-in does it, with the sandbox's accounts and tax codes mapped. Return (backend, {key: tax})."""
    from odoo.addons.connector_base.models.connector_account_mapping import ACCOUNT_TYPES

    company = env.company
    values = {"name": provider.company_name, "country_id": env.ref(f"base.{provider.country}").id}
    if provider.currency:
        currency = env.ref(f"base.{provider.currency}")
        currency.active = True
        values["currency_id"] = currency.id
    company.write(values)
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    company.tax_calculation_rounding_method = provider.tax_rounding
    for code in provider.other_currencies:
        env.ref(f"base.{code}").active = True
    taxes = {
        key: env["account.tax"].create({"type_tax_use": "sale", **values})
        for key, values in provider.odoo_taxes().items()
    }
    rounding = env["account.account"].create({"name": "Tax rounding", "code": "999100", "account_type": "expense"})
    backend = env["connector.backend"].create(
        {
            **provider.backend_values(),
            "rounding_account_id": rounding.id,
            "sync_start_date": "2020-01-01",
            "conflict_policy": "provider",
            **backend_values,
        }
    )
    env["ir.config_parameter"].set_param("web.base.url", f"http://127.0.0.1:{web_port}")
    provider.connect(backend)
    account = {}
    for external_id, name, kind in provider.account_rows():
        account_type = ACCOUNT_TYPES.get(kind, [kind])[0]  # a canonical type, or already Odoo's
        if account_type not in account:
            account[account_type] = env["account.account"].search(
                [("account_type", "=", account_type)], limit=1
            ) or env["account.account"].create(
                {"name": name, "code": f"99{len(account) + 2000}", "account_type": account_type}
            )
        env["connector.account.mapping"].create(
            {
                "backend_id": backend.id,
                "external_id": external_id,
                "external_name": name,
                "account_id": account[account_type].id,
            }
        )
    for code_id, keys in provider.tax_codes().items():
        keys = keys if isinstance(keys, dict) else {"tax_id": keys}
        env["connector.tax.mapping"].create(
            {
                "backend_id": backend.id,
                "external_id": code_id,
                "external_name": code_id,
                **{field: taxes[key].id for field, key in keys.items()},
            }
        )
    env.cr.commit()
    return backend, taxes


def wait_answering(process, url, wait, name):
    """Until the Odoo server ``process`` answers on ``url``; an error when it stops first or
    does not answer within ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped at start (exit {process.returncode})")
        try:
            requests.get(f"{url}/web/login", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer on {url} within {wait} s")


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
        # queue_job runs each job in a request thread: a page of an import on a loaded machine can
        # take longer than Odoo's default 120 s, after which the threaded server reloads (exits)
        command.append("--limit-time-real=900")
        command.append(f"--log-level={self.log_level}")
        if self.log_path:
            command.append(f"--logfile={self.log_path}")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_answering(self.process, self.url, wait, "the Odoo server")

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
