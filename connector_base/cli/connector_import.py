"""``odoo connector_import``: a first import from the shell, for large companies.

    odoo connector_import -c odoo.conf -d DB --backend "QuickBooks" [--kinds party,invoice] [--commit-every 500]

Runs the same engine as the "Import all" button, in this process instead of the job
queue, committing as it goes, and prints what it read, created and quarantined."""

import argparse
import sys
import time

import psycopg2

import odoo
from odoo.cli import Command
from odoo.tools import config

from ..lib.errors import LockBusyError
from ..lib.provider import KINDS_IN_ORDER


class ConnectorImport(Command):
    """Run a connection's initial import from the shell and print a summary"""

    name = "connector_import"

    @staticmethod
    def _import_kind(cr, backend, kind, commit_every, attempts=6):
        """One kind, retried when the running server's poller holds the same rows."""
        for attempt in range(attempts):
            try:
                counts = backend._import_kind(kind, commit_every=commit_every)
                cr.commit()
                return counts
            except (psycopg2.errors.SerializationFailure, LockBusyError) as exc:
                cr.rollback()
                backend.env.invalidate_all()
                if attempt == attempts - 1:
                    raise
                print(f"  {kind}: busy ({exc.__class__.__name__}), retrying", flush=True)
                time.sleep(2**attempt)

    def run(self, cmdargs):
        parser = argparse.ArgumentParser(
            prog="odoo connector_import", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        parser.add_argument("-c", "--config", help="Odoo configuration file")
        parser.add_argument("-d", "--database", required=True)
        parser.add_argument("--backend", required=True, help="the connection's id or name")
        parser.add_argument("--kinds", help=f"comma-separated, in any of {','.join(KINDS_IN_ORDER)}")
        parser.add_argument("--commit-every", type=int, default=500, help="commit after so many records")
        parser.add_argument("--restart", action="store_true", help="forget the cursors: read everything again")
        args = parser.parse_args(cmdargs)
        config.parse_config(([f"--config={args.config}"] if args.config else []) + ["--log-level=warn"])
        odoo.service.server.load_server_wide_modules()
        registry = odoo.modules.registry.Registry(args.database)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            Backend = env["connector.backend"]
            backend = (
                Backend.browse(int(args.backend)).exists()
                if args.backend.isdigit()
                else Backend.search([("name", "=", args.backend)], limit=1)
            )
            if not backend:
                sys.exit(f"No connection '{args.backend}' in {args.database}.")
            if backend.state != "connected":
                sys.exit(f"The connection '{backend.name}' is {backend.state}: connect it first.")
            kinds = [k for k in (args.kinds.split(",") if args.kinds else KINDS_IN_ORDER) if backend._imports(k)]
            if args.restart:
                env["connector.cursor"]._reset(backend, kinds)
            backend = backend.with_company(backend.company_id)
            print(f"Importing {', '.join(kinds)} from {backend.name} ({backend.provider}) into {args.database}")
            totals = {"read": 0, "new": 0, "quarantined": 0}
            for kind in kinds:
                started = time.monotonic()
                counts = self._import_kind(cr, backend, kind, args.commit_every)
                for key in totals:
                    totals[key] += counts[key]
                print(
                    f"  {kind:<14} {counts['read']:>7} read {counts['new']:>7} new "
                    f"{counts['quarantined']:>6} quarantined  {time.monotonic() - started:7.1f} s",
                    flush=True,
                )
            print(
                f"  {'total':<14} {totals['read']:>7} read {totals['new']:>7} new {totals['quarantined']:>6} "
                "quarantined"
            )
            if totals["quarantined"]:
                print("  Quarantined records wait in Invoicing > Connectors > Quarantine.")
