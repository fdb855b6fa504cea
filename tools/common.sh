# Shared settings for the tools/ scripts. Source it; do not run it.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
STATE="$ROOT/.odoo"           # generated config, secret key, logs (git-ignored)
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER_ODOO="${PGUSER_ODOO:-odoo}"
ADDONS="connector_base,connector_quickbooks,connector_wave,connector_kashoo,connector_reckon"

say() { printf '==> %s\n' "$*" >&2; }

# One clear message, no stack trace, and a non-zero exit.
die() {
    printf '\nERROR: %s\n' "$1" >&2
    shift || true
    for line in "$@"; do printf '       %s\n' "$line" >&2; done
    exit 2
}

# Drops database $1 if it exists, closing its connections first (a fresh database for a run).
drop_database() {
    "$PY" - "$1" <<'PYEOF'
import os, sys, psycopg2
conn = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER_ODOO"],
                        password=os.environ.get("PGPASSWORD_ODOO", "odoo"), dbname="postgres", connect_timeout=10)
conn.autocommit = True
conn.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1])
PYEOF
}

# The Odoo source tree chosen by tools/bootstrap.sh (written to .venv/odoo-src).
odoo_src() {
    [ -f "$VENV/odoo-src" ] || die "The environment is not bootstrapped." "Run: make test (or tools/bootstrap.sh)."
    cat "$VENV/odoo-src"
}

# addons_path: this repository, the Odoo source's addons folders.
addons_path() {
    local src
    src="$(odoo_src)"
    local paths="$ROOT"
    [ -d "$src/addons" ] && paths="$paths,$src/addons"
    paths="$paths,$src/odoo/addons"
    printf '%s' "$paths"
}

# PROVIDER (default quickbooks) of `make bench` and `make chaos`: refused in one line, before any
# work, when its plug-in (tools/providers) is not built yet.
check_provider() {
    export PROVIDER="${PROVIDER:-quickbooks}"
    local refused
    refused="$(cd "$ROOT" && "$PY" -m tools.providers check "$PROVIDER" 2>&1)" || die "$refused"
}
