"""`make bench`: throughput, latency and memory of a provider's connector against Odoo's own ceiling.

PROVIDER (default quickbooks) names the provider plug-in (tools/providers); the run is the same
for every provider (tools/bench_core.py, tools/bench_phases.py). It runs on the provider's
sandbox with its published limits enforced, on a database of its own (BENCH_DB, default
connectors_bench). Prints a table and writes BENCH_REPORT (default .bench/report.json). BENCH_N
sets the size (default the plug-in's ``bench_n``: 10,000 for QuickBooks, less for a provider
whose request limit makes the export phase long; QUICK=1 means 100).

Phases: 1. initial import (customers, items, invoices with 3 lines and taxes, payments),
then a re-read of the invoices unchanged (the nightly sweep); 2. the ORM ceiling: the
same records created straight through the ORM in batches; 3. export of N/5 invoices posted
in Odoo, by the job runner of an Odoo server; 4. for a provider with webhooks (QuickBooks):
acknowledgement latency under 50 concurrent deliveries and webhook-to-record latency, on the
same server; for one without (Wave, Kashoo): change-to-record latency by polling; 5. memory: peak RSS growth
from importing M to 5M customers.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import providers  # noqa: E402
from tools.bench_core import Bench  # noqa: E402


def bench():
    quick = os.environ.get("QUICK") not in (None, "", "0")
    provider = providers.load(os.environ.get("PROVIDER") or "quickbooks")
    return Bench(
        provider,
        n=int(os.environ.get("BENCH_N") or (100 if quick else provider.bench_n)),
        quick=quick,
        db=os.environ.get("BENCH_DB", "connectors_bench"),
        conf=os.environ["BENCH_CONF"],
        report=Path(os.environ.get("BENCH_REPORT") or ROOT / ".bench" / "report.json"),
        web_port=int(os.environ.get("BENCH_HTTP_PORT", "8269")),
    )


if __name__ == "__main__":
    try:
        run = bench()
    except providers.NotBuilt as refused:
        sys.exit(f"{refused}")
    if sys.argv[1:2] == ["memory"]:
        run.memory_child(int(sys.argv[2]))
    elif not run.run():
        sys.exit(1)
