"""What `make bench` and `make chaos` share, whatever the provider: a database of their own, an
Odoo environment in this process, the provider's company with its sales taxes connected to the provider's
sandbox (through the provider plug-in, tools/providers) with accounts and taxes mapped, and an
Odoo server (with queue_job's runner) started and stopped.

The environment comes from tools/bench.sh or tools/chaos.sh: PGHOST, PGPORT, PGUSER_ODOO and
PGPASSWORD for PostgreSQL; the caller passes the config file and the database name."""

import atexit
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
ODOO = str(ROOT / ".venv" / "bin" / "odoo")
#: the template databases that ``install_database`` copies
TEMPLATE_PREFIX = "connectors_tmpl_"


def say(text):
    print(text, flush=True)


def pg_command(*args, check=True, capture=False):
    """A PostgreSQL client command (dropdb, createdb, psql, pg_dump) as the Odoo role; its output
    as text when ``capture``."""
    command = [
        args[0],
        "-h",
        os.environ["PGHOST"],
        "-p",
        os.environ["PGPORT"],
        "-U",
        os.environ["PGUSER_ODOO"],
        *args[1:],
    ]
    env = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    done = subprocess.run(command, check=check, capture_output=capture, text=True, errors="replace", env=env)
    return done.stdout if capture else done


def _sql(statement, db="postgres"):
    return pg_command("psql", "-d", db, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", statement, capture=True).strip()


def _filestore(conf, db):
    data_dir = next(
        (line.split("=", 1)[1].strip() for line in Path(conf).read_text().splitlines() if line.startswith("data_dir")),
        str(Path.home() / ".local/share/Odoo"),
    )
    return Path(data_dir) / "filestore" / db


def template_name(modules):
    """The template database of ``modules`` as the code is now: its name carries a digest of the
    addons' files (every file under the repository's ``connector_*`` folders) and the Odoo
    source's path, so a change to any of them makes a new template, never a stale copy."""
    digest = hashlib.sha1()
    for path in sorted(ROOT.glob("connector_*/**/*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    source = ROOT / ".venv" / "odoo-src"
    digest.update(source.read_bytes() if source.exists() else b"")
    modules_key = hashlib.sha1(modules.encode()).hexdigest()[:6]
    return f"{TEMPLATE_PREFIX}{modules_key}_{digest.hexdigest()[:12]}", f"{TEMPLATE_PREFIX}{modules_key}_"


#: the servers this process started and has not stopped: (process, whether it leads a process group)
_children = {}


def _stop_children():
    for process, group in list(_children.values()):
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL) if group else process.kill()
            except ProcessLookupError:
                pass
    _children.clear()


def _exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def track(process, group=False):
    """Remember a server this process started, so that it never outlives the harness: the
    ``finally`` blocks stop it on a normal end or an exception, and a SIGTERM or SIGHUP to the
    harness (a CI timeout, a closed terminal) becomes an exit that runs them; whatever is still
    running at exit is SIGKILLed (a node's whole process group: master, workers, job runner)."""
    if not _children:
        atexit.register(_stop_children)
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, _exit_on_signal)
    _children[process.pid] = (process, group)


def untrack(process):
    _children.pop(process.pid, None)


def install_database(conf, db, addons):
    """A fresh database with connector_base and ``addons`` installed, no demo data.

    Installing takes most of a minute; the first run of a set of addons installs it into a
    template database (under a name of its own, renamed once complete, so that a killed install
    never leaves half a template), and every run copies the template (PostgreSQL's
    ``CREATE DATABASE ... TEMPLATE``, and the filestore), which takes seconds. A file lock per
    set of addons keeps runs started together from building one template twice. The copy's
    database uuid and secret are new."""
    modules = ",".join(("connector_base", *addons))
    template, family = template_name(modules)
    Path(conf).parent.mkdir(parents=True, exist_ok=True)
    # one lock per set of addons for the whole machine: checkouts of other code share the family
    with open(Path(tempfile.gettempdir()) / f"{family}lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _sql(f"SELECT 1 FROM pg_database WHERE datname = '{template}'"):
            building = f"{template}_new"
            pg_command("dropdb", "--if-exists", "--force", building)
            subprocess.run(
                [
                    ODOO,
                    "-c",
                    conf,
                    "-d",
                    building,
                    "-i",
                    modules,
                    "--without-demo=all",
                    "--stop-after-init",
                    "--log-level=warn",
                ],
                check=True,
            )
            stale = _sql(
                f"SELECT datname FROM pg_database WHERE datname LIKE '{family}%' AND datname NOT LIKE '%\\_new'"
            )
            for name in stale.split():
                pg_command("dropdb", "--if-exists", "--force", name)
                shutil.rmtree(_filestore(conf, name), ignore_errors=True)
            _sql(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
            if _filestore(conf, building).exists():
                _filestore(conf, building).rename(_filestore(conf, template))
        pg_command("dropdb", "--if-exists", "--force", db)
        shutil.rmtree(_filestore(conf, db), ignore_errors=True)
        pg_command("createdb", "-T", template, db)
        if _filestore(conf, template).exists():
            shutil.copytree(_filestore(conf, template), _filestore(conf, db))
    _sql(
        "UPDATE ir_config_parameter SET value = gen_random_uuid()::text"
        " WHERE key IN ('database.uuid', 'database.secret')",
        db,
    )


def open_env(conf, db):
    """An Odoo environment (superuser) on ``db`` in this process, with its own cursor.

    The thread is marked as working on ``db``, as Odoo marks its request, job and cron threads:
    a provider client made here then takes its requests from the budget that every process of
    the database shares (``connector_base/lib/ratelimit.shared_limiter``), not from a budget of
    its own that knows nothing of what the server's workers just sent."""
    import threading

    import odoo
    from odoo.tools import config

    config.parse_config(["-c", conf, "--log-level=warn"])
    threading.current_thread().dbname = db
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(db)
    cr = registry.cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})


def setup_company(env, provider, web_port, company_name=None, **backend_values):
    """The provider's company (``env.company``, named ``company_name`` or as the plug-in says; its
    country and currency on the generic chart, its sales taxes as Odoo taxes, rounded as it rounds
    them), and a connection to its sandbox connected as the plug-in does it, with the sandbox's
    accounts (of that company) and tax codes mapped. Return (backend, {key: tax})."""
    from odoo.addons.connector_base.models.connector_account_mapping import ACCOUNT_TYPES

    company = env.company
    values = {"name": company_name or provider.company_name, "country_id": env.ref(f"base.{provider.country}").id}
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
                [("account_type", "=", account_type), ("company_ids", "in", company.ids)], limit=1
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
    does not answer within ``wait`` seconds. Asked on /web/health, which answers once the
    registry of the server's one database is loaded and renders no page: /web/login, asked
    before, renders the frontend asset bundle, and a restarted server's first render of it
    under load once failed with an ERROR in the chaos run's log that was the probe's own."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped at start (exit {process.returncode})")
        try:
            requests.get(f"{url}/web/health", timeout=2)
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
        track(self.process)
        wait_answering(self.process, self.url, wait, "the Odoo server")

    def kill(self):
        """SIGKILL: no shutdown, running jobs die mid-transaction."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        untrack(self.process)

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
        untrack(self.process)
