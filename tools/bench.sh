#!/usr/bin/env bash
# `make bench` (QUICK=1 for a small run; PROVIDER=quickbooks, the default): see tools/bench.py.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$ROOT/tools/bootstrap.sh"
check_provider
bash "$ROOT/tools/pg.sh"
export BENCH_DB="${BENCH_DB:-connectors_bench}"
export BENCH_CONF
BENCH_CONF="$(bash "$ROOT/tools/odoo-conf.sh" "bench-$BENCH_DB" "$BENCH_DB" "${BENCH_HTTP_PORT:-8269}")"
export PGHOST PGPORT PGUSER_ODOO
export PGPASSWORD="${PGPASSWORD_ODOO:-odoo}"
cd "$ROOT" && exec "$PY" "$ROOT/tools/bench.py"
