#!/usr/bin/env bash
# The Odoo tests of some addons on a fresh database, for iterating on one addon:
#   tools/odoo-test-subset.sh DB PORT ADDONS   (make test-odoo ADDONS=connector_base)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DB="$1" PORT="$2" TEST_ADDONS="$3"
tags="$(tr ',' '\n' <<<"$TEST_ADDONS" | sed 's|^|/|' | paste -sd,)"
tags="${TEST_TAGS:-$tags}"  # one test while iterating: TEST_TAGS=/addon:Class.test_name
log="$STATE/odoo-test-$DB.log"
set +e
bash "$ROOT/tools/odoo-tests.sh" "$DB" "$PORT" "$TEST_ADDONS" "$tags" "$log"
rc=$?
set -e
grep -E "(ERROR|FAIL:|CRITICAL)" "$log" | grep -v "odoo.sql_db: bad query" | head -n 60 || true
grep -E 'odoo.tests.result: ' "$log" | tail -n 1 || tail -n 40 "$log"
echo "exit $rc; full log: $log"
