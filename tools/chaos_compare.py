"""The end of the chaos run, whatever the provider: both sides compared record by record, the
server log and a pg_dump searched, and the report (a mix-in of tools/chaos_core.Chaos)."""

import re
from collections import Counter
from decimal import Decimal

from tools.harness import pg_command

CENT = Decimal("0.01")
# a failed query that Odoo logs at ERROR although the job handles it: PostgreSQL refused a
# concurrent update or broke a deadlock between two transactions (Odoo's PG_CONCURRENCY_ERRORS_TO_RETRY:
# queue_job runs the job again, Odoo the request), or another job linked the same record a moment
# before (the engine makes it a retry)
HANDLED_QUERY_ERRORS = (
    "could not serialize access due to concurrent update",
    "deadlock detected",
    'duplicate key value violates unique constraint "connector_binding_',
)


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")
CHAIN_LINE = re.compile(r"^(The above exception was the direct cause|During handling of the above exception)")


def raised(lines, n):
    """What the traceback under the log line ``lines[n]`` ends with: its last frame and the
    exception raised, as `` | File ... | <exception>``, and where the exception was raised in
    handling another (a chain), the first one's too, as `` | cause: File ... | <exception>``;
    empty when no traceback follows."""
    end = n + 1
    while end < len(lines) and not LOG_LINE.match(lines[end]):
        end += 1
    chain = []  # per traceback of the chain: [last frame, exception text lines]
    for line in lines[n + 1 : end]:
        if line.startswith("Traceback (most recent call last)") or not chain:
            chain.append([None, []])
            if line.startswith("Traceback"):
                continue
        if line.startswith("  File "):
            chain[-1] = [line.strip(), []]
        elif line.strip() and not line[0].isspace() and not CHAIN_LINE.match(line):
            chain[-1][1].append(line.strip())
    said = [
        (f" | {frame[:200]}" if frame else "") + f" | {' / '.join(text)[:400]}"
        for frame, text in chain
        if frame or text
    ]
    if not said:
        return ""
    return said[-1] + (f" | cause:{said[0][2:]}" if len(said) > 1 else "")


def money(value):
    return Decimal(str(value or 0)).quantize(CENT)


class ChaosCompare:
    def compare(self, drained):
        env, provider, label = self.env, self.provider, self.provider.label
        env.invalidate_all()
        Binding = env["connector.binding"]
        backend = self.backend
        bindings = Binding.search([("backend_id", "=", backend.id)])
        by_external = {(b.external_type, b.external_id): b for b in bindings}
        open_rows = env["connector.quarantine"].search([("backend_id", "=", backend.id), ("state", "=", "open")])
        quarantined_import = {(q.kind, q.external_id) for q in open_rows if q.direction == "import"}
        quarantined_export = {(q.res_model, q.res_id) for q in open_rows if q.direction == "export"}
        lost, duplicated, mismatches = [], [], []
        counts = {}

        for entity, (kind, docs) in provider.read_side().items():
            bound = 0
            for doc in docs:
                binding = by_external.get((kind, doc.external_id))
                if binding:
                    bound += 1
                    if (kind, doc.external_id) in quarantined_import:
                        continue  # its last change waits for a person, typed (counted as quarantined)
                    self.compare_doc(entity, kind, doc, binding, mismatches, quarantined_export)
                elif (kind, doc.external_id) not in quarantined_import:
                    lost.append(f"{label} {entity} {doc.id} has no Odoo record")
            # one document per Odoo record: an export repeated after a lost answer must not add one
            stamps = Counter(d.stamp for d in docs if d.stamp)
            duplicated += [f"{label} has {n} {entity} documents for {s}" for s, n in stamps.items() if n > 1]
            counts[entity] = {provider.name: len(docs), "odoo_bound": bound}

        own = [
            ("res.partner", self.odoo_partners),
            ("account.move", self.odoo_invoices),
            ("account.payment", self.odoo_payments),
        ]
        # what Odoo cancelled before it was ever sent is not sent (a create whose answer was lost
        # is found above: the provider's record carrying the stamp, with no Odoo record bound)
        for model, ids in own:
            for record in env[model].browse(ids).exists():
                found = Binding.search(
                    [("backend_id", "=", backend.id), ("res_model", "=", model), ("res_id", "=", record.id)]
                )
                if len(found) > 1:
                    duplicated.append(f"{model} {record.id} is linked to {len(found)} {label} records")
                never_sent = model != "res.partner" and record.state in ("cancel", "canceled")
                if not found and (model, record.id) not in quarantined_export and not never_sent:
                    lost.append(f"{model} {record.id} ({record.display_name}) never reached {label}")

        # nothing left in the books that the provider no longer has (a deleted invoice, say)
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
                    mismatches.append(f"{model} {record.id} ({record.display_name}) is in the books, not in {label}")

        # one Odoo record per provider record
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
        errors, handled_query_errors = self.log_errors()
        untyped += [f"server log: {line}" for line in errors]
        leaked, secrets_checked, dump_size = self.secrets_found()
        if not drained:
            untyped.append("the queue did not drain")
        if backend.state != "connected":
            untyped.append(f"the connection ended in state {backend.state}")
        stats = provider.stats()
        # single-flight refresh across the server's job threads: one refresh per expiry
        refreshes = stats["token_refreshes"]
        if refreshes > self.expiries:
            untyped.append(f"{refreshes} token refreshes for {self.expiries} expiries: concurrent jobs refreshed twice")
        return {
            "n": self.n,
            "operations": self.ops,
            "seed": self.seed,
            "quick": self.quick,
            "lost": len(lost),
            "duplicated": len(duplicated),
            "unbalanced": len(unbalanced),
            "amount_mismatches": len(mismatches),
            "quarantined": len(open_rows),
            "quarantined_by_reason": dict(reasons),
            "untyped_failures": len(untyped),
            "secrets_in_plaintext": len(leaked),
            "secrets_checked": {"secrets": secrets_checked, "dump_bytes": dump_size, "log": str(self.log)},
            "counts": counts,
            "provider_limits": provider.limits_note,
            "events": dict(self.events),
            "server_kills": self.server.restarts,
            "handled_query_errors": handled_query_errors,
            "sandbox": {
                "requests": stats["requests"],
                "throttled": stats["throttled"],
                "replayed": stats["replayed"],
                "token_expiries": self.expiries,
                "token_refreshes": stats["token_refreshes"],
                "webhook_deliveries": stats["webhook_deliveries"],
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

    def log_errors(self):
        """ERROR lines of the server log, less the queries PostgreSQL refused for a concurrent
        update or a deadlock: Odoo logs those, and queue_job runs the job again in a new
        transaction (a job that still fails shows in the comparison and in its own ERROR line)."""
        lines = self.log.read_text(errors="replace").splitlines()
        errors, handled = [], 0
        for n, line in enumerate(lines):
            if " ERROR " not in line:
                continue
            following = "\n".join(lines[n + 1 : n + 4])
            if "bad query" in line and any(handled in following for handled in HANDLED_QUERY_ERRORS):
                handled += 1
            else:
                errors.append(f"{line[:300]}{raised(lines, n)}")
        return errors, handled

    def secrets_found(self):
        """Plaintext secrets in a pg_dump of the database or in the server log: those the plug-in
        names (the client secret, a webhook verifier, every token the sandbox issued)."""
        secrets = self.provider.secrets()
        dump = pg_command("pg_dump", self.db, capture=True)
        log = self.log.read_text(errors="replace")
        found = [
            f"{name} in the {where}"
            for name, value in secrets.items()
            for where, text in (("database dump", dump), ("server log", log))
            if value in text
        ]
        return found, len(secrets), len(dump)

    def compare_doc(self, entity, kind, doc, binding, mismatches, quarantined_export=()):
        record = self.env[binding.res_model].browse(binding.res_id).exists()
        label = f"{self.provider.label} {entity} {doc.id}"
        if not record:
            mismatches.append(f"{label}: its Odoo record {binding.res_model} {binding.res_id} is gone")
            return
        if kind == "invoice":
            held = [p for p in record._get_reconciled_payments() if (p._name, p.id) in quarantined_export]
            if held:
                # a payment recorded in Odoo that the provider refused (the invoice changed under
                # it, or was deleted): the balances differ by it, and it waits in quarantine, typed
                return
            if doc.voided:
                if record.state != "cancel":
                    mismatches.append(f"{label} is void, Odoo's {record.name} is {record.state}")
                return
            if record.state != ("draft" if doc.draft else "posted"):
                mismatches.append(f"{label}: Odoo's {record.name} is {record.state}")
                return
            total, residual = money(record.amount_total), money(record.amount_residual)
            if total != doc.total or residual != doc.balance:
                mismatches.append(
                    f"{label}: {self.provider.label} total {doc.total} balance {doc.balance}, "
                    f"Odoo {record.name} total {total} residual {residual}"
                )
        elif kind == "payment":
            if doc.voided:
                if record._name == "account.payment" and record.state != "canceled":
                    mismatches.append(f"{label} is void, Odoo's payment {record.id} is {record.state}")
                return
            if record.state in ("draft", "canceled"):
                mismatches.append(f"{label}: Odoo's payment {record.id} is {record.state}")
            elif money(record.amount) != doc.total:
                mismatches.append(f"{label}: {self.provider.label} {doc.total}, Odoo {money(record.amount)}")
