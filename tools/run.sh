#!/usr/bin/env bash
# `make run`: bootstrap, then the demo database with the connector suite installed and
# Odoo serving on http://localhost:8069 with the queue_job runner. Ctrl-C stops it all.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bash "$ROOT/tools/bootstrap.sh"
bash "$ROOT/tools/pg.sh"

DB="${DEMO_DB:-connectors_demo}"
PORT="${HTTP_PORT:-8069}"
export CONNECTORS_ROOT="$ROOT"
conf="$(bash "$ROOT/tools/odoo-conf.sh" "run-$DB" "$DB" "$PORT")"
DEMO_MODULES="$(cd "$ROOT" && "$PY" -c 'from tools.demo import modules; print(",".join(modules()))')"

# Each provider's sandbox (tools/demo/<provider>.py) with its generated company, on its fixed port
# (QBO_SANDBOX_PORT 8765, WAVE_SANDBOX_PORT 8766, KASHOO_SANDBOX_PORT 8767, RECKON_SANDBOX_PORT 8768);
# QuickBooks' webhooks go to this Odoo.
SANDBOX_LOGS="$STATE/sandboxes-$DB"
mkdir -p "$SANDBOX_LOGS"
say "Starting the providers' sandboxes"
(cd "$ROOT" && exec "$PY" -m tools.demo.sandboxes "http://127.0.0.1:$PORT" "$SANDBOX_LOGS") >"$SANDBOX_LOGS/started.log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null' EXIT
until grep -q "^sandboxes ready" "$SANDBOX_LOGS/started.log"; do
    kill -0 $sandbox_pid 2>/dev/null || die "No sandbox started." "See $SANDBOX_LOGS/."
    sleep 0.2
done
grep -v "^sandboxes ready" "$SANDBOX_LOGS/started.log" >&2 || true

# "no", or "yes" and the demo's localisation modules not installed yet (comma separated)
exists="$("$PY" - "$DB" "$DEMO_MODULES" <<'PYEOF'
import os, sys, psycopg2
conn = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER_ODOO"],
                        password=os.environ.get("PGPASSWORD_ODOO", "odoo"), dbname="postgres", connect_timeout=10)
cur = conn.cursor()
cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [sys.argv[1]])
if not cur.fetchone():
    print("no")
    sys.exit()
conn = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER_ODOO"],
                        password=os.environ.get("PGPASSWORD_ODOO", "odoo"), dbname=sys.argv[1], connect_timeout=10)
cur = conn.cursor()
wanted = [name for name in sys.argv[2].split(",") if name]
cur.execute("SELECT name FROM ir_module_module WHERE name = ANY(%s) AND state = 'installed'", [wanted])
installed = {row[0] for row in cur.fetchall()}
print("yes", ",".join(name for name in wanted if name not in installed))
PYEOF
)"
if [ "$exists" = "no" ]; then
    say "Creating the demo database '$DB' (a few minutes the first time)"
    "$VENV/bin/odoo" -c "$conf" -d "$DB" -i "$ADDONS,$DEMO_MODULES" --without-demo=all --stop-after-init \
        --log-level=warn >"$STATE/demo-install.log" 2>&1 ||
        die "Installing the connectors into '$DB' failed." "See $STATE/demo-install.log."
else
    missing="${exists#yes}"
    missing="${missing# }"
    say "Updating the connectors in '$DB'"
    "$VENV/bin/odoo" -c "$conf" -d "$DB" -u "$ADDONS" ${missing:+-i "$missing"} --stop-after-init --log-level=warn \
        >"$STATE/demo-update.log" 2>&1 || die "Updating '$DB' failed." "See $STATE/demo-update.log."
fi
say "Setting up the demo companies (each once: its country, chart, taxes and connection)"
"$VENV/bin/odoo" shell -c "$conf" -d "$DB" --no-http --log-level=warn <"$ROOT/tools/demo_setup.py" \
    >"$STATE/demo-setup.log" 2>&1 || die "Setting up the demo companies failed." "See $STATE/demo-setup.log."
grep "^demo: " "$STATE/demo-setup.log" | sed 's/^demo:/ /' >&2 || true

cat <<MSG

  Odoo 18 with the accounting connectors is starting.
    URL:      http://localhost:$PORT
    Login:    admin
    Password: admin
    Database: $DB
  Connectors: Invoicing > Configuration > Connectors; quarantine: Invoicing > Connectors.
  The demo companies (switch at the top right), each connected to its provider's sandbox:
$(cd "$ROOT" && "$PY" -m tools.demo describe)
  Press Ctrl-C to stop.

MSG
"$PY" "$ROOT/tools/demo_connect.py" "http://127.0.0.1:$PORT" "$DB" &
connect_pid=$!
trap 'kill $sandbox_pid $connect_pid 2>/dev/null' EXIT
"$VENV/bin/odoo" -c "$conf" -d "$DB"
