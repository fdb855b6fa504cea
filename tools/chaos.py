"""`make chaos`: sync under faults, kills and token expiry; then both sides are compared.

On the QuickBooks sandbox (its limits on) and a database of its own (CHAOS_DB, default
connectors_chaos), with an Odoo server running queue_job's runner:

1. the initial import, with faults injected throughout: 10% of API calls answered 429, 5%
   5xx, 3% no answer within the connection's timeout (the write still happens), 2% writes that
   commit but lose their answer; every webhook delivered one to three times, shuffled;
2. a stream of creates, updates, voids and deletes on both sides (QuickBooks: customers,
   invoices, payments; Odoo: customers, invoices, payments of its own and on imported invoices);
3. the Odoo server killed with SIGKILL twice (once during the import, once during the stream)
   and restarted; every access token expired once mid-run;
4. the faults stop, the queue drains, the daily reconciliation runs (as its cron would), the
   queue drains again; then both sides are compared.

Report (printed, and CHAOS_REPORT, default .chaos/report.json): per-entity counts on both
sides; lost (a record on one side with neither a counterpart nor an open quarantine row),
duplicated (two records on one side for one on the other), unbalanced moves, amount mismatches
(every invoice's total and balance, every payment's amount, to the cent), quarantined (open rows
by typed reason) and untyped failures (failed jobs, jobs stuck behind a failed one, tracebacks in
the server log). Exit status 1 on any loss, duplicate, unbalanced move, mismatch or untyped
failure. CHAOS_N sets the size (default 100 customers; QUICK=1: 20), CHAOS_OPS the stream
length (default 3 x N), CHAOS_SEED the random seed.
"""

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sandbox.quickbooks import Sandbox  # noqa: E402
from tools.harness import OdooServer, install_database, open_env, say, setup_company  # noqa: E402

QUICK = os.environ.get("QUICK") not in (None, "", "0")
N = int(os.environ.get("CHAOS_N") or (20 if QUICK else 100))
OPS = int(os.environ.get("CHAOS_OPS") or 3 * N)
SEED = int(os.environ.get("CHAOS_SEED") or 20261122)
DB = os.environ.get("CHAOS_DB", "connectors_chaos")
CONF = os.environ["CHAOS_CONF"]
PORT = int(os.environ.get("CHAOS_HTTP_PORT", "8469"))
REPORT = Path(os.environ.get("CHAOS_REPORT") or ROOT / ".chaos" / "report.json")
LOG = REPORT.parent / "odoo.log"
DRAIN_TIMEOUT = float(os.environ.get("CHAOS_DRAIN_TIMEOUT") or 900)

FAULTS = {
    "throttle_rate": 0.10,
    "server_error_rate": 0.05,
    "timeout_rate": 0.03,
    "lose_response_rate": 0.02,
    "timeout_seconds": 4.0,  # the connection waits 3 s (request_timeout below)
    "retry_after": 1,  # keeps the run short; without it the client waits Intuit's 60 s
    "webhook_copies": 3,
    "webhook_shuffle": True,
}
# a failed query that Odoo logs at ERROR although the job handles it: PostgreSQL refused a
# concurrent update (queue_job runs the job again), or another job linked the same record a
# moment before (the engine makes it a retry)
HANDLED_QUERY_ERRORS = (
    "could not serialize access due to concurrent update",
    'duplicate key value violates unique constraint "connector_binding_',
)
NO_FAULTS = {"throttle_rate": 0.0, "server_error_rate": 0.0, "timeout_rate": 0.0, "lose_response_rate": 0.0}
ENTITY_KIND = {"Customer": "party", "Item": "product", "Invoice": "invoice", "Payment": "payment"}
CENT = Decimal("0.01")


def money(value):
    return Decimal(str(value or 0)).quantize(CENT)


class Chaos:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.sandbox = Sandbox()
        self.server = OdooServer(CONF, DB, PORT, log_path=str(LOG), log_level="info")
        self.env = None
        self.backend = None
        self.taxes = None
        self.events = Counter()
        # what the stream made, so that the end can look for each of them
        self.odoo_partners = []  # ids of partners created in Odoo
        self.odoo_invoices = []  # ids of invoices posted in Odoo
        self.odoo_payments = []  # ids of payments posted in Odoo
        self.qbo_customers = []  # ids of customers created in QuickBooks during the stream
        self.qbo_invoices = []
        self.paid_in_odoo = set()  # QuickBooks invoice ids that Odoo pays (QuickBooks does not)
        self.expiries = 0

    # ------------------------------------------------------------------ set-up
    def setup(self):
        say(f"Chaos: N = {N}, {OPS} changes, seed {SEED}{' (QUICK)' if QUICK else ''}, database {DB}")
        install_database(CONF, DB)
        self.sandbox.generate(
            customers=N,
            items=max(10, N // 2),
            invoices=N * 3 // 2,
            payments=N // 2,
            bills=0,
            journal_entries=0,
            credit_memos=0,
            seed=SEED % 1000,
        )
        self.sandbox.start()
        LOG.parent.mkdir(parents=True, exist_ok=True)
        LOG.write_text("")
        self.env = open_env(CONF, DB)
        self.backend, self.taxes = setup_company(self.env, self.sandbox, PORT, request_timeout=3, poll_interval=1)
        self.server.start()
        webhook_url = f"{self.server.url}/connector_quickbooks/webhook"
        self.sandbox.webhook.update(url=webhook_url, interval=0.3, retry_scale=0.02)
        self.sandbox.faults.update(dict(FAULTS, seed=SEED))

    # ------------------------------------------------------------------ helpers
    def expire_tokens(self):
        """Every access token expires now: the next calls of every job get 401 at once."""
        self.sandbox.expire_access_tokens()
        self.expiries += 1

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

    def wait_drained(self, what, timeout=DRAIN_TIMEOUT):
        """Until no connector job waits or runs (and the sandbox has no webhook left to send)."""
        started = time.monotonic()
        last = None
        while time.monotonic() - started < timeout:
            states = self.jobs_by_state()
            busy = {s: c for s, c in states.items() if s in ("pending", "enqueued", "started", "wait_dependencies")}
            outbox = len(self.sandbox.webhook_outbox)
            if not busy and not outbox:
                say(f"   {what}: drained in {time.monotonic() - started:.0f} s ({states})")
                return True
            if self.server.process.poll() is not None:
                raise RuntimeError("the Odoo server died on its own")
            last = busy
            time.sleep(1.0)
        say(f"   {what}: NOT drained after {timeout:.0f} s: {last}")
        return False

    def odoo_op(self, name, function, *args):
        """Run one Odoo-side change in this process's own transaction; a conflict with the
        server's concurrent work is retried like a user would retry."""
        from psycopg2 import errors as pg_errors

        for _attempt in range(5):
            try:
                result = function(*args)
                self.env.cr.commit()
                self.events[name] += 1
                return result
            except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable, pg_errors.DeadlockDetected):
                self.env.cr.rollback()
                self.env.invalidate_all()
                time.sleep(0.5)
        self.events[f"{name} (gave up)"] += 1
        return None

    def qbo_op(self, name, function, *args):
        from tests.sandbox.quickbooks.store import Fault

        try:
            result = function(*args)
            self.events[name] += 1
            return result
        except Fault as fault:  # QuickBooks refused (a linked payment, say): a user sees it at once
            self.events[f"{name} (refused: {fault.code})"] += 1
            return None

    # ------------------------------------------------------------------ QuickBooks-side changes
    def qbo_docs(self, entity, predicate=lambda d: True):
        return [d for d in self.sandbox.company.snapshot(entity) if predicate(d)]

    def qbo_create_customer(self):
        n = len(self.qbo_customers)
        doc = self.sandbox.company.write(
            "Customer",
            {
                "DisplayName": f"Chaos Customer Q{n} {SEED}",
                "PrimaryEmailAddr": {"Address": f"q{n}@chaos.example"},
                "BillAddr": {"Line1": f"{n} Market St", "City": "Oakland", "Country": "USA"},
            },
        )
        self.qbo_customers.append(doc["Id"])

    def qbo_update_customer(self):
        choices = self.qbo_docs("Customer", lambda d: not str(d.get("DisplayName", "")).startswith("Chaos Odoo"))
        doc = self.rng.choice(choices)
        self.sandbox.company.write(
            "Customer",
            {"Id": doc["Id"], "SyncToken": doc["SyncToken"], "Notes": f"changed {self.rng.random():.6f}"},
            operation="update",
            sparse=True,
        )

    def _qbo_customer(self):
        choices = self.qbo_docs(
            "Customer",
            lambda d: d.get("Active", True)
            and d.get("CurrencyRef", {}).get("value", "USD") == "USD"
            and not str(d.get("DisplayName", "")).startswith("Chaos Odoo"),
        )
        return self.rng.choice(choices)

    def _qbo_lines(self):
        items = self.qbo_docs("Item", lambda d: d.get("Active", True))
        lines = []
        for _ in range(self.rng.randint(1, 3)):
            item = self.rng.choice(items)
            qty = Decimal(self.rng.randint(1, 9))
            price = Decimal(self.rng.randint(199, 19999)) / 100
            lines.append(
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": qty * price,
                    "Description": item["Name"],
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": item["Id"], "name": item["Name"]},
                        "Qty": qty,
                        "UnitPrice": price,
                        "TaxCodeRef": {"value": self.rng.choice(["TAX", "NON"])},
                    },
                }
            )
        return lines

    def qbo_create_invoice(self):
        customer = self._qbo_customer()
        day = date.today() - timedelta(days=self.rng.randint(0, 20))
        doc = self.sandbox.company.write(
            "Invoice",
            {
                "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
                "TxnDate": day.isoformat(),
                "DueDate": (day + timedelta(days=30)).isoformat(),
                "DocNumber": f"Q-{len(self.qbo_invoices) + 1}",
                "Line": self._qbo_lines(),
                "CurrencyRef": {"value": "USD"},
                "TxnTaxDetail": {"TxnTaxCodeRef": {"value": self.rng.choice(["2", "3", "4"])}},
            },
        )
        self.qbo_invoices.append(doc["Id"])

    def _qbo_open_invoice(self, unpaid=False):
        """A QuickBooks-made invoice that Odoo does not pay (each side pays its own)."""
        choices = self.qbo_docs(
            "Invoice",
            lambda d: not d.get("_voided")
            and not str(d.get("PrivateNote") or "").startswith("odoo:")
            and d["Id"] not in self.paid_in_odoo
            and money(d["Balance"]) > 0
            and (not unpaid or money(d["Balance"]) == money(d["TotalAmt"])),
        )
        return self.rng.choice(choices) if choices else None

    def qbo_update_invoice(self):
        doc = self._qbo_open_invoice()  # paid in part or not at all
        if doc:
            self.sandbox.company.write(
                "Invoice",
                {
                    "Id": doc["Id"],
                    "SyncToken": doc["SyncToken"],
                    "Line": self._qbo_lines(),
                    # new lines, new tax: QuickBooks computes it again (a TotalTax sent would be kept)
                    "TxnTaxDetail": {"TxnTaxCodeRef": {"value": self.rng.choice(["2", "3", "4"])}},
                },
                operation="update",
                sparse=True,
            )

    def qbo_void_invoice(self):
        doc = self._qbo_open_invoice(unpaid=True)
        if doc:
            self.sandbox.company.write("Invoice", {"Id": doc["Id"], "SyncToken": doc["SyncToken"]}, operation="void")

    def qbo_delete_invoice(self):
        doc = self._qbo_open_invoice(unpaid=True)
        if doc:
            self.sandbox.company.write("Invoice", {"Id": doc["Id"], "SyncToken": doc["SyncToken"]}, operation="delete")

    def qbo_create_payment(self):
        invoice = self._qbo_open_invoice()
        if not invoice:
            return
        balance = money(invoice["Balance"])
        amount = balance if self.rng.random() < 0.6 else (balance * Decimal("0.4")).quantize(CENT)
        if amount <= 0:
            return
        self.sandbox.company.write(
            "Payment",
            {
                "CustomerRef": invoice["CustomerRef"],
                "TotalAmt": amount,
                "TxnDate": date.today().isoformat(),
                "CurrencyRef": invoice["CurrencyRef"],
                "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
                **({"ExchangeRate": invoice["ExchangeRate"]} if invoice.get("ExchangeRate") else {}),
            },
        )

    # ------------------------------------------------------------------ Odoo-side changes
    def odoo_create_invoice(self):
        from odoo import Command

        env = self.env
        if not self.odoo_partners or self.rng.random() < 0.4:
            n = len(self.odoo_partners)
            partner = env["res.partner"].create(
                {
                    "name": f"Chaos Odoo Customer {n} {SEED}",
                    "email": f"o{n}@chaos.example",
                    "street": f"{n} Odoo Way",
                    "city": "San Jose",
                    "country_id": env.ref("base.us").id,
                    "customer_rank": 1,
                }
            )
            self.odoo_partners.append(partner.id)
        else:
            partner = env["res.partner"].browse(self.rng.choice(self.odoo_partners))
        products = env["product.product"].search([("sale_ok", "=", True)], limit=20)
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date.today().isoformat(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.rng.choice(products).id,
                            "quantity": self.rng.randint(1, 5),
                            "price_unit": self.rng.randint(1000, 50000) / 100,
                            "tax_ids": [Command.set(self.taxes[self.rng.choice(list(self.taxes))].ids)],
                        }
                    )
                    for _ in range(self.rng.randint(1, 3))
                ],
            }
        )
        move.action_post()
        self.odoo_invoices.append(move.id)

    def odoo_update_partner(self):
        if not self.odoo_partners:
            return
        partner = self.env["res.partner"].browse(self.rng.choice(self.odoo_partners))
        partner.phone = f"+1 408 555 {self.rng.randint(1000, 9999)}"

    def _pay(self, move, share):
        residual = Decimal(str(move.amount_residual))
        amount = residual if share >= 1 else (residual * Decimal(str(share))).quantize(CENT)
        if amount <= 0:
            return
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"amount": float(amount), "payment_date": date.today().isoformat()})
        )
        payments = wizard._create_payments()
        self.odoo_payments.extend(payments.ids)

    def odoo_pay_own_invoice(self):
        moves = (
            self.env["account.move"]
            .browse(self.odoo_invoices)
            .filtered(lambda m: m.state == "posted" and m.amount_residual > 0)
        )
        if moves:
            self._pay(self.rng.choice(moves), self.rng.choice([1, 0.5]))

    def odoo_pay_imported_invoice(self):
        """An accountant records in Odoo a payment of an invoice that came from QuickBooks."""
        bindings = list(
            self.env["connector.binding"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("external_type", "=", "invoice"),
                    ("last_direction", "=", "import"),
                ]
            )
        )
        self.rng.shuffle(bindings)
        paid_in_qbo = self.qbo_invoices_paid_in_qbo()
        for binding in bindings[:30]:
            qbo_id = binding.external_id.split("/")[-1]
            move = self.env["account.move"].browse(binding.res_id)
            if (
                qbo_id in paid_in_qbo
                or move.state != "posted"
                or move.amount_residual <= 0
                or move.currency_id != move.company_id.currency_id
            ):
                continue
            self.paid_in_odoo.add(qbo_id)
            self._pay(move, 1)
            return

    def qbo_invoices_paid_in_qbo(self):
        ids = set()
        for payment in self.sandbox.company.snapshot("Payment"):
            for line in payment.get("Line", []):
                for link in line.get("LinkedTxn", []):
                    ids.add(link["TxnId"])
        return ids

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
        self.expire_tokens()
        say("   server restarted; every access token expired")
        self.wait_drained("initial import")

    def run_stream(self):
        say(f"2. {OPS} changes on both sides, faults on; SIGKILL half-way")
        operations = [
            ("qbo: new customer", self.qbo_op, self.qbo_create_customer, 2),
            ("qbo: customer changed", self.qbo_op, self.qbo_update_customer, 2),
            ("qbo: new invoice", self.qbo_op, self.qbo_create_invoice, 4),
            ("qbo: invoice changed", self.qbo_op, self.qbo_update_invoice, 2),
            ("qbo: invoice voided", self.qbo_op, self.qbo_void_invoice, 1),
            ("qbo: invoice deleted", self.qbo_op, self.qbo_delete_invoice, 1),
            ("qbo: payment", self.qbo_op, self.qbo_create_payment, 3),
            ("odoo: new invoice", self.odoo_op, self.odoo_create_invoice, 4),
            ("odoo: customer changed", self.odoo_op, self.odoo_update_partner, 1),
            ("odoo: payment of its invoice", self.odoo_op, self.odoo_pay_own_invoice, 2),
            ("odoo: payment of an imported invoice", self.odoo_op, self.odoo_pay_imported_invoice, 2),
        ]
        weights = [w for *_rest, w in operations]
        for step in range(OPS):
            name, runner, function, _weight = self.rng.choices(operations, weights)[0]
            runner(name, function)
            if step == OPS // 2:
                say(f"   SIGKILL after {step} changes")
                self.server.restart()
            if step == OPS // 4:
                self.expire_tokens()
            time.sleep(self.rng.uniform(0.02, 0.2))
        for name, count in sorted(self.events.items()):
            say(f"   {count:>4} {name}")

    def settle(self):
        say("3. faults off; the queue drains; the daily reconciliation runs; the queue drains again")
        self.sandbox.faults.update(NO_FAULTS)
        drained = self.wait_drained("stream")
        self.env.invalidate_all()
        self.env["connector.backend"]._cron_sweep(hours=25)
        self.env.cr.commit()
        return self.wait_drained("reconciliation") and drained

    # ------------------------------------------------------------------ the comparison
    def compare(self, drained):
        from odoo.addons.connector_quickbooks.lib import mappers

        env = self.env
        env.invalidate_all()
        Binding = env["connector.binding"]
        Quarantine = env["connector.quarantine"]
        backend = self.backend
        bindings = Binding.search([("backend_id", "=", backend.id)])
        by_external = {(b.external_type, b.external_id): b for b in bindings}
        open_rows = Quarantine.search([("backend_id", "=", backend.id), ("state", "=", "open")])
        quarantined_import = {(q.kind, q.external_id) for q in open_rows if q.direction == "import"}
        quarantined_export = {(q.res_model, q.res_id) for q in open_rows if q.direction == "export"}
        lost, duplicated, mismatches = [], [], []
        counts = {}

        for entity, kind in ENTITY_KIND.items():
            docs = self.sandbox.company.snapshot(entity)
            bound = 0
            for doc in docs:
                external_id = mappers.ext_id(entity, doc["Id"]) if kind in mappers.PREFIXED_KINDS else doc["Id"]
                binding = by_external.get((kind, external_id))
                if binding:
                    bound += 1
                    self.compare_doc(entity, doc, binding, mismatches, quarantined_export)
                elif (kind, external_id) not in quarantined_import:
                    lost.append(f"QuickBooks {entity} {doc['Id']} has no Odoo record")
            # one document per Odoo record: an export repeated after a lost answer must not add one
            stamps = Counter(d.get("PrivateNote") for d in docs if str(d.get("PrivateNote") or "").startswith("odoo:"))
            duplicated += [f"QuickBooks has {n} {entity} documents for {s}" for s, n in stamps.items() if n > 1]
            counts[entity] = {"quickbooks": len(docs), "odoo_bound": bound}

        own = [
            ("res.partner", self.odoo_partners),
            ("account.move", self.odoo_invoices),
            ("account.payment", self.odoo_payments),
        ]
        for model, ids in own:
            for record in env[model].browse(ids).exists():
                found = Binding.search(
                    [("backend_id", "=", backend.id), ("res_model", "=", model), ("res_id", "=", record.id)]
                )
                if len(found) > 1:
                    duplicated.append(f"{model} {record.id} is linked to {len(found)} QuickBooks records")
                if not found and (model, record.id) not in quarantined_export:
                    lost.append(f"{model} {record.id} ({record.display_name}) never reached QuickBooks")

        # nothing left in the books that QuickBooks no longer has (a deleted invoice, say)
        bound_ids = {(b.res_model, b.res_id) for b in bindings}
        own_ids = {("account.move", i) for i in self.odoo_invoices} | {
            ("account.payment", i) for i in self.odoo_payments
        }
        for model, domain in (
            ("account.move", [("move_type", "=", "out_invoice"), ("state", "=", "posted")]),
            ("account.payment", [("state", "not in", ("draft", "canceled"))]),
        ):
            for record in env[model].search(domain):
                key = (model, record.id)
                if key not in bound_ids and key not in own_ids and key not in quarantined_export:
                    mismatches.append(f"{model} {record.id} ({record.display_name}) is in the books, not in QuickBooks")

        # one Odoo record per QuickBooks record
        env.cr.execute(
            """SELECT res_model, res_id, count(*) FROM connector_binding
               WHERE backend_id = %s GROUP BY res_model, res_id, external_type HAVING count(*) > 1""",
            [backend.id],
        )
        duplicated += [f"{m} {i} is bound {n} times" for m, i, n in env.cr.fetchall()]
        env.cr.execute(
            """SELECT partner_id, ref, count(*) FROM account_move
               WHERE move_type = 'out_invoice' AND state = 'posted' AND ref IS NOT NULL
               GROUP BY partner_id, ref, amount_total HAVING count(*) > 1"""
        )
        duplicated += [f"{n} posted invoices for partner {p} with reference {r}" for p, r, n in env.cr.fetchall()]
        env.cr.execute(
            """SELECT m.id, m.name FROM account_move m JOIN account_move_line l ON l.move_id = m.id
               WHERE m.state = 'posted' GROUP BY m.id HAVING round(sum(l.debit) - sum(l.credit), 2) != 0"""
        )
        unbalanced = [f"move {i} {n}" for i, n in env.cr.fetchall()]

        reasons = Counter(open_rows.mapped("reason"))
        failed_jobs = env["queue.job"].search(
            [("model_name", "=", "connector.backend"), ("state", "in", ("failed", "wait_dependencies"))]
        )
        untyped = [f"job {j.uuid} {j.state}: {j.exc_name or ''} {(j.exc_message or '')[:200]}" for j in failed_jobs]
        errors, serialization = self.log_errors()
        untyped += [f"server log: {line[:300]}" for line in errors]
        leaked, secrets_checked, dump_size = self.secrets_found()
        if not drained:
            untyped.append("the queue did not drain")
        if backend.state != "connected":
            untyped.append(f"the connection ended in state {backend.state}")
        # single-flight refresh across the server's job threads: one refresh per expiry
        refreshes = self.sandbox.stats.get("refresh_grants", 0)
        if refreshes > self.expiries:
            untyped.append(f"{refreshes} token refreshes for {self.expiries} expiries: concurrent jobs refreshed twice")
        report = {
            "n": N,
            "operations": OPS,
            "seed": SEED,
            "quick": QUICK,
            "lost": len(lost),
            "duplicated": len(duplicated),
            "unbalanced": len(unbalanced),
            "amount_mismatches": len(mismatches),
            "quarantined": len(open_rows),
            "quarantined_by_reason": dict(reasons),
            "untyped_failures": len(untyped),
            "secrets_in_plaintext": len(leaked),
            "secrets_checked": {"secrets": secrets_checked, "dump_bytes": dump_size, "log": str(LOG)},
            "counts": counts,
            "events": dict(self.events),
            "server_kills": self.server.restarts,
            "handled_query_errors": serialization,
            "sandbox": {
                "requests": self.sandbox.stats["requests"],
                "throttled": self.sandbox.stats["throttled"],
                "replayed": self.sandbox.stats["replayed"],
                "token_expiries": self.expiries,
                "token_refreshes": self.sandbox.stats.get("refresh_grants", 0),
                "webhook_deliveries": len(self.sandbox.webhook_log),
            },
            "jobs": self.jobs_by_state(),
            "details": {
                "lost": lost[:50],
                "duplicated": duplicated[:50],
                "unbalanced": unbalanced[:50],
                "amount_mismatches": mismatches[:50],
                "untyped_failures": untyped[:50],
                "secrets_in_plaintext": leaked,
                "quarantined": [f"{q.reason}: {q.display_label}: {(q.message or '')[:200]}" for q in open_rows[:50]],
            },
        }
        return report

    @staticmethod
    def log_errors():
        """ERROR lines of the server log, less the queries PostgreSQL refused for a concurrent
        update: Odoo logs those, and queue_job runs the job again in a new transaction."""
        lines = LOG.read_text(errors="replace").splitlines()
        errors, serialization = [], 0
        for n, line in enumerate(lines):
            if " ERROR " not in line:
                continue
            following = "\n".join(lines[n + 1 : n + 4])
            if "bad query" in line and any(handled in following for handled in HANDLED_QUERY_ERRORS):
                serialization += 1
            else:
                errors.append(line)
        return errors, serialization

    def secrets_found(self):
        """Plaintext secrets in a pg_dump of the database or in the server log: the client
        secret, the webhook verifier, and every access and refresh token the sandbox issued."""
        secrets = {"client secret": "sandbox-secret", "webhook verifier": "sandbox-verifier"}
        secrets.update({f"access token {t[:6]}…": t for t in self.sandbox.access_tokens})
        secrets.update({f"refresh token {t[:6]}…": t for t in self.sandbox.refresh_tokens})
        dump = subprocess.run(
            ["pg_dump", "-h", os.environ["PGHOST"], "-p", os.environ["PGPORT"], "-U", os.environ["PGUSER_ODOO"], DB],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8", "replace")
        log = LOG.read_text(errors="replace")
        found = [
            f"{name} in the {where}"
            for name, value in secrets.items()
            for where, text in (("database dump", dump), ("server log", log))
            if value in text
        ]
        return found, len(secrets), len(dump)

    def compare_doc(self, entity, doc, binding, mismatches, quarantined_export=()):
        record = self.env[binding.res_model].browse(binding.res_id).exists()
        label = f"QuickBooks {entity} {doc['Id']}"
        if not record:
            mismatches.append(f"{label}: its Odoo record {binding.res_model} {binding.res_id} is gone")
            return
        if entity == "Invoice":
            held = [p for p in record._get_reconciled_payments() if (p._name, p.id) in quarantined_export]
            if held:
                # a payment recorded in Odoo that QuickBooks refused (the invoice changed under it,
                # or was deleted): the balances differ by it, and it waits in quarantine, typed
                return
            if doc.get("_voided"):
                if record.state != "cancel":
                    mismatches.append(f"{label} is void, Odoo's {record.name} is {record.state}")
                return
            if record.state != "posted":
                mismatches.append(f"{label}: Odoo's {record.name} is {record.state}")
                return
            total, residual = money(record.amount_total), money(record.amount_residual)
            if total != money(doc["TotalAmt"]) or residual != money(doc["Balance"]):
                mismatches.append(
                    f"{label}: QuickBooks total {money(doc['TotalAmt'])} balance {money(doc['Balance'])}, "
                    f"Odoo {record.name} total {total} residual {residual}"
                )
        elif entity == "Payment":
            if record.state in ("draft", "canceled"):
                mismatches.append(f"{label}: Odoo's payment {record.id} is {record.state}")
            elif money(record.amount) != money(doc["TotalAmt"]):
                mismatches.append(f"{label}: QuickBooks {money(doc['TotalAmt'])}, Odoo {money(record.amount)}")


def main():
    chaos = Chaos()
    started = time.monotonic()
    try:
        chaos.setup()
        chaos.run_import()
        chaos.run_stream()
        drained = chaos.settle()
        report = chaos.compare(drained)
    finally:
        chaos.server.stop()
        chaos.sandbox.stop()
        if chaos.env is not None:
            chaos.env.cr.close()
    report["seconds"] = round(time.monotonic() - started, 1)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, default=str))
    say("\n4. both sides compared")
    for entity, count in report["counts"].items():
        say(f"   {entity:<9} QuickBooks {count['quickbooks']:>5}, bound in Odoo {count['odoo_bound']:>5}")
    keys = ("lost", "duplicated", "unbalanced", "amount_mismatches", "quarantined", "untyped_failures")
    for key in (*keys, "secrets_in_plaintext"):
        say(f"   {key:<18} {report[key]}")
        for line in report["details"].get(key, [])[:10]:
            say(f"      - {line}")
    say(
        f"   sandbox: {report['sandbox']['requests']} requests, {report['sandbox']['throttled']} answered 429, "
        f"{report['sandbox']['webhook_deliveries']} webhook deliveries, {report['sandbox']['token_refreshes']} "
        f"token refreshes for {report['sandbox']['token_expiries']} expiries; {report['server_kills']} SIGKILLs; "
        f"{report['seconds']} s. Report: {REPORT}"
    )
    failures = ("lost", "duplicated", "unbalanced", "amount_mismatches", "untyped_failures", "secrets_in_plaintext")
    bad = sum(report[k] for k in failures)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
