"""The chaos run, whatever the provider (tools/chaos.py starts it): the fault schedule, the
initial import and the stream of changes on both sides under faults, two SIGKILLs of the server
and a token expiry, the drain and the reconciliation, then the comparison (chaos_compare.py)
and the report. The provider's plug-in (tools/providers) makes the changes on its side and
reads its side back."""

import json
import random
import sys
import time
from collections import Counter

from tools import topology
from tools.chaos_compare import ChaosCompare
from tools.chaos_odoo import ChaosOdooSide
from tools.harness import install_database, open_env, say, setup_company

FAULTS = {
    "throttle_rate": 0.10,
    "server_error_rate": 0.05,
    "timeout_rate": 0.03,
    "lose_response_rate": 0.02,
    "timeout_seconds": 4.0,  # the connection waits 3 s (request_timeout below)
    "retry_after": 1,  # keeps the run short; without it the client waits the provider's (60 s for Intuit)
}
WEBHOOK_FAULTS = {"webhook_copies": 3, "webhook_shuffle": True}  # a provider with webhooks
NO_FAULTS = {"throttle_rate": 0.0, "server_error_rate": 0.0, "timeout_rate": 0.0, "lose_response_rate": 0.0}


class Chaos(ChaosOdooSide, ChaosCompare):
    def __init__(self, provider, n, ops, seed, quick, db, conf, port, report, drain_timeout):
        self.provider = provider
        self.n, self.ops, self.seed, self.quick = n, ops, seed, quick
        self.db, self.conf, self.report_path = db, conf, report
        self.log = report.parent / "odoo.log"
        self.drain_timeout = drain_timeout
        self.rng = random.Random(seed)
        self.server = topology.server(conf, db, port, log_path=str(self.log), log_level="info")
        self.env = None
        self.backend = None
        self.taxes = None
        self.events = Counter()
        # what the stream made in Odoo, so that the end can look for each of them
        self.odoo_partners = []  # ids of partners created in Odoo
        self.odoo_invoices = []  # ids of invoices posted in Odoo
        self.odoo_payments = []  # ids of payments posted in Odoo
        self.paid_in_odoo = set()  # provider ids of invoices that Odoo pays (the provider does not)
        self.expiries = 0

    # ------------------------------------------------------------------ set-up
    def setup(self):
        n, provider = self.n, self.provider
        quick = " (QUICK)" if self.quick else ""
        say(f"Chaos: N = {n}, {self.ops} changes, seed {self.seed}{quick}, database {self.db}")
        install_database(self.conf, self.db, provider.addons)
        provider.generate(
            customers=n, items=max(10, n // 2), invoices=n * 3 // 2, payments=n // 2, seed=self.seed % 1000
        )
        provider.start()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.write_text("")
        self.env = open_env(self.conf, self.db)
        self.backend, self.taxes = setup_company(
            self.env, provider, self.server.port, request_timeout=3, poll_interval=1
        )
        self.server.start()
        faults = dict(FAULTS, seed=self.seed)
        if provider.change_detection == "webhook":
            provider.send_notifications(f"{self.server.url}{provider.webhook_path}", interval=0.3, retry_scale=0.02)
            faults.update(WEBHOOK_FAULTS)
        provider.set_faults(faults)

    # ------------------------------------------------------------------ helpers
    def expire_tokens(self):
        """Every access token expires now: the next calls of every job get 401 at once. A provider
        whose tokens a person must renew (signing in again) is left alone: said once."""
        if not self.provider.renews_tokens:
            say(f"   ({self.provider.label}'s tokens are renewed only by signing in again: not expired)")
            return False
        self.provider.expire_tokens()
        self.expiries += 1
        return True

    def sql(self, query, args=None):
        cr = self.env.cr
        cr.execute(query, args or [])
        rows = cr.fetchall()
        cr.commit()
        return rows

    def jobs_by_state(self):
        return dict(
            self.sql("SELECT state, count(*) FROM queue_job WHERE model_name = 'connector.backend' GROUP BY state")
        )

    def wait_drained(self, what):
        """Until no connector job waits or runs (and the sandbox has no notification left to send)."""
        started = time.monotonic()
        last = None
        while time.monotonic() - started < self.drain_timeout:
            states = self.jobs_by_state()
            busy = {s: c for s, c in states.items() if s in ("pending", "enqueued", "started", "wait_dependencies")}
            if not busy and not self.provider.pending_notifications():
                say(f"   {what}: drained in {time.monotonic() - started:.0f} s ({states})")
                return True
            if self.server.process.poll() is not None:
                raise RuntimeError("the Odoo server died on its own")
            last = busy
            time.sleep(1.0)
        say(f"   {what}: NOT drained after {self.drain_timeout:.0f} s: {last}")
        return False

    def odoo_op(self, name, function):
        """Run one Odoo-side change in this process's own transaction; a conflict with the
        server's concurrent work is retried like a user would retry."""
        from psycopg2 import errors as pg_errors

        for _attempt in range(5):
            try:
                result = function()
                self.env.cr.commit()
                self.events[name] += 1
                return result
            except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable, pg_errors.DeadlockDetected):
                self.env.cr.rollback()
                self.env.invalidate_all()
                time.sleep(0.5)
        self.events[f"{name} (gave up)"] += 1
        return None

    def provider_op(self, name, function):
        try:
            result = function()
            self.events[name] += 1
            return result
        except self.provider.refusals as fault:  # the provider refused (a linked payment, say): a user sees it at once
            self.events[f"{name} (refused: {getattr(fault, 'code', type(fault).__name__)})"] += 1
            return None

    # ------------------------------------------------------------------ the run
    def run_import(self):
        say("1. initial import under faults; SIGKILL of the server part-way")
        self.backend.action_import_all()
        self.env.cr.commit()
        total = max(self.backend.import_total, 1)
        started = time.monotonic()
        while time.monotonic() - started < 600:
            self.env.invalidate_all()
            done = self.backend.import_done
            self.env.cr.commit()
            if done >= 0.4 * total:
                break
            time.sleep(0.5)
        say(f"   SIGKILL at {self.backend.import_done} of {total} records read")
        self.server.restart()
        say("   server restarted" + ("; every access token expired" if self.expire_tokens() else ""))
        self.wait_drained("initial import")

    def run_stream(self):
        say(f"2. {self.ops} changes on both sides, faults on; SIGKILL half-way")
        operations = [(name, self.provider_op, f, w) for name, f, w in self.provider.stream_operations(self)]
        operations += [(name, self.odoo_op, f, w) for name, f, w in self.odoo_operations()]
        weights = [w for *_rest, w in operations]
        for step in range(self.ops):
            name, runner, function, _weight = self.rng.choices(operations, weights)[0]
            runner(name, function)
            if step == self.ops // 2:
                say(f"   SIGKILL after {step} changes")
                self.server.restart()
            if step == self.ops // 4:
                self.expire_tokens()
            time.sleep(self.rng.uniform(0.02, 0.2))
        for name, count in sorted(self.events.items()):
            say(f"   {count:>4} {name}")

    def settle(self):
        say("3. faults off; the queue drains; the daily reconciliation runs; the queue drains again")
        self.provider.set_faults(NO_FAULTS)
        drained = self.wait_drained("stream")
        self.env.invalidate_all()
        self.env["connector.backend"]._cron_sweep(hours=25)
        self.env.cr.commit()
        return self.wait_drained("reconciliation") and drained

    def main(self):
        started = time.monotonic()
        try:
            self.setup()
            self.run_import()
            self.run_stream()
            drained = self.settle()
            report = self.compare(drained)
        finally:
            self.server.stop()
            self.provider.stop()
            if self.env is not None:
                self.env.cr.close()
        report["seconds"] = round(time.monotonic() - started, 1)
        report["topology"] = topology.describe(self.server)
        self.report_path.parent.mkdir(parents=True, exist_ok=True)
        self.report_path.write_text(json.dumps(report, indent=2, default=str))
        say("\n4. both sides compared")
        label, name = self.provider.label, self.provider.name
        if self.provider.limits_note:
            say(f"   {label}'s limits: {self.provider.limits_note}")
        for entity, count in report["counts"].items():
            say(f"   {entity:<9} {label} {count[name]:>5}, bound in Odoo {count['odoo_bound']:>5}")
        keys = ("lost", "duplicated", "unbalanced", "amount_mismatches", "quarantined", "untyped_failures")
        for key in (*keys, "secrets_in_plaintext"):
            say(f"   {key:<18} {report[key]}")
            for line in report["details"].get(key, [])[:10]:
                say(f"      - {line}")
        say(
            f"   sandbox: {report['sandbox']['requests']} requests, {report['sandbox']['throttled']} answered 429, "
            f"{report['sandbox']['webhook_deliveries']} webhook deliveries, {report['sandbox']['token_refreshes']} "
            f"token refreshes for {report['sandbox']['token_expiries']} expiries; {report['server_kills']} SIGKILLs; "
            f"{report['seconds']} s. Report: {self.report_path}"
        )
        failures = ("lost", "duplicated", "unbalanced", "amount_mismatches", "untyped_failures", "secrets_in_plaintext")
        sys.exit(1 if sum(report[k] for k in failures) else 0)
