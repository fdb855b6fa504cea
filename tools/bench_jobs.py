"""The bench's phase 1c/3a (a mix-in of tools/bench_core.Bench): the initial import as production
runs it, ``action_import_all()`` and the job runner of the server in the chosen topology, measured
against the ORM ceiling of phase 2. Run in the multi-process topologies (prefork, two-nodes) only.

It imports the same sandbox tenant a second time, into a second company with a connection of its
own (a tenant may be connected once per Odoo company), so that phase 1's records and cursors are
left alone. The import is a chain of one job per kind: it runs one kind at a time, on one worker
at a time, whatever the number of workers. Once done, the second connection is archived, so that
the export and change-detection phases after it see only the first one (no webhook, poll or
export reaches an archived connection).

Also the profile of BENCH_PROFILE=<kind>: the top of the cProfile of phase 1's import of that
kind, in a file beside the report (``profile-<kind>.txt``), that the report names."""

import cProfile
import io
import pstats
import re
import time

from tools import topology
from tools.bench_phases import per_min
from tools.harness import say, setup_company

#: the kinds the ORM ceiling has: the ratios compare these only (as bench_core's)
CEILING_KINDS = ("party", "product", "invoice", "payment")
#: the job states a chain's job is still on its way in
UNFINISHED = ("wait_dependencies", "pending", "enqueued", "started")
_COUNTS = re.compile(r"(\d+) read, (\d+) new, (\d+) quarantined")


def job_figures(rows, ceiling, wall_seconds):
    """The phase's figures from the chain's queue_job rows, (kind, state, exec_time, worker_pid,
    result, date_started, date_done) in the chain's order, against ``ceiling`` (phase 2's
    figures by kind). A kind's seconds are its job's execution time; ``seconds`` is the whole
    chain's, from the commit that queued it to its last job done, as the bench saw it."""
    by_kind = {}
    for kind, _state, exec_time, _pid, result, _started, _done in rows:
        counts = _COUNTS.search(result or "")
        read = int(counts.group(1)) if counts else None
        seconds = exec_time or 0.0
        by_kind[kind] = {
            "records": read,
            "seconds": round(seconds, 2),
            "per_min": per_min(read, seconds) if read is not None else None,
            "quarantined": int(counts.group(3)) if counts else None,
        }
    kinds = [k for k in CEILING_KINDS if k in by_kind and k in ceiling]
    jobs_seconds = sum(by_kind[k]["seconds"] for k in kinds)
    ceiling_seconds = sum(ceiling[k]["seconds"] for k in kinds)
    pids = {row[3] for row in rows if row[3]}
    jobs_seconds_all = sum(v["seconds"] for v in by_kind.values())
    started = [row[5] for row in rows if row[5]]
    done = [row[6] for row in rows if row[6]]
    # the chain's time outside its jobs: the runner taking up the first job after the commit,
    # and each next one after the job before it
    span = (max(done) - min(started)).total_seconds() if started and done else wall_seconds
    return {
        "by_kind": by_kind,
        "seconds": round(wall_seconds, 2),
        "jobs_seconds": round(jobs_seconds_all, 2),
        "first_job_wait_seconds": round(max(0.0, wall_seconds - span), 2),
        "between_jobs_seconds": round(max(0.0, span - jobs_seconds_all), 2),
        "compared_kinds": kinds,
        "compared_seconds": round(jobs_seconds, 2),
        "ceiling_seconds": round(ceiling_seconds, 2),
        # as bench_core's ratio_to_orm_ceiling: the ceiling's seconds over the import's, same kinds
        "ratio_to_orm_ceiling": round(ceiling_seconds / jobs_seconds, 3) if jobs_seconds else None,
        # the whole chain: every kind, the wait for the runner to take the first job, the hand-overs
        "ratio_wall_to_orm_ceiling": round(ceiling_seconds / wall_seconds, 3) if wall_seconds else None,
        "jobs": len(rows),
        "worker_processes": len(pids),
        "quarantined": sum(v["quarantined"] or 0 for v in by_kind.values()),
    }


class BenchJobImport:
    def profiled(self, kind, call, *args, **kwargs):
        """``call(*args, **kwargs)`` under cProfile; the top of the profile (cumulative time)
        printed and kept in ``profile-<kind>.txt`` beside the report."""
        profile = cProfile.Profile()
        result = profile.runcall(call, *args, **kwargs)
        text = io.StringIO()
        stats = pstats.Stats(profile, stream=text)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        path = self.report_path.parent / f"profile-{kind}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"BENCH_PROFILE={kind}: phase 1's import of {kind} (N = {self.n})\n{text.getvalue()}")
        say(text.getvalue())
        say(f"   profile of {kind}: {path}")
        top = text.getvalue().split("ncalls", 1)[-1].splitlines()[1:16]
        self.profile = {
            "kind": kind,
            "file": str(path),
            "total_seconds": round(stats.total_tt, 2),
            "note": f"phase 1's {kind} ran under cProfile: its seconds there include the profiler's cost",
            "top_cumulative": [" ".join(line.split()) for line in top if line.strip()],
        }
        return result

    def prepare_import_via_jobs(self):
        """Before the server starts: the second company, connected to the same sandbox tenant,
        with its poll held off as the first connection's is (a cursor read just now per kind, the
        poll interval a day: the server's poll cron would otherwise read every kind at once)."""
        self.jobs_backend = None
        if topology.current() == "single":
            return
        from odoo import fields

        env, provider = self.env, self.provider
        company = env["res.company"].create({"name": f"{provider.company_name} (job runner import)"})
        # the generic chart first, as the first company has it: a company without a chart that is
        # given a country installs the country's localisation (a module install mid-bench, and
        # a chart replacing the accounts mapped in the meantime)
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        env2 = env(context=dict(env.context, allowed_company_ids=company.ids))
        backend, _taxes = setup_company(
            env2, provider, self.web_port, company_name=company.name, name=f"{provider.label} (job runner import)"
        )
        backend.poll_interval = 24 * 60
        now = fields.Datetime.now()
        for kind in self._chain_kinds(backend):
            env2["connector.cursor"].sudo().create({"backend_id": backend.id, "kind": kind, "last_run_at": now})
        env2.cr.commit()
        self.jobs_backend = backend

    @staticmethod
    def _chain_kinds(backend):
        from odoo.addons.connector_base.lib.provider import KINDS_IN_ORDER

        return [k for k in KINDS_IN_ORDER if backend._imports(k)]

    def phase_import_via_jobs(self, in_process, ceiling):
        """``action_import_all()`` on the second connection, committed; the server's job runner
        runs the chain. Timed from that commit to its last job done; fails on a failed job or
        when it takes more than ten times phase 1's import (``in_process``) and 5 minutes."""
        if self.jobs_backend is None:
            return {"skipped": "TOPOLOGY=single: the import runs in one process (phase 1)"}
        backend = self.jobs_backend.with_company(self.jobs_backend.company_id)
        kinds = self._chain_kinds(backend)
        say(
            f"1c/3a. initial import through the job runner ({topology.current()}): action_import_all() "
            f"on a second company, one job per kind chained ({len(kinds)} kinds: one kind at a time, on one worker)"
        )
        env = self.env
        backend.action_import_all()
        env.cr.commit()
        started = time.monotonic()
        timeout = 300 + 10 * sum(v["seconds"] for v in in_process.values())
        query = """SELECT split_part(identity_key, ':', 3), state, exec_time, worker_pid, result,
                          date_started, date_done, exc_info
                     FROM queue_job WHERE identity_key LIKE %s ORDER BY priority, id"""
        from odoo.sql_db import db_connect

        cr = db_connect(self.db).cursor()
        try:
            while True:
                cr.execute(query, [f"import_batch:{backend.id}:%"])
                rows = cr.fetchall()
                cr.rollback()
                failed = [row for row in rows if row[1] in ("failed", "cancelled")]
                if failed:
                    kind, state, info = failed[0][0], failed[0][1], failed[0][-1]
                    raise RuntimeError(f"the job runner's import of {kind} {state}: {(info or '').strip()[-600:]}")
                if len(rows) >= len(kinds) and not [row for row in rows if row[1] in UNFINISHED]:
                    break
                if time.monotonic() - started > timeout:
                    states = ", ".join(f"{row[0]} {row[1]}" for row in rows)
                    raise RuntimeError(f"the job runner's import not done in {timeout:.0f} s: {states}")
                time.sleep(0.2)
        finally:
            cr.close()
        wall = time.monotonic() - started
        backend.active = False  # the phases after it see the first connection only
        env.cr.commit()
        result = job_figures([row[:7] for row in rows], ceiling, wall)
        for kind, figures in result["by_kind"].items():
            say(
                f"   {kind:<9} {figures['records']:>7} in {figures['seconds']:7.1f} s = {figures['per_min']:>9}/min "
                f"({figures['quarantined']} quarantined)"
            )
        r = result
        say(
            f"   the chain: {r['jobs']} jobs on {r['worker_processes']} worker process(es), one kind at a time, "
            f"{r['seconds']} s from the commit to the last job done ({r['first_job_wait_seconds']} s of it until "
            f"the runner took the first job, {r['between_jobs_seconds']} s between jobs); "
            f"{r['ratio_to_orm_ceiling']} of the ORM ceiling ({', '.join(r['compared_kinds'])}: "
            f"{r['compared_seconds']} s in the jobs, {r['ceiling_seconds']} s through the ORM), "
            f"{r['ratio_wall_to_orm_ceiling']} counting the whole chain"
        )
        return result
