#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server: scripts/with-postgres.sh <command...>
#
# Starts a private server in a temporary folder (socket there too, TCP on a free loopback port),
# creates a database, exports DATABASE_URL (and the PG* variables), runs the command, then
# always stops the server and deletes the folder. The command's exit status is passed through.
# As root, the server runs as the "postgres" user (initdb refuses root); as anyone else, as you.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command...>" >&2
  exit 2
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL server binaries not found: install the 'postgresql' package." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)   # e.g. /usr/lib/postgresql/15/bin
PGPORT=${PGPORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PGTMP=$(mktemp -d /tmp/backcare-pg.XXXXXX)

if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$PGTMP"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

stop_pg() {
  if [ -f "$PGTMP/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$PGTMP"
}
trap stop_pg EXIT

as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durability is not needed for a test server: fsync and friends off make it much faster.
if ! as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null; then
  echo "PostgreSQL did not start; its log:" >&2
  cat "$PGTMP/server.log" >&2
  exit 1
fi
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres backcare

export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=backcare
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/backcare"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"

status=0
"$@" || status=$?
exit "$status"
