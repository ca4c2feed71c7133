#!/usr/bin/env bash
# Make a local PostgreSQL server ready for the test suite and print its admin URL.
# Installs Debian's postgresql when missing, starts the cluster, sets the postgres password.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
cluster=$(pg_lsclusters --no-header | head -1)
version=$(echo "$cluster" | awk '{print $1}'); name=$(echo "$cluster" | awk '{print $2}')
port=$(echo "$cluster" | awk '{print $3}')
if ! echo "$cluster" | grep -q online; then
  as_root pg_ctlcluster "$version" "$name" start
fi
for _ in $(seq 1 30); do
  as_root su postgres -c "pg_isready -q -p $port" && break
  sleep 1
done
as_root su postgres -c "psql -q -p $port -c \"ALTER USER postgres PASSWORD 'tracker'\"" >/dev/null
echo "postgresql+psycopg://postgres:tracker@127.0.0.1:${port}/postgres"
