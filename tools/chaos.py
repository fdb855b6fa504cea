"""`make chaos`: sync under faults, kills and token expiry; then both sides are compared.

PROVIDER (default quickbooks) names the provider plug-in (tools/providers); the run is the same
for every provider (tools/chaos_core.py, chaos_odoo.py, chaos_compare.py). On the provider's
sandbox (its limits on) and a database of its own (CHAOS_DB, default connectors_chaos), with
an Odoo server running queue_job's runner:

1. the initial import, with faults injected throughout: 10% of API calls answered 429, 5%
   5xx, 3% no answer within the connection's timeout (the write still happens), 2% writes that
   commit but lose their answer; every webhook delivered one to three times, shuffled (a
   provider with webhooks);
2. a stream of creates, updates, voids and deletes on both sides (the provider: what its
   plug-in makes, for QuickBooks customers, invoices, payments; Odoo: customers, invoices,
   payments of its own and on imported invoices);
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

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import providers  # noqa: E402
from tools.chaos_core import Chaos  # noqa: E402


def chaos():
    quick = os.environ.get("QUICK") not in (None, "", "0")
    n = int(os.environ.get("CHAOS_N") or (20 if quick else 100))
    return Chaos(
        providers.load(os.environ.get("PROVIDER") or "quickbooks"),
        n=n,
        ops=int(os.environ.get("CHAOS_OPS") or 3 * n),
        seed=int(os.environ.get("CHAOS_SEED") or 20261122),
        quick=quick,
        db=os.environ.get("CHAOS_DB", "connectors_chaos"),
        conf=os.environ["CHAOS_CONF"],
        port=int(os.environ.get("CHAOS_HTTP_PORT", "8469")),
        report=Path(os.environ.get("CHAOS_REPORT") or ROOT / ".chaos" / "report.json"),
        drain_timeout=float(os.environ.get("CHAOS_DRAIN_TIMEOUT") or 900),
    )


if __name__ == "__main__":
    try:
        run = chaos()
    except providers.NotBuilt as refused:
        sys.exit(f"{refused}")
    run.main()
