#!/usr/bin/env bash
# The README's `make run`, tried as a new user would, inside `make test`: on a fresh database it
# must start, connect every demo connection to its sandbox (QuickBooks and Wave through their
# consent pages, Kashoo through its sign-in form, Reckon One through its consent page and the book
# chosen), import each demo company, see a change made in each sandbox arrive (QuickBooks by
# webhook, Wave, Kashoo and Reckon One at their next poll: the changes are made together, so this
# costs one poll), write no ERROR line to the server log, and stop when asked. Ports and database
# are its own, so it runs beside a `make run`.
#   RUN_SMOKE_DB (connectors_run_smoke), RUN_SMOKE_PORT (8179), the sandboxes' ports
#   RUN_SMOKE_SANDBOX_PORT (QuickBooks, 8775), RUN_SMOKE_WAVE_SANDBOX_PORT (8776),
#   RUN_SMOKE_KASHOO_SANDBOX_PORT (8777), RUN_SMOKE_RECKON_SANDBOX_PORT (8778) (tools/demo:
#   RUN_SMOKE_ and each provider's port variable, by default its make run port plus 10),
#   RUN_SMOKE_DEADLINE (1500 s for the whole run).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB="${RUN_SMOKE_DB:-connectors_run_smoke}"
PORT="${RUN_SMOKE_PORT:-8179}"
DEADLINE=$((SECONDS + ${RUN_SMOKE_DEADLINE:-1500}))
LOG="$STATE/run-smoke.log"
mkdir -p "$STATE"

bash "$ROOT/tools/bootstrap.sh"
bash "$ROOT/tools/pg.sh"
# the sandboxes' ports, as make run takes them (QBO_SANDBOX_PORT=8775, WAVE_SANDBOX_PORT=8776, ...)
ports="$(cd "$ROOT" && "$PY" -m tools.demo smoke-ports)"
while read -r assignment; do export "${assignment?}"; done <<<"$ports"
say "make run smoke check: fresh database '$DB', Odoo on port $PORT, sandboxes on $(cut -d= -f2 <<<"$ports" | paste -sd, -)"
drop_database "$DB"

# make run, in its own process group so that stopping it stops everything it started
: >"$LOG"
setsid env DEMO_DB="$DB" HTTP_PORT="$PORT" bash "$ROOT/tools/run.sh" >"$LOG" 2>&1 &
run_pid=$!
stop_run() {
    kill -TERM -- "-$run_pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$run_pid" 2>/dev/null || return 0; sleep 1; done
    kill -KILL -- "-$run_pid" 2>/dev/null || true
}
trap stop_run EXIT

fail() {
    printf '\nmake run smoke check FAILED: %s\n' "$1" >&2
    tail -n 30 "$LOG" >&2
    exit 1
}

say "Waiting for make run to create the demo, connect and import"
until grep -q "^Demo ready:" "$LOG"; do
    kill -0 "$run_pid" 2>/dev/null || fail "make run stopped before the demo was ready"
    grep -q "demo connection was not connected" "$LOG" && fail "$(grep "demo connection was not connected" "$LOG" | head -n 3)"
    [ "$SECONDS" -lt "$DEADLINE" ] || fail "the demo was not ready within ${RUN_SMOKE_DEADLINE:-1500} s"
    sleep 2
done
grep "^Demo ready:" "$LOG" >&2

say "A change made in each sandbox must reach Odoo (QuickBooks by webhook, the others at their next poll)"
(cd "$ROOT" && "$PY" -m tools.demo.smoke "http://127.0.0.1:$PORT" "$DB") || fail "a sandbox change did not reach Odoo"

# the server log of the whole first run: an admin reading it must see no error
errors="$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$LOG" || true)"
if [ -n "$errors" ]; then
    printf '%s\n' "$errors" | head -n 20 >&2
    fail "the server log of the first run has $(wc -l <<<"$errors") ERROR lines"
fi

say "Stopping make run"
stop_run
trap - EXIT
kill -0 "$run_pid" 2>/dev/null && fail "make run did not stop"
say "make run smoke check passed"
