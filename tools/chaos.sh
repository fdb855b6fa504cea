#!/usr/bin/env bash
# `make chaos`: the chaos run (tools/chaos.py) of PROVIDER (default quickbooks), then the fuzzing
# of its routes (when its plug-in names fuzz tests) at CHAOS_FUZZ_CASES (default 10,000) cases per
# test. QUICK=1: a small chaos run and no fuzzing tier (make test runs the fuzz tests at a few
# hundred cases each).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$ROOT/tools/bootstrap.sh"
check_provider
bash "$ROOT/tools/pg.sh"
export CHAOS_DB="${CHAOS_DB:-connectors_chaos}"
export CHAOS_HTTP_PORT="${CHAOS_HTTP_PORT:-8469}"
export CHAOS_CONF
CHAOS_CONF="$(bash "$ROOT/tools/odoo-conf.sh" "chaos-$CHAOS_DB" "$CHAOS_DB" "$CHAOS_HTTP_PORT")"
export PGHOST PGPORT PGUSER_ODOO
export PGPASSWORD="${PGPASSWORD_ODOO:-odoo}"
cd "$ROOT"
status=0
"$PY" "$ROOT/tools/chaos.py" || status=1

# the plug-in's fuzz tier: addon, test tags, number of fuzz tests, what they fuzz (tab-separated)
fuzz="$("$PY" -m tools.providers fuzz "$PROVIDER")"
if [ -n "$fuzz" ] && { [ -z "${QUICK:-}" ] || [ "${QUICK:-}" = "0" ]; }; then
    IFS=$'\t' read -r fuzz_addon fuzz_tags fuzz_tests fuzz_what <<<"$fuzz"
    cases="${CHAOS_FUZZ_CASES:-10000}"
    fuzz_db="${CHAOS_DB}_fuzz"
    conf="$(bash "$ROOT/tools/odoo-conf.sh" chaos-fuzz "$fuzz_db" "$((CHAOS_HTTP_PORT + 10))")"
    say "Fuzzing $fuzz_what: $cases cases per test (database $fuzz_db)"
    dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER_ODOO" --if-exists --force "$fuzz_db"
    log="$ROOT/.chaos/fuzz.log"
    mkdir -p "$ROOT/.chaos"
    set +e
    CONNECTOR_FUZZ_CASES="$cases" "$VENV/bin/odoo" -c "$conf" -d "$fuzz_db" -i "$fuzz_addon" \
        --without-demo=all --test-enable --test-tags "$fuzz_tags" \
        --stop-after-init --log-level=test --log-handler=werkzeug:WARNING >"$log" 2>&1
    set -e
    result="$(grep -E 'odoo.tests.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -n 1)"
    # each fuzz test logs how many cases it ran; each must run at least the number asked for
    counts="$(grep -oE 'fuzz test_fuzz_[a-z_]+: [0-9]+ cases' "$log" || true)"
    echo "$counts" | sed 's/^/   /'
    enough="$(grep -oE '[0-9]+ cases' <<<"$counts" | awk -v n="$cases" '$1 >= n' | wc -l)"
    echo "fuzz: ${result:-no result}; $enough of $fuzz_tests fuzz tests ran at least $cases cases (log $log)"
    if [ -z "$result" ] || ! grep -qE ': 0 failed, 0 error\(s\)' <<<"$result" || [ "$enough" -lt "$fuzz_tests" ]; then
        grep -E "(FAIL|ERROR)" "$log" | head -n 20 || true
        status=1
    fi
fi
exit "$status"
