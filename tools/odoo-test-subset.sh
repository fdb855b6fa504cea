#!/usr/bin/env bash
# The Odoo tests of some addons on a fresh database, for iterating on one addon:
#   tools/odoo-test-subset.sh DB PORT ADDONS   (make test-odoo ADDONS=connector_base)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DB="$1" PORT="$2" TEST_ADDONS="$3"
conf="$(bash "$ROOT/tools/odoo-conf.sh" "test-$DB" "$DB" "$PORT")"
sed -i "s|^addons_path = |addons_path = $ROOT/tests/addons,|" "$conf"
"$PY" - "$DB" <<'PYEOF'
import os, sys, psycopg2
conn = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER_ODOO"],
                        password=os.environ.get("PGPASSWORD_ODOO", "odoo"), dbname="postgres", connect_timeout=10)
conn.autocommit = True
conn.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1])
PYEOF
tags="$(tr ',' '\n' <<<"$TEST_ADDONS" | sed 's|^|/|' | paste -sd,)"
log="$STATE/odoo-test-$DB.log"
set +e
"$VENV/bin/odoo" -c "$conf" -d "$DB" -i "$TEST_ADDONS" --without-demo=all --test-enable --test-tags "$tags" \
    --stop-after-init --log-level=test --log-handler=odoo.tests.stats:WARNING >"$log" 2>&1
rc=$?
set -e
grep -E "(ERROR|FAIL:|CRITICAL)" "$log" | grep -v "odoo.sql_db: bad query" | head -n 60 || true
grep -E 'odoo.tests.result: ' "$log" | tail -n 1 || tail -n 40 "$log"
echo "exit $rc; full log: $log"
