#!/usr/bin/env bash
# Odoo's test runner on a fresh database: installs ADDONS (the test-only connector_fake of
# tests/addons can be one), runs the tests TAGS selects, writes everything to LOG and exits with
# Odoo's status.
#   tools/odoo-tests.sh DB PORT ADDONS TAGS LOG
# `make test` runs its Odoo tier as two of these side by side; `make test-odoo` runs one.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DB="$1" PORT="$2" TEST_ADDONS="$3" TAGS="$4" LOG="$5"
conf="$(bash "$ROOT/tools/odoo-conf.sh" "test-$DB" "$DB" "$PORT")"
# the test-only fake provider addon lives outside the shipped addons
sed -i "s|^addons_path = |addons_path = $ROOT/tests/addons,|" "$conf"
drop_database "$DB"
exec "$VENV/bin/odoo" -c "$conf" -d "$DB" -i "$TEST_ADDONS" --without-demo=all --test-enable --test-tags "$TAGS" \
    --stop-after-init --log-level=test --log-handler=odoo.tests.stats:WARNING >"$LOG" 2>&1
