#!/usr/bin/env bash
# The README's `make run`, tried as a new user would, inside `make test`: on a fresh database it
# must start, connect the demo connection through the sandbox's OAuth page, import the demo
# company, see a change made in the sandbox arrive by webhook, write no ERROR line to the server
# log, and stop when asked. Ports and database are its own, so it runs beside a `make run`.
#   RUN_SMOKE_DB (connectors_run_smoke), RUN_SMOKE_PORT (8179), RUN_SMOKE_SANDBOX_PORT (8775),
#   RUN_SMOKE_DEADLINE (1500 s for the whole run).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB="${RUN_SMOKE_DB:-connectors_run_smoke}"
PORT="${RUN_SMOKE_PORT:-8179}"
SANDBOX_PORT="${RUN_SMOKE_SANDBOX_PORT:-8775}"
DEADLINE=$((SECONDS + ${RUN_SMOKE_DEADLINE:-1500}))
LOG="$STATE/run-smoke.log"
mkdir -p "$STATE"

bash "$ROOT/tools/bootstrap.sh"
bash "$ROOT/tools/pg.sh"
say "make run smoke check: fresh database '$DB', Odoo on port $PORT, sandbox on $SANDBOX_PORT"
"$PY" - "$DB" <<'PYEOF'
import os, sys, psycopg2
conn = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER_ODOO"],
                        password=os.environ.get("PGPASSWORD_ODOO", "odoo"), dbname="postgres", connect_timeout=10)
conn.autocommit = True
conn.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1])
PYEOF

# make run, in its own process group so that stopping it stops everything it started
setsid env DEMO_DB="$DB" HTTP_PORT="$PORT" QBO_SANDBOX_PORT="$SANDBOX_PORT" bash "$ROOT/tools/run.sh" >"$LOG" 2>&1 &
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
    grep -q "the demo connection was not connected" "$LOG" && fail "the demo connection was not connected and imported"
    [ "$SECONDS" -lt "$DEADLINE" ] || fail "the demo was not ready within ${RUN_SMOKE_DEADLINE:-1500} s"
    sleep 2
done
grep "^Demo ready:" "$LOG" >&2

say "A change made in the sandbox must reach Odoo by webhook"
"$PY" - "http://127.0.0.1:$PORT" "$DB" "http://127.0.0.1:$SANDBOX_PORT" <<'PYEOF' || fail "the sandbox change did not reach Odoo"
import sys, time, uuid
import requests

odoo, db, sandbox = sys.argv[1:4]
name = f"Smoke Check Customer {uuid.uuid4().hex[:8]}"
requests.post(f"{sandbox}/_sandbox/change", json={"entity": "Customer", "body": {"DisplayName": name}}, timeout=10).raise_for_status()
session = requests.Session()
session.post(f"{odoo}/web/session/authenticate", timeout=60,
             json={"jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": "admin", "password": "admin"}})
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    found = session.post(f"{odoo}/web/dataset/call_kw", timeout=30, json={
        "jsonrpc": "2.0", "method": "call",
        "params": {"model": "res.partner", "method": "search_count", "args": [[("name", "=", name)]], "kwargs": {}},
    }).json().get("result")
    if found:
        print(f"  '{name}' reached Odoo", file=sys.stderr)
        sys.exit(0)
    time.sleep(0.5)
sys.exit(1)
PYEOF

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
