"""`make bench`: throughput, latency and memory of the QuickBooks connector against Odoo's own ceiling.

Runs on the QuickBooks sandbox with its published limits enforced, on a database of its own
(BENCH_DB, default connectors_bench). Prints a table and writes BENCH_REPORT (default
.bench/report.json). BENCH_N sets the size (default 10,000; QUICK=1 means 100).

Phases: 1. initial import (customers, items, invoices with 3 lines and taxes, payments),
then a re-read of the invoices unchanged (the nightly sweep); 2. the ORM ceiling: the
same records created straight through the ORM in batches; 3. export of N/5 invoices posted
in Odoo, by the job runner of an Odoo server; 4. webhooks: acknowledgement latency under 50
concurrent deliveries and webhook-to-record latency, on the same server; 5. memory: peak
RSS growth from importing M to 5M customers.
"""

import concurrent.futures
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sandbox.quickbooks import Sandbox  # noqa: E402
from tools.harness import OdooServer, install_database, open_env, say, setup_company  # noqa: E402

QUICK = os.environ.get("QUICK") not in (None, "", "0")
N = int(os.environ.get("BENCH_N") or (100 if QUICK else 10000))
DB = os.environ.get("BENCH_DB", "connectors_bench")
CONF = os.environ["BENCH_CONF"]
REPORT = Path(os.environ.get("BENCH_REPORT") or ROOT / ".bench" / "report.json")
WEB_PORT = int(os.environ.get("BENCH_HTTP_PORT", "8269"))
PROVIDER_WRITE_CEILING = 40 * 30  # batch requests a minute x items a batch


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def per_min(count, seconds):
    return round(count * 60.0 / seconds, 1) if seconds else None


def percentile(values, pct):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(pct / 100.0 * len(values)) - 1))]


def watch(query, args, enough, timeout, every):
    """Run ``query`` (one value) in a fresh snapshot of the bench database every ``every`` s
    until ``enough(value)`` or ``timeout`` s; return (the last value, the seconds waited)."""
    from odoo.sql_db import db_connect

    started = time.monotonic()
    cr = db_connect(DB).cursor()
    try:
        while True:
            cr.execute(query, args)
            value = cr.fetchone()[0]
            cr.rollback()  # the next look sees what committed since
            if enough(value) or time.monotonic() - started >= timeout:
                return value, time.monotonic() - started
            time.sleep(every)
    finally:
        cr.close()


def phase_import(env, backend, sandbox):
    say(f"1. initial import of {N} customers, {N // 2} items, {N} invoices (3 lines), {N // 2} payments")
    results = {}
    backend = backend.with_company(backend.company_id)
    for kind in ("account", "tax", "party", "product", "invoice", "payment"):
        started = time.monotonic()
        if os.environ.get("BENCH_PROFILE") == kind:  # where the time goes, for this kind
            import cProfile
            import pstats

            profile = cProfile.Profile()
            counts = profile.runcall(backend._import_kind, kind, commit_every=1000)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        else:
            counts = backend._import_kind(kind, commit_every=1000)
        env.cr.commit()
        seconds = time.monotonic() - started
        results[kind] = {
            "records": counts["read"],
            "seconds": round(seconds, 2),
            "per_min": per_min(counts["read"], seconds),
            "quarantined": counts["quarantined"],
        }
        say(
            f"   {kind:<9} {counts['read']:>7} in {seconds:7.1f} s = {results[kind]['per_min']:>9}/min "
            f"({counts['quarantined']} quarantined)"
        )
    return results


def phase_sweep(env, backend):
    """The nightly sweep over what phase 1 imported, all of it unchanged: what a re-read costs."""
    say("1b. re-read of the invoices, unchanged (the nightly sweep)")
    backend = backend.with_company(backend.company_id)
    env.invalidate_all()
    started = time.monotonic()
    read, quarantined = backend._reread("invoice", hours=24 * 365 * 10)  # every document the sandbox made
    env.cr.commit()
    seconds = time.monotonic() - started
    result = {"records": read, "seconds": round(seconds, 2), "invoices_per_min": per_min(read, seconds)}
    say(f"   {read} re-read, {quarantined} quarantined, in {seconds:.1f} s = {result['invoices_per_min']}/min")
    return result


def phase_ceiling(env, taxes):
    """The same records straight through the ORM, in batches: no connector, no HTTP."""
    say("2. ORM ceiling: the same records created through the ORM in batches")
    from odoo import Command

    results = {}
    batch = 500
    engine = env["connector.engine"]

    def refresh(kind, done):  # the statistics refresh the import gets, so that neither is judged on stale plans
        if done % engine.ANALYZE_EVERY < batch:
            engine._refresh_statistics(kind)
            env.cr.commit()

    started = time.monotonic()
    partners = env["res.partner"]
    for start in range(0, N, batch):
        partners |= env["res.partner"].create(
            [
                {
                    "name": f"Ceiling Customer {n}",
                    "email": f"c{n}@ceiling.example",
                    "street": f"{n} Main St",
                    "city": "Palo Alto",
                    "customer_rank": 1,
                }
                for n in range(start, min(N, start + batch))
            ]
        )
        refresh("party", start + batch)
    env.cr.commit()
    results["party"] = time.monotonic() - started
    started = time.monotonic()
    products = env["product.product"].create(
        [{"name": f"Ceiling Item {n}", "type": "service", "list_price": 10.0 + n % 90} for n in range(N // 2)]
    )
    env.cr.commit()
    results["product"] = time.monotonic() - started
    journal = env["account.journal"].search([("type", "=", "sale")], limit=1)
    tax = taxes[8.25]
    started = time.monotonic()
    moves = env["account.move"]
    for start in range(0, N, batch):
        chunk = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partners[n].id,
                    "invoice_date": "2026-10-01",
                    "journal_id": journal.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": products[(n + k) % len(products)].id,
                                "quantity": 2,
                                "price_unit": 25.0 + k,
                                "tax_ids": [Command.set(tax.ids)],
                            }
                        )
                        for k in range(3)
                    ],
                }
                for n in range(start, min(N, start + batch))
            ]
        )
        chunk.action_post()
        moves |= chunk
        env.cr.commit()
        refresh("invoice", start + batch)
    results["invoice"] = time.monotonic() - started
    started = time.monotonic()
    for start in range(0, N // 2, batch):
        chunk = moves[start : min(N // 2, start + batch)]
        env["account.payment.register"].with_context(active_model="account.move", active_ids=chunk.ids).create(
            {"group_payment": False}
        )._create_payments()
        env.cr.commit()
        refresh("payment", start + batch)
    results["payment"] = time.monotonic() - started
    counts = {"party": N, "product": N // 2, "invoice": N, "payment": N // 2}
    out = {}
    for kind, seconds in results.items():
        out[kind] = {"records": counts[kind], "seconds": round(seconds, 2), "per_min": per_min(counts[kind], seconds)}
        say(f"   {kind:<9} {counts[kind]:>7} in {seconds:7.1f} s = {out[kind]['per_min']:>9}/min")
    return out


def phase_export(env, backend, sandbox, taxes):
    """N/5 invoices posted in Odoo at once; the server's job runner exports them (batches of
    30 where several wait). Timed from the commit that posts them to the last binding."""
    count = max(10, N // 5)
    say(f"3. export of {count} invoices posted in Odoo, by the job runner")
    from odoo import Command

    throttled_before = sandbox.stats["throttled"]
    batches_before = len([key for key in sandbox.stats["by_requestid"] if key.startswith("b")])
    partner = env["res.partner"].create({"name": "Export Customer", "email": "export@bench.example"})
    product = env["product.product"].search([("name", "like", "Ceiling Item")], limit=1)
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": "2026-10-02",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": 100.0 + n,
                            "tax_ids": [Command.set(taxes[8.25].ids)],
                        }
                    )
                ],
            }
            for n in range(count)
        ]
    )
    moves.action_post()  # one export job per invoice
    env.cr.commit()
    exported, seconds = watch(
        """SELECT count(*) FROM connector_binding WHERE backend_id = %s AND external_type = 'invoice'
           AND res_model = 'account.move' AND res_id = ANY(%s)""",
        [backend.id, moves.ids],
        lambda bound: bound >= count,
        timeout=max(600, count / 5),
        every=0.2,
    )
    rate = per_min(exported, seconds)
    batches = len([key for key in sandbox.stats["by_requestid"] if key.startswith("b")]) - batches_before
    result = {
        "records": exported,
        "seconds": round(seconds, 2),
        "invoices_per_min": rate,
        "ratio_to_provider_ceiling": round(rate / PROVIDER_WRITE_CEILING, 3) if rate else None,
        "throttled_429": sandbox.stats["throttled"] - throttled_before,
        "batch_requests": batches,
    }
    say(
        f"   {exported} in {seconds:.1f} s = {rate}/min, {result['ratio_to_provider_ceiling']} of "
        f"{PROVIDER_WRITE_CEILING}/min, {batches} batch requests, {result['throttled_429']} answers 429"
    )
    return result


def phase_webhooks(env, backend, sandbox, server):
    say("4. webhooks: acknowledgement under 50 concurrent deliveries, webhook to record with the runner running")
    url = f"{server.url}/connector_quickbooks/webhook"
    try:
        customers = sandbox.company.snapshot("Customer")[:50]

        def deliver(doc):
            body = json.dumps(
                {
                    "eventNotifications": [
                        {
                            "realmId": sandbox.company.realm_id,
                            "dataChangeEvent": {
                                "entities": [
                                    {
                                        "name": "Customer",
                                        "id": doc["Id"],
                                        "operation": "Update",
                                        "lastUpdated": f"2026-11-22T10:00:{int(doc['Id']) % 60:02d}Z-{doc['Id']}",
                                    }
                                ]
                            },
                        }
                    ]
                }
            ).encode()
            signature = sandbox.sign(body)
            started = time.monotonic()
            answer = requests.post(url, data=body, headers={"intuit-signature": signature}, timeout=30)
            return (time.monotonic() - started) * 1000.0, answer.status_code

        def health(_n):  # the floor: Odoo's lightest route (no database), under the same load
            started = time.monotonic()
            answer = requests.get(f"{server.url}/web/health", timeout=30)
            return (time.monotonic() - started) * 1000.0, answer.status_code

        deliver(customers[0])  # warm the routes
        health(0)
        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            acks = list(pool.map(deliver, customers))
            floor = [ms for ms, status in pool.map(health, range(50)) if status == 200]
        ack_ms = [ms for ms, status in acks if status == 200]
        sandbox.webhook.update(url=url, interval=0.0)
        latencies = []
        for n, doc in enumerate(sandbox.company.snapshot("Customer")[60:80]):
            name = f"{doc['DisplayName']} renamed {n}"
            started = time.monotonic()
            sandbox.company.write(
                "Customer",
                {"Id": doc["Id"], "SyncToken": doc["SyncToken"], "sparse": True, "DisplayName": name},
                operation="update",
                sparse=True,
            )
            found, _waited = watch("SELECT count(*) FROM res_partner WHERE name = %s", [name], bool, 30, 0.05)
            if found:
                latencies.append(time.monotonic() - started)
    finally:
        sandbox.webhook.update(url=None)
    result = {
        "deliveries": len(acks),
        "acknowledged": len(ack_ms),
        "ack_p50_ms": round(percentile(ack_ms, 50), 1) if ack_ms else None,
        "ack_p99_ms": round(percentile(ack_ms, 99), 1) if ack_ms else None,
        "floor_p50_ms": round(percentile(floor, 50), 1) if floor else None,
        "floor_p99_ms": round(percentile(floor, 99), 1) if floor else None,
        "e2e_samples": len(latencies),
        "e2e_p50_s": round(statistics.median(latencies), 2) if latencies else None,
        "e2e_p95_s": round(percentile(latencies, 95), 2) if latencies else None,
    }
    say(
        f"   ack p50 {result['ack_p50_ms']} ms, p99 {result['ack_p99_ms']} ms "
        f"({len(ack_ms)}/{len(acks)} acknowledged; Odoo's /web/health under the same load: p50 "
        f"{result['floor_p50_ms']} ms, p99 {result['floor_p99_ms']} ms); "
        f"webhook to record p50 {result['e2e_p50_s']} s, p95 {result['e2e_p95_s']} s ({len(latencies)}/20)"
    )
    return result


def phase_memory(backend, sandbox):
    """Peak RSS of an Odoo process of its own (this one's peak is set by the phases before)
    after importing M customers, then after 5M more."""
    small = min(N, 1000)
    say(f"5. memory: peak RSS of a fresh Odoo process importing {small} and then {5 * small} more customers")
    company = sandbox.company

    def add_customers(count, tag):
        for n in range(count):
            company.write(
                "Customer",
                {"DisplayName": f"Memory {tag} {n}", "PrimaryEmailAddr": {"Address": f"m{tag}{n}@memory.example"}},
            )

    add_customers(small, "a")
    child = subprocess.Popen(
        [sys.executable, __file__, "memory", str(backend.id)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    at_n = float(child.stdout.readline())
    add_customers(5 * small, "b")
    child.stdin.write("more\n")
    child.stdin.flush()
    at_5n = float(child.stdout.readline())
    child.wait(timeout=60)
    result = {
        "customers_at_n": small,
        "rss_at_n_mb": round(at_n, 1),
        "rss_at_5n_mb": round(at_5n, 1),
        "rss_growth_mb": round(at_5n - at_n, 1),
    }
    say(
        f"   peak RSS {result['rss_at_n_mb']} MB after {small}, {result['rss_at_5n_mb']} MB after {6 * small}: "
        f"growth {result['rss_growth_mb']} MB"
    )
    return result


def memory_child(backend_id):
    """The process phase_memory measures: import, tell the peak RSS, wait, import again."""
    env = open_env(CONF, DB)
    backend = env["connector.backend"].browse(backend_id)
    backend = backend.with_company(backend.company_id)
    for _round in range(2):
        backend._import_kind("party", commit_every=1000)
        env.cr.commit()
        print(rss_mb(), flush=True)
        if not _round:
            sys.stdin.readline()
    env.cr.close()


def main():
    say(f"Benchmark: N = {N}{' (QUICK)' if QUICK else ''}, database {DB}")
    started_all = time.monotonic()
    install_database(CONF, DB)
    sandbox = Sandbox()
    sandbox.generate(
        customers=N,
        items=N // 2,
        invoices=N,
        payments=N // 2,
        bills=0,
        journal_entries=0,
        credit_memos=0,
        lines_per_invoice=3,
    )
    sandbox.start()
    env = open_env(CONF, DB)
    try:
        backend, taxes = setup_company(env, sandbox, WEB_PORT)
        imported = phase_import(env, backend, sandbox)
        swept = phase_sweep(env, backend)
        # the ceiling is the ORM alone: no export job queued for what it creates
        ceiling = phase_ceiling(env(context=dict(env.context, connector_no_export=True)), taxes)
        # The server's poll cron is held off: the sandbox generated every document within a few
        # seconds, so a first poll would re-read the whole load (its overlap window covers it)
        # and compete with the export and webhook phases, which is not what they measure.
        backend.poll_interval = 24 * 60
        env.cr.commit()  # the server started next works on the same rows
        server = OdooServer(CONF, DB, WEB_PORT)
        server.start()
        try:
            exported = phase_export(env, backend, sandbox, taxes)
            webhooks = phase_webhooks(env, backend, sandbox, server)
        finally:
            server.stop()
        env.cr.rollback()
        env.invalidate_all()
        memory = phase_memory(backend, sandbox)
        invoices = sandbox.company.snapshot("Invoice")
        bound = env["connector.binding"].search_count(
            [("backend_id", "=", backend.id), ("external_type", "=", "invoice")]
        )
    finally:
        env.cr.close()
        sandbox.stop()
    connector_seconds = sum(imported[k]["seconds"] for k in ("party", "product", "invoice", "payment"))
    ceiling_seconds = sum(ceiling[k]["seconds"] for k in ("party", "product", "invoice", "payment"))
    report = {
        "n": N,
        "quick": QUICK,
        "import": {
            "customers_per_min": imported["party"]["per_min"],
            "items_per_min": imported["product"]["per_min"],
            "invoices_per_min": imported["invoice"]["per_min"],
            "payments_per_min": imported["payment"]["per_min"],
            "ratio_to_orm_ceiling": round(ceiling_seconds / connector_seconds, 3) if connector_seconds else None,
            "by_kind": imported,
            "quarantined": sum(v["quarantined"] for v in imported.values()),
        },
        "sweep": swept,
        "ceiling": ceiling,
        "export": exported,
        "webhook": webhooks,
        "memory": memory,
        "counts_match": bound == len(invoices),
        "counts": {"sandbox_invoices": len(invoices), "odoo_bound_invoices": bound},
        "total_seconds": round(time.monotonic() - started_all, 1),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2))
    say(
        f"\nImport {report['import']['ratio_to_orm_ceiling']} of the ORM ceiling; counts match: "
        f"{report['counts_match']} ({bound} bound, {len(invoices)} in the sandbox); "
        f"{report['total_seconds']} s in all. Report: {REPORT}"
    )
    if not report["counts_match"] or report["import"]["quarantined"]:
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["memory"]:
        memory_child(int(sys.argv[2]))
    else:
        main()
