#!/usr/bin/env bash
# Creates the Secrets deploy/k8s reads, none of which is in git: identite's
# signing key and its list of service clients, the orchestrator's and
# panier's client secrets, web's session key (made by identite -init-secrets,
# as compose's secrets job and the native launcher do), and one basic-auth
# Secret per database role, whose password CloudNativePG gives the role and
# the service reads as PGPASSWORD.
#
# Usage, from anywhere in the repository, once per namespace:
#   deploy/k8s/secrets.sh [namespace]     (default: multimagasins)
# It refuses to run when any of them exists: the identite files belong
# together, so rotating means deleting them all first (README.md).
# KUBECTL and IDENTITE override the commands used (IDENTITE defaults to
# `go run` of identite, so Go is the only requirement besides kubectl).
set -euo pipefail

ns="${1:-multimagasins}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
kubectl="${KUBECTL:-kubectl}"
roles=(clients panier commande stock paiement orchestrator identite)
names=(identite-keys panier-client orchestrator-client web-session)
for role in "${roles[@]}"; do names+=("db-$role"); done

for name in "${names[@]}"; do
	if "$kubectl" -n "$ns" get secret "$name" >/dev/null 2>&1; then
		echo "secrets.sh: secret $name already exists in $ns; delete them all to make new ones" >&2
		exit 1
	fi
done

# The files never leave this private folder, and no value is on a command line.
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
if [ -n "${IDENTITE:-}" ]; then
	"$IDENTITE" -init-secrets "$dir/files" >/dev/null
else
	(cd "$root" && go run ./services/identite/cmd/identite -init-secrets "$dir/files" >/dev/null)
fi

create() { "$kubectl" -n "$ns" create secret generic "$@"; }
f="$dir/files"
create identite-keys --from-file=signing-key.pem="$f/signing-key.pem" --from-file=service-clients="$f/service-clients"
create panier-client --from-file=panier.secret="$f/panier.secret"
create orchestrator-client --from-file=orchestrator.secret="$f/orchestrator.secret"
create web-session --from-file=session.key="$f/session.key"

# 24 random bytes as hex: nothing to escape anywhere a password goes.
for role in "${roles[@]}"; do
	mkdir -p "$dir/db/$role"
	printf '%s' "$role" >"$dir/db/$role/username"
	od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$dir/db/$role/password"
	create "db-$role" --type=kubernetes.io/basic-auth \
		--from-file=username="$dir/db/$role/username" --from-file=password="$dir/db/$role/password"
	# CloudNativePG reloads a role's password when its Secret changes.
	"$kubectl" -n "$ns" label secret "db-$role" cnpg.io/reload=true >/dev/null
done
echo "secrets.sh: ${#names[@]} secrets created in $ns"
