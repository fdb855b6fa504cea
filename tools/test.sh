#!/usr/bin/env bash
# `make test`: bootstrap, lint, then the tiers of tests, each ending with a count line:
#   unit: pure-Python tests (pytest, no database)
#   odoo: the connector addons' tests on a fresh database (Odoo's own runner)
#   run: the README's `make run` on a fresh database (started, connected, imported, a change seen)
#   bench: the benchmark at a small size (it completes, the counts match)
#   chaos: the chaos run at a small size (nothing lost, doubled or mismatched)
#   chaos-wave, chaos-kashoo, chaos-reckon, bench-wave, bench-kashoo, bench-reckon: the chaos
#   (N=10) and bench (N=20) runs of the poll providers' plug-ins, side by side
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bash "$ROOT/tools/bootstrap.sh"
bash "$ROOT/tools/pg.sh"
bash "$ROOT/tools/lint.sh"

mkdir -p "$STATE"
summary=()
status=0
timings=()
tier_started=0  # bootstrap, PostgreSQL and lint ran before this
# the seconds since the last call, under a name, for the closing "time:" line
timed() {
    timings+=("$1 $((SECONDS - tier_started)) s")
    tier_started=$SECONDS
}
timed "bootstrap and lint"

# Starts COMMAND... in the background, its output in LOG and its exit status in RC (written when
# it ends); the caller waits for all of them with `wait`.
in_background() {
    local log="$1" rc="$2"
    shift 2
    rm -f "$rc"
    (
        set +e
        "$@" >"$log" 2>&1
        echo $? >"$rc"
    ) &
}

# ---- tier 1: unit ---------------------------------------------------------
say "Unit tests (pytest)"
set +e
# over 4 workers: most of these tests wait on a loopback sandbox, not on a core
"$PY" -m pytest -q -p no:cacheprovider -n 4 "$ROOT/tests/unit" 2>&1 | tee "$STATE/unit.log"
unit_rc=${PIPESTATUS[0]}
set -e
unit_line="$(grep -E '^(=+ )?[0-9]+ (passed|failed)|no tests ran' "$STATE/unit.log" | tail -n 1)"
u_passed="$(grep -oE '[0-9]+ passed' <<<"$unit_line" | grep -oE '[0-9]+' || echo 0)"
u_failed=0
for n in $(grep -oE '[0-9]+ (failed|errors?)' <<<"$unit_line" | grep -oE '[0-9]+'); do u_failed=$((u_failed + n)); done
if [ "$unit_rc" -ne 0 ] || [ "$u_passed" -eq 0 ]; then status=1; [ "$u_failed" -gt 0 ] || u_failed=1; fi
summary+=("unit: $u_passed passed, $u_failed failed")
timed unit

# ---- tier 2: odoo ---------------------------------------------------------
# Two Odoo test runs side by side, each installing the addons on a fresh database of its own
# (2 cores: one runs the initial-load tests, each a company of hundreds of documents imported,
# and the QuickBooks sync tests, the other everything else); their counts are added up.
DB="${TEST_DB:-connectors_test}"
PORT="${TEST_HTTP_PORT:-8169}"
test_addons="$ADDONS,connector_fake"
heavy="/connector_quickbooks:TestQuickBooksInitialLoad,/connector_wave:TestWaveInitialLoad"
heavy="$heavy,/connector_kashoo:TestKashooInitialLoad,/connector_reckon:TestReckonInitialLoad"
heavy="$heavy,/connector_quickbooks:TestQuickBooksSync"  # about a minute: it evens the two runs out
rest="$(tr ',' '\n' <<<"$test_addons" | sed 's|^|/|' | paste -sd,),$(tr ',' '\n' <<<"$heavy" | sed 's|^|-|' | paste -sd,)"
shards=("$DB|$PORT|$rest" "${DB}_load|$((PORT + 10))|$heavy")
say "Odoo tests on fresh databases ${DB} and ${DB}_load, side by side (this installs account, queue_job and the connectors)"
for shard in "${shards[@]}"; do
    IFS="|" read -r db port tags <<<"$shard"
    in_background "$STATE/odoo-test-$db.out" "$STATE/odoo-test-$db.rc" \
        bash "$ROOT/tools/odoo-tests.sh" "$db" "$port" "$test_addons" "$tags" "$STATE/odoo-test-$db.log"
done
wait
o_passed=0 o_bad=0
for shard in "${shards[@]}"; do
    db="${shard%%|*}"
    log="$STATE/odoo-test-$db.log"
    grep -E "(ERROR|FAIL:|CRITICAL)" "$log" | grep -v "odoo.sql_db: bad query" | head -n 60 || true
    result="$(grep -E 'odoo.tests.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -n 1)"
    if [ -z "$result" ]; then
        tail -n 40 "$log"
        o_bad=$((o_bad + 1))
        continue
    fi
    failed="$(sed -E 's/.*: ([0-9]+) failed.*/\1/' <<<"$result")"
    errors="$(sed -E 's/.* ([0-9]+) error\(s\).*/\1/' <<<"$result")"
    total="$(sed -E 's/.* of ([0-9]+) tests.*/\1/' <<<"$result")"
    bad=$((failed + errors))
    # an ERROR logged outside a test (a module that failed to load, a broken view) fails too
    log_errors="$(grep -cE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" || true)"
    if [ "$bad" -eq 0 ] && [ "$log_errors" -gt 0 ]; then bad=1; fi
    # a skipped test (no browser, a missing module) proves nothing: it counts as failed
    skipped="$(grep -cE ': skipped Test' "$log" || true)"
    if [ "$skipped" -gt 0 ]; then grep -E ': skipped Test' "$log" | head -n 10; fi
    # a run selecting no test, or ending in error, proves nothing either
    if [ "$(cat "$STATE/odoo-test-$db.rc" 2>/dev/null)" != "0" ] || [ "$total" -eq 0 ]; then bad=$((bad + 1)); fi
    o_passed=$((o_passed + total - failed - errors - skipped))
    o_bad=$((o_bad + bad + skipped))
    say "Full Odoo log: $log ($result)"
done
summary+=("odoo: $o_passed passed, $o_bad failed")
if [ "$o_bad" -ne 0 ]; then status=1; fi
timed odoo

# A tool run as a tier: passed when its command exits 0; its log's tail is shown otherwise.
tool_tier() {
    local name="$1" title="$2" log="$3"
    shift 3
    say "$title"
    if "$@" >"$log" 2>&1; then
        summary+=("$name: 1 passed, 0 failed")
    else
        tail -n 40 "$log"
        summary+=("$name: 0 passed, 1 failed")
        status=1
    fi
    timed "$name"
}

# `make run` as a new user meets it: a fresh database, the demo connected and imported, a change
# made in the sandbox seen in Odoo, no ERROR in the server log, stopped cleanly.
tool_tier run "make run smoke check (fresh database)" "$STATE/run-smoke-tier.log" bash "$ROOT/tools/run_smoke.sh"

# The benchmark at a small size, as a smoke test: it must complete and the counts on both
# sides must match (its figures are not asserted here; `make bench` reports them).
tool_tier bench "Benchmark smoke test (make bench at N=60)" "$STATE/bench-smoke.log" \
    env QUICK=1 BENCH_N=60 BENCH_REPORT="$STATE/bench-smoke.json" bash "$ROOT/tools/bench.sh"

# The chaos run at a small size (make chaos QUICK=1): faults, shuffled repeated webhooks, two
# SIGKILLs and token expiry; it passes when nothing is lost, doubled, unbalanced, mismatched,
# untyped or left in plain text. Its fuzzing tier at 10,000 cases runs in `make chaos` only.
tool_tier chaos "Chaos, quick (make chaos QUICK=1)" "$STATE/chaos-quick.log" \
    env QUICK=1 CHAOS_REPORT="$STATE/chaos-quick.json" bash "$ROOT/tools/chaos.sh"

# The poll providers' plug-ins (Wave, Kashoo, Reckon One): their chaos runs at N=10 (nothing
# lost, doubled or mismatched under faults and two SIGKILLs; their polls bring every change in)
# and their bench smoke runs at N=20 (the counts match on both sides; a change made on the
# provider's side is polled into Odoo), all six side by side, each on a database, ports and
# report of its own: most of such a run waits on a poll, a fault's back-off or a request limit,
# so together they take little longer than the longest. TEST_POLL_BENCH=0 leaves the benches out.
poll_tiers=()
port=8520
for provider in wave kashoo reckon; do
    poll_tiers+=("chaos-$provider|env PROVIDER=$provider QUICK=1 CHAOS_N=10 CHAOS_DB=connectors_chaos_$provider CHAOS_HTTP_PORT=$port CHAOS_REPORT=$STATE/chaos-quick-$provider/report.json bash $ROOT/tools/chaos.sh")
    port=$((port + 20))
    if [ "${TEST_POLL_BENCH:-1}" != "0" ]; then
        poll_tiers+=("bench-$provider|env PROVIDER=$provider QUICK=1 BENCH_N=20 BENCH_DB=connectors_bench_$provider BENCH_HTTP_PORT=$port BENCH_REPORT=$STATE/bench-smoke-$provider/report.json bash $ROOT/tools/bench.sh")
        port=$((port + 20))
    fi
done
say "The poll providers' chaos (N=10) and bench (N=20) runs, side by side: ${poll_tiers[*]%%|*}"
for tier in "${poll_tiers[@]}"; do
    IFS="|" read -r name command <<<"$tier"
    # shellcheck disable=SC2086 # the command is words on purpose
    in_background "$STATE/$name.log" "$STATE/$name.rc" $command
done
wait
timed "poll providers"
for tier in "${poll_tiers[@]}"; do
    name="${tier%%|*}"
    if [ "$(cat "$STATE/$name.rc" 2>/dev/null)" = "0" ]; then
        summary+=("$name: 1 passed, 0 failed")
    else
        say "$name failed: the end of $STATE/$name.log"
        tail -n 40 "$STATE/$name.log"
        summary+=("$name: 0 passed, 1 failed")
        status=1
    fi
done

echo
for line in "${summary[@]}"; do echo "$line"; done
echo "time: $(IFS=,; echo "${timings[*]}" | sed 's/,/, /g'); $SECONDS s in all"
exit "$status"
