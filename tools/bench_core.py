"""The bench run, whatever the provider (tools/bench.py starts it): the phases in order, the
change-detection phase the provider's plug-in calls for (webhooks, or polling), the memory
phase, and the report."""

import concurrent.futures
import json
import statistics
import subprocess
import sys
import time

import requests

from tools import topology
from tools.bench_jobs import BenchJobImport
from tools.bench_phases import BenchPhases, percentile, rss_mb, watch
from tools.harness import install_database, open_env, say, setup_company


class Bench(BenchJobImport, BenchPhases):
    def __init__(self, provider, n, quick, db, conf, report, web_port):
        self.provider = provider
        self.n, self.quick, self.db, self.conf = n, quick, db, conf
        self.report_path, self.web_port = report, web_port
        self.env = self.backend = self.taxes = self.server = None
        self.jobs_backend = self.profile = None

    # ------------------------------------------------------------------ change detection
    def phase_webhooks(self):
        say("4. webhooks: acknowledgement under 50 concurrent deliveries, webhook to record with the runner running")
        provider, server = self.provider, self.server
        url = f"{server.url}{provider.webhook_path}"
        try:
            customers = provider.customers()[:50]

            def deliver(doc):
                body, headers = provider.webhook_request(doc)
                started = time.monotonic()
                answer = requests.post(url, data=body, headers=headers, timeout=30)
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
            provider.send_notifications(url, interval=0.0)
            latencies = self.change_latencies(provider.customers()[60:80], timeout=30, every=0.05)
        finally:
            provider.send_notifications(None)
        result = {
            "deliveries": len(acks),
            "acknowledged": len(ack_ms),
            "ack_p50_ms": round(percentile(ack_ms, 50), 1) if ack_ms else None,
            "ack_p99_ms": round(percentile(ack_ms, 99), 1) if ack_ms else None,
            "floor_p50_ms": round(percentile(floor, 50), 1) if floor else None,
            "floor_p99_ms": round(percentile(floor, 99), 1) if floor else None,
            **self.latency_figures(latencies),
        }
        say(
            f"   ack p50 {result['ack_p50_ms']} ms, p99 {result['ack_p99_ms']} ms "
            f"({len(ack_ms)}/{len(acks)} acknowledged; Odoo's /web/health under the same load: p50 "
            f"{result['floor_p50_ms']} ms, p99 {result['floor_p99_ms']} ms); "
            f"webhook to record p50 {result['e2e_p50_s']} s, p95 {result['e2e_p95_s']} s ({len(latencies)}/20)"
        )
        return result

    def phase_poll(self):
        """For a provider without webhooks: a change made on its side, until Odoo shows it, with
        the connection polling every ``poll_minutes`` (the server's poll cron does the work)."""
        provider = self.provider
        samples = 1 if self.quick else 5  # QUICK (make test): one change, polled in
        say(f"4. polling: change to record with the connection polling every {provider.poll_minutes} min")
        self.backend.poll_interval = provider.poll_minutes
        self.env.cr.commit()
        latencies = self.change_latencies(
            provider.customers()[-samples:], timeout=provider.poll_minutes * 60 * 3, every=0.5
        )
        bound_s = provider.poll_minutes * 60 + 30
        result = {"poll_minutes": provider.poll_minutes, "changes": samples, **self.latency_figures(latencies)}
        result["p95_within_poll_plus_30s"] = (
            bool(latencies) and len(latencies) == samples and (result["e2e_p95_s"] <= bound_s)
        )
        say(
            f"   change to record p50 {result['e2e_p50_s']} s, p95 {result['e2e_p95_s']} s "
            f"({len(latencies)}/{samples}; one poll interval + 30 s = {bound_s} s)"
        )
        return result

    def change_latencies(self, customers, timeout, every):
        """Rename each customer on the provider's side; the seconds until Odoo has the name."""
        latencies = []
        for n, doc in enumerate(customers):
            started = time.monotonic()
            name = self.provider.rename_customer(doc, n)
            found, _waited = watch(
                self.db, "SELECT count(*) FROM res_partner WHERE name = %s", [name], bool, timeout, every
            )
            if found:
                latencies.append(time.monotonic() - started)
        return latencies

    @staticmethod
    def latency_figures(latencies):
        return {
            "e2e_samples": len(latencies),
            "e2e_p50_s": round(statistics.median(latencies), 2) if latencies else None,
            "e2e_p95_s": round(percentile(latencies, 95), 2) if latencies else None,
        }

    # ------------------------------------------------------------------ memory
    def phase_memory(self):
        """Peak RSS of an Odoo process of its own (this one's peak is set by the phases before)
        after importing M customers, then after 5M more."""
        small = min(self.n, 1000)
        say(f"5. memory: peak RSS of a fresh Odoo process importing {small} and then {5 * small} more customers")
        self.provider.add_customers(small, "a")
        child = subprocess.Popen(
            [sys.executable, sys.argv[0], "memory", str(self.backend.id)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        at_n = float(child.stdout.readline())
        self.provider.add_customers(5 * small, "b")
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

    def memory_child(self, backend_id):
        """The process phase_memory measures: import, tell the peak RSS, wait, import again."""
        env = open_env(self.conf, self.db)
        backend = env["connector.backend"].browse(backend_id)
        backend = backend.with_company(backend.company_id)
        for _round in range(2):
            backend._import_kind("party", commit_every=1000)
            env.cr.commit()
            print(rss_mb(), flush=True)
            if not _round:
                sys.stdin.readline()
        env.cr.close()

    # ------------------------------------------------------------------ the run
    def run(self):
        provider, n = self.provider, self.n
        say(f"Benchmark: N = {n}{' (QUICK)' if self.quick else ''}, database {self.db}")
        started_all = time.monotonic()
        install_database(self.conf, self.db, provider.addons)
        provider.generate(customers=n, items=n // 2, invoices=n, payments=n // 2, lines_per_invoice=3)
        provider.start()
        env = self.env = open_env(self.conf, self.db)
        try:
            self.backend, self.taxes = setup_company(env, provider, self.web_port)
            imported = self.phase_import()
            swept = self.phase_sweep()
            ceiling = self.phase_ceiling()
            # The server's poll cron is held off: the sandbox generated every document within a few
            # seconds, so a first poll would re-read the whole load (its overlap window covers it)
            # and compete with the export and webhook phases, which is not what they measure.
            self.backend.poll_interval = 24 * 60
            env.cr.commit()  # the server started next works on the same rows
            self.prepare_import_via_jobs()  # multi-process topologies: a second company to import into
            self.server = topology.server(self.conf, self.db, self.web_port)
            self.server.start()
            try:
                via_jobs = self.phase_import_via_jobs(imported, ceiling)  # done (and archived) before the export
                exported = self.phase_export()
                if provider.change_detection == "webhook":
                    changes = ("webhook", self.phase_webhooks())
                else:
                    changes = ("poll", self.phase_poll())
            finally:
                self.server.stop()
            env.cr.rollback()
            env.invalidate_all()
            memory = self.phase_memory()
            on_provider = provider.count("invoice")
            bound = env["connector.binding"].search_count(
                [("backend_id", "=", self.backend.id), ("external_type", "=", "invoice")]
            )
        finally:
            env.cr.close()
            provider.stop()
        kinds = [k for k in ("party", "product", "invoice", "payment") if k in imported]
        connector_seconds = sum(imported[k]["seconds"] for k in kinds)
        ceiling_seconds = sum(ceiling[k]["seconds"] for k in kinds)  # the same kinds through the ORM
        report = {
            "provider": provider.name,
            "n": n,
            "quick": self.quick,
            "provider_limits": provider.limits_note,
            "import": {
                "customers_per_min": imported["party"]["per_min"],
                "items_per_min": imported.get("product", {}).get("per_min"),  # None: no products (Kashoo)
                "invoices_per_min": imported["invoice"]["per_min"],
                "payments_per_min": imported["payment"]["per_min"],
                "ratio_to_orm_ceiling": round(ceiling_seconds / connector_seconds, 3) if connector_seconds else None,
                "by_kind": imported,
                "quarantined": sum(v["quarantined"] for v in imported.values()),
            },
            "import_via_jobs": via_jobs,
            "profile": self.profile,
            "sweep": swept,
            "ceiling": ceiling,
            "export": exported,
            changes[0]: changes[1],
            "memory": memory,
            "counts_match": bound == on_provider,
            "counts": {"sandbox_invoices": on_provider, "odoo_bound_invoices": bound},
            "total_seconds": round(time.monotonic() - started_all, 1),
            "topology": topology.describe(self.server),
        }
        self.report_path.parent.mkdir(parents=True, exist_ok=True)
        self.report_path.write_text(json.dumps(report, indent=2))
        topology.record(report, self.report_path, self.provider.name)
        jobs_ratio = via_jobs.get("ratio_to_orm_ceiling", "not run (TOPOLOGY=single)")
        say(
            f"\nImport {report['import']['ratio_to_orm_ceiling']} of the ORM ceiling in this process, "
            f"{jobs_ratio} through the job runner; counts match: "
            f"{report['counts_match']} ({bound} bound, {on_provider} in the sandbox); "
            f"{report['total_seconds']} s in all. Report: {self.report_path}"
        )
        polled = changes[0] != "poll" or changes[1]["e2e_samples"] == changes[1]["changes"]
        jobs_clean = not via_jobs.get("quarantined")
        return report["counts_match"] and not report["import"]["quarantined"] and polled and jobs_clean
