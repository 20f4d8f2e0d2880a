#!/usr/bin/env bash
# PostgreSQL image init script: run once by the official image's entrypoint
# when it creates an empty data directory. Mount this folder at
# /docker-entrypoint-initdb.d and ../schemas.sql at $SCHEMAS_SQL
# (default /multimagasins/schemas.sql).
#
# It creates every service's schema and login role from schemas.sql (the same
# file the native launcher and the tests use), then gives each role its
# password from the environment. Passwords reach psql through \getenv, never
# on a command line or in a file, and :'pw' quotes them as SQL literals.
set -euo pipefail

schemas="${SCHEMAS_SQL:-/multimagasins/schemas.sql}"
psql_db() {
	psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc \
		--username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" "$@"
}

roles=(clients panier commande stock paiement orchestrator identite)
missing=()
for role in "${roles[@]}"; do
	var="${role^^}_DB_PASSWORD"
	[ -n "${!var:-}" ] || missing+=("$var")
done
if [ "${#missing[@]}" -ne 0 ]; then
	echo "multimagasins: every service role needs a password; set ${missing[*]}" >&2
	exit 1
fi

echo "multimagasins: schemas and roles from $schemas"
psql_db --quiet --file "$schemas"

for role in "${roles[@]}"; do
	psql_db --quiet -v role="$role" -v pwvar="${role^^}_DB_PASSWORD" <<-'SQL'
		\getenv pw :pwvar
		ALTER ROLE :"role" WITH LOGIN PASSWORD :'pw';
	SQL
	echo "multimagasins: password set for role $role"
done
