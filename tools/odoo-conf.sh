#!/usr/bin/env bash
# Writes .odoo/<name>.conf for a database and an HTTP port, and prints its path.
# Usage: tools/odoo-conf.sh NAME DBNAME HTTP_PORT
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

name="$1" db="$2" port="$3"
mkdir -p "$STATE/data"
chmod 700 "$STATE"

# The key that encrypts connector secrets lives in the server config (or the
# CONNECTOR_SECRET_KEY environment variable), never in the database.
key_file="$STATE/secret.key"
if [ ! -s "$key_file" ]; then
    (umask 077 && "$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' >"$key_file")
fi

conf="$STATE/$name.conf"
umask 077
cat >"$conf" <<CONF
[options]
addons_path = $(addons_path)
data_dir = $STATE/data
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER_ODOO
db_password = ${PGPASSWORD_ODOO:-odoo}
db_name = $db
dbfilter = ^$db\$
list_db = False
http_interface = 127.0.0.1
http_port = $port
gevent_port = $((port + 3))
server_wide_modules = base,web,queue_job
workers = 0
max_cron_threads = 1
connector_secret_key = ${CONNECTOR_SECRET_KEY:-$(cat "$key_file")}

[queue_job]
channels = root:2
CONF
printf '%s' "$conf"
