#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at PGHOST:PGPORT (default 127.0.0.1:5432) and that
# Odoo's role exists. On this machine with no server, installs Debian's postgresql and starts it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PGPASSWORD_ODOO="${PGPASSWORD_ODOO:-odoo}"

answers() { (exec 3<>"/dev/tcp/$PGHOST/$PGPORT") 2>/dev/null; }

is_local() { case "$PGHOST" in 127.0.0.1 | localhost | ::1) return 0 ;; *) return 1 ;; esac; }

start_local_cluster() {
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        command -v apt-get >/dev/null 2>&1 ||
            die "No PostgreSQL answers at $PGHOST:$PGPORT and this machine has no apt-get to install one." \
                "Start PostgreSQL, or set PGHOST and PGPORT to a server that answers."
        say "No PostgreSQL at $PGHOST:$PGPORT: installing Debian's postgresql"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2 ||
            die "Could not install PostgreSQL." "Install and start PostgreSQL, or set PGHOST and PGPORT to a server that answers."
    fi
    local version
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$version" ]; then
        version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
        say "Creating PostgreSQL $version cluster 'main' on port $PGPORT"
        pg_createcluster --port "$PGPORT" "$version" main >&2
    fi
    say "Starting PostgreSQL $version cluster 'main'"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    for _ in $(seq 1 30); do answers && return 0; sleep 1; done
    die "PostgreSQL $version was started but does not answer at $PGHOST:$PGPORT." \
        "Check its port in /etc/postgresql/$version/main/postgresql.conf, or set PGPORT."
}

sql_as_superuser() {
    # Trust auth over TCP first; then the local postgres account over the socket (peer auth).
    if "$PY" - "$1" <<'PYEOF' 2>/dev/null; then return 0; fi
import os, sys, psycopg2
conn = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user="postgres", dbname="postgres", connect_timeout=5)
conn.autocommit = True
conn.cursor().execute(sys.argv[1])
PYEOF
    if is_local && command -v runuser >/dev/null 2>&1 && id postgres >/dev/null 2>&1; then
        runuser -u postgres -- psql -p "$PGPORT" -qXc "$1" >/dev/null && return 0
    fi
    return 1
}

odoo_role_connects() {
    PGPASSWORD="$PGPASSWORD_ODOO" "$PY" - <<'PYEOF' 2>/dev/null
import os, psycopg2
psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER_ODOO"],
                 password=os.environ["PGPASSWORD"], dbname="postgres", connect_timeout=5).close()
PYEOF
}

main() {
    if ! answers; then
        is_local || die "No PostgreSQL answers at $PGHOST:$PGPORT." "Start it, or set PGHOST and PGPORT to a server that answers."
        start_local_cluster
    fi
    # Odoo refuses to connect as 'postgres': it uses its own role with CREATEDB.
    odoo_role_connects && return 0
    say "Creating the PostgreSQL role '$PGUSER_ODOO' (LOGIN CREATEDB)"
    # a script started beside this one (two chaos runs) may have created it a moment before
    sql_as_superuser "CREATE ROLE \"$PGUSER_ODOO\" LOGIN CREATEDB PASSWORD '$PGPASSWORD_ODOO'" || odoo_role_connects ||
        die "PostgreSQL answers at $PGHOST:$PGPORT but the role '$PGUSER_ODOO' could not be created." \
            "Create it yourself (CREATE ROLE $PGUSER_ODOO LOGIN CREATEDB PASSWORD '...'), and set PGUSER_ODOO / PGPASSWORD_ODOO."
}

main "$@"
