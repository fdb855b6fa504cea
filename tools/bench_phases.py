"""The bench's phases that do not depend on how a provider tells of changes: the initial import
and the nightly sweep, the ORM ceiling, the export by the job runner (a mix-in of
tools/bench_core.Bench), and the measuring helpers they share."""

import math
import os
import resource
import time

from tools.harness import say


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def per_min(count, seconds):
    return round(count * 60.0 / seconds, 1) if seconds else None


def percentile(values, pct):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(pct / 100.0 * len(values)) - 1))]


def watch(db, query, args, enough, timeout, every):
    """Run ``query`` (one value) in a fresh snapshot of ``db`` every ``every`` s until
    ``enough(value)`` or ``timeout`` s; return (the last value, the seconds waited)."""
    from odoo.sql_db import db_connect

    started = time.monotonic()
    cr = db_connect(db).cursor()
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


class BenchPhases:
    def phase_import(self):
        n = self.n
        say(
            f"1. initial import of {n} customers, {n // 2} items, {n} invoices, {n // 2} payments "
            "(as the provider's generator makes them)"
        )
        results = {}
        backend = self.backend.with_company(self.backend.company_id)
        for kind in self.provider.import_kinds:
            if not self.backend._imports(kind):
                continue  # not read from this provider (Kashoo has no products)
            started = time.monotonic()
            if os.environ.get("BENCH_PROFILE") == kind:  # where the time goes, for this kind (bench_jobs)
                counts = self.profiled(kind, backend._import_kind, kind, commit_every=1000)
            else:
                counts = backend._import_kind(kind, commit_every=1000)
            self.env.cr.commit()
            seconds = time.monotonic() - started
            results[kind] = {
                "records": counts["read"],
                "seconds": round(seconds, 2),
                "per_min": per_min(counts["read"], seconds),
                "quarantined": counts["quarantined"],
            }
            if os.environ.get("BENCH_PROFILE") == kind:
                results[kind]["profiled"] = True  # its seconds include cProfile's cost
            say(
                f"   {kind:<9} {counts['read']:>7} in {seconds:7.1f} s = {results[kind]['per_min']:>9}/min "
                f"({counts['quarantined']} quarantined)"
            )
        return results

    def phase_sweep(self):
        """The nightly sweep over what phase 1 imported, all of it unchanged: what a re-read costs."""
        say("1b. re-read of the invoices, unchanged (the nightly sweep)")
        backend = self.backend.with_company(self.backend.company_id)
        self.env.invalidate_all()
        started = time.monotonic()
        read, quarantined = backend._reread("invoice", hours=24 * 365 * 10)  # every document the sandbox made
        self.env.cr.commit()
        seconds = time.monotonic() - started
        result = {"records": read, "seconds": round(seconds, 2), "invoices_per_min": per_min(read, seconds)}
        say(f"   {read} re-read, {quarantined} quarantined, in {seconds:.1f} s = {result['invoices_per_min']}/min")
        return result

    def phase_ceiling(self):
        """The same records straight through the ORM, in batches: no connector, no HTTP, and no
        export job queued for what it creates."""
        say("2. ORM ceiling: the same records created through the ORM in batches")
        from odoo import Command

        env = self.env(context=dict(self.env.context, connector_no_export=True))
        n = self.n
        results = {}
        batch = 500
        engine = env["connector.engine"]

        def refresh(kind, done):  # the statistics refresh the import gets, so that neither is judged on stale plans
            if done % engine.ANALYZE_EVERY < batch:
                engine._refresh_statistics(kind)
                env.cr.commit()

        started = time.monotonic()
        partners = env["res.partner"]
        for start in range(0, n, batch):
            partners |= env["res.partner"].create(
                [
                    {
                        "name": f"Ceiling Customer {k}",
                        "email": f"c{k}@ceiling.example",
                        "street": f"{k} Main St",
                        "city": "Palo Alto",
                        "customer_rank": 1,
                    }
                    for k in range(start, min(n, start + batch))
                ]
            )
            refresh("party", start + batch)
        env.cr.commit()
        results["party"] = time.monotonic() - started
        started = time.monotonic()
        products = env["product.product"].create(
            [{"name": f"Ceiling Item {k}", "type": "service", "list_price": 10.0 + k % 90} for k in range(n // 2)]
        )
        env.cr.commit()
        results["product"] = time.monotonic() - started
        journal = env["account.journal"].search([("type", "=", "sale")], limit=1)
        tax = self.taxes[self.provider.export_tax]
        started = time.monotonic()
        moves = env["account.move"]
        for start in range(0, n, batch):
            chunk = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partners[k].id,
                        "invoice_date": "2026-10-01",
                        "journal_id": journal.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": products[(k + j) % len(products)].id,
                                    "quantity": 2,
                                    "price_unit": 25.0 + j,
                                    "tax_ids": [Command.set(tax.ids)],
                                }
                            )
                            for j in range(3)
                        ],
                    }
                    for k in range(start, min(n, start + batch))
                ]
            )
            chunk.action_post()
            moves |= chunk
            env.cr.commit()
            refresh("invoice", start + batch)
        results["invoice"] = time.monotonic() - started
        started = time.monotonic()
        for start in range(0, n // 2, batch):
            chunk = moves[start : min(n // 2, start + batch)]
            env["account.payment.register"].with_context(active_model="account.move", active_ids=chunk.ids).create(
                {"group_payment": False}
            )._create_payments()
            env.cr.commit()
            refresh("payment", start + batch)
        results["payment"] = time.monotonic() - started
        counts = {"party": n, "product": n // 2, "invoice": n, "payment": n // 2}
        out = {}
        for kind, seconds in results.items():
            out[kind] = {
                "records": counts[kind],
                "seconds": round(seconds, 2),
                "per_min": per_min(counts[kind], seconds),
            }
            say(f"   {kind:<9} {counts[kind]:>7} in {seconds:7.1f} s = {out[kind]['per_min']:>9}/min")
        return out

    def phase_export(self):
        """N/5 invoices posted in Odoo at once; the server's job runner exports them (in batches
        where the provider has them). Timed from the commit that posts them to the last binding."""
        count = int(os.environ.get("BENCH_EXPORT_N") or max(10, self.n // 5))
        say(f"3. export of {count} invoices posted in Odoo, by the job runner")
        from odoo import Command

        env, provider = self.env, self.provider
        before = provider.export_counters()
        partner = env["res.partner"].create({"name": "Export Customer", "email": "export@bench.example"})
        if provider.products:
            subject = {"product_id": env["product.product"].search([("name", "like", "Ceiling Item")], limit=1).id}
        else:  # lines with an account (Kashoo has no products)
            income = env["account.account"].search([("account_type", "=", "income")], limit=1)
            subject = {"name": "Consulting", "account_id": income.id}
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-10-02",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                **subject,
                                "quantity": 1,
                                "price_unit": 100.0 + k,
                                "tax_ids": [Command.set(self.taxes[provider.export_tax].ids)],
                            }
                        )
                    ],
                }
                for k in range(count)
            ]
        )
        moves.action_post()  # one export job per invoice
        env.cr.commit()
        limit = provider.request_limit_per_min
        exported, seconds = watch(
            self.db,
            """SELECT count(*) FROM connector_binding WHERE backend_id = %s AND external_type = 'invoice'
               AND res_model = 'account.move' AND res_id = ANY(%s)""",
            [self.backend.id, moves.ids],
            lambda bound: bound >= count,
            timeout=max(600, count / 5, count * 8 * 60 / limit if limit else 0),
            every=0.2,
        )
        rate = per_min(exported, seconds)
        after = provider.export_counters()
        ceiling = provider.write_ceiling_per_min
        batches = after["batch_requests"] - before["batch_requests"]
        requests = after.get("requests", 0) - before.get("requests", 0)
        result = {
            "records": exported,
            "seconds": round(seconds, 2),
            "invoices_per_min": rate,
            "ratio_to_provider_ceiling": round(rate / ceiling, 3) if rate and ceiling else None,
            "throttled_429": after["throttled"] - before["throttled"],
            "batch_requests": batches,
            "requests": requests,
            # per minute window begun: a limit of so many a minute lets a full minute's worth through
            # at once, so requests over the seconds alone could read above the limit without any 429
            "requests_per_min": round(requests / max(1, math.ceil(seconds / 60.0)), 1),
            "request_limit_per_min": limit,
            "ratio_to_request_limit": round(requests / max(1, math.ceil(seconds / 60.0)) / limit, 3)
            if requests and limit
            else None,
        }
        against = (
            f"{result['ratio_to_provider_ceiling']} of {ceiling}/min"
            if ceiling
            else f"{requests} requests = {result['requests_per_min']} a minute window, "
            f"{result['ratio_to_request_limit']} of the configured limit of {limit} requests/min"
        )
        say(
            f"   {exported} in {seconds:.1f} s = {rate}/min, {against}, {batches} batch requests, "
            f"{result['throttled_429']} answers 429"
        )
        return result
