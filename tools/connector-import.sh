#!/usr/bin/env bash
# A first import from the shell, with a summary of counts (large first loads):
#   tools/connector-import.sh --backend "QuickBooks" [--kinds party,invoice] [--restart] [--commit-every 500]
# Uses the demo database and its configuration unless -d / -c are given.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -x "$VENV/bin/odoo" ] || die "Run 'make run' (or 'make bootstrap') first."
args=("$@")
[[ " ${args[*]} " == *" -d "* || " ${args[*]} " == *" --database "* ]] || args+=(-d "${DEMO_DB:-connectors_demo}")
[[ " ${args[*]} " == *" -c "* || " ${args[*]} " == *" --config "* ]] || args+=(-c "$STATE/run-${DEMO_DB:-connectors_demo}.conf")
exec "$VENV/bin/odoo" --addons-path="$(addons_path)" connector_import "${args[@]}"
