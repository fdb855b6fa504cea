#!/usr/bin/env bash
# `make run`: bootstrap, then the demo database with the connector suite installed and
# Odoo serving on http://localhost:8069 with the queue_job runner. Ctrl-C stops it all.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bash "$ROOT/tools/bootstrap.sh"
bash "$ROOT/tools/pg.sh"

DB="${DEMO_DB:-connectors_demo}"
PORT="${HTTP_PORT:-8069}"
SANDBOX_PORT="${QBO_SANDBOX_PORT:-8765}"
export SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
conf="$(bash "$ROOT/tools/odoo-conf.sh" "run-$DB" "$DB" "$PORT")"

# The QuickBooks sandbox with a small realistic company; its webhooks go to this Odoo.
say "Starting the QuickBooks sandbox on $SANDBOX_URL"
(cd "$ROOT" && exec "$PY" -m tests.sandbox.quickbooks --port "$SANDBOX_PORT" --generate \
    --webhook-url "http://127.0.0.1:$PORT/connector_quickbooks/webhook") >"$STATE/qbo-sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null' EXIT
for _ in $(seq 50); do
    "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
        "$SANDBOX_URL/_sandbox/stats" 2>/dev/null && break
    kill -0 $sandbox_pid 2>/dev/null || die "The QuickBooks sandbox did not start." "See $STATE/qbo-sandbox.log."
    sleep 0.2
done

exists="$("$PY" - "$DB" <<'PYEOF'
import os, sys, psycopg2
conn = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER_ODOO"],
                        password=os.environ.get("PGPASSWORD_ODOO", "odoo"), dbname="postgres", connect_timeout=10)
cur = conn.cursor()
cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [sys.argv[1]])
print("yes" if cur.fetchone() else "no")
PYEOF
)"
if [ "$exists" = "no" ]; then
    say "Creating the demo database '$DB' (a few minutes the first time)"
    "$VENV/bin/odoo" -c "$conf" -d "$DB" -i "$ADDONS" --without-demo=all --stop-after-init \
        --log-level=warn >"$STATE/demo-install.log" 2>&1 ||
        die "Installing the connectors into '$DB' failed." "See $STATE/demo-install.log."
    say "Loading a chart of accounts for the demo company"
    "$VENV/bin/odoo" shell -c "$conf" -d "$DB" --no-http --log-level=warn <"$ROOT/tools/demo_setup.py" \
        >"$STATE/demo-setup.log" 2>&1 || die "Setting up the demo company failed." "See $STATE/demo-setup.log."
else
    say "Updating the connectors in '$DB'"
    "$VENV/bin/odoo" -c "$conf" -d "$DB" -u "$ADDONS" --stop-after-init --log-level=warn \
        >"$STATE/demo-update.log" 2>&1 || die "Updating '$DB' failed." "See $STATE/demo-update.log."
fi

cat <<MSG

  Odoo 18 with the accounting connectors is starting.
    URL:      http://localhost:$PORT
    Login:    admin
    Password: admin
    Database: $DB
  Connectors: Invoicing > Configuration > Connectors; quarantine: Invoicing > Connectors.
  QuickBooks sandbox: $SANDBOX_URL (a change there reaches Odoo by webhook, e.g.
    curl -X POST $SANDBOX_URL/_sandbox/change -d '{"entity": "Customer", "body": {"DisplayName": "New Customer"}}')
  Press Ctrl-C to stop.

MSG
"$PY" "$ROOT/tools/demo_connect.py" "http://127.0.0.1:$PORT" "$DB" &
connect_pid=$!
trap 'kill $sandbox_pid $connect_pid 2>/dev/null' EXIT
"$VENV/bin/odoo" -c "$conf" -d "$DB"
