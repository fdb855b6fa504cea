"""The figures of `make bench`'s import through the job runner (tools/bench_jobs.py): read from
the chain's queue_job rows and compared with the ORM ceiling on the kinds the ceiling has."""

from datetime import datetime, timedelta

from tools.bench_jobs import job_figures

CEILING = {
    "party": {"records": 100, "seconds": 1.0},
    "product": {"records": 50, "seconds": 0.5},
    "invoice": {"records": 100, "seconds": 4.0},
    "payment": {"records": 50, "seconds": 4.5},
}


def _rows():
    # (kind, state, exec_time, worker_pid, result, date_started, date_done) as the chain leaves
    # them, in its order: each job starts 0.1 s after the one before it ended
    rows, at = [], datetime(2026, 11, 29, 4, 0, 0)
    for kind, seconds, pid, result in (
        ("account", 0.5, 101, "account: 14 read, 14 new, 0 quarantined"),
        ("tax", 0.1, 102, "tax: 3 read, 3 new, 0 quarantined"),
        ("party", 2.0, 101, "party: 105 read, 105 new, 0 quarantined"),
        ("product", 1.0, 102, "product: 50 read, 50 new, 0 quarantined"),
        ("invoice", 5.0, 101, "invoice: 100 read, 100 new, 2 quarantined"),
        ("payment", 2.0, 101, "payment: 50 read, 50 new, 0 quarantined"),
    ):
        done = at + timedelta(seconds=seconds)
        rows.append((kind, "done", seconds, pid, result, at, done))
        at = done + timedelta(seconds=0.1)
    return rows


def test_the_ratio_compares_only_the_kinds_the_ceiling_has():
    figures = job_figures(_rows(), CEILING, wall_seconds=13.6)
    assert figures["compared_kinds"] == ["party", "product", "invoice", "payment"]
    assert figures["compared_seconds"] == 10.0  # accounts and taxes left out, as in phase 1's ratio
    assert figures["ceiling_seconds"] == 10.0
    assert figures["ratio_to_orm_ceiling"] == 1.0
    assert figures["ratio_wall_to_orm_ceiling"] == round(10.0 / 13.6, 3)
    assert figures["jobs_seconds"] == 10.6
    # 11.1 s from the first start to the last end: 0.5 s between the six jobs, the rest of the
    # 13.6 s the wait for the runner to take up the first one
    assert figures["between_jobs_seconds"] == 0.5
    assert figures["first_job_wait_seconds"] == 2.5


def test_records_quarantines_and_workers_come_from_the_jobs():
    figures = job_figures(_rows(), CEILING, wall_seconds=12.0)
    assert figures["by_kind"]["party"]["records"] == 105
    assert figures["by_kind"]["invoice"]["per_min"] == 1200.0
    assert figures["quarantined"] == 2
    assert figures["jobs"] == 6
    assert figures["worker_processes"] == 2


def test_a_kind_the_ceiling_lacks_leaves_the_ratio_on_the_others():
    rows = [row for row in _rows() if row[0] != "product"]  # a provider without products (Kashoo)
    figures = job_figures(rows, CEILING, wall_seconds=9.0)
    assert figures["compared_kinds"] == ["party", "invoice", "payment"]
    assert figures["ceiling_seconds"] == 9.5
    assert figures["ratio_to_orm_ceiling"] == round(9.5 / 9.0, 3)
