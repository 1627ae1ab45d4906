#!/usr/bin/env bash
# Prints a DATABASE_URL that answers. Uses $DATABASE_URL when it is reachable; otherwise
# starts the local PostgreSQL cluster and creates the `meridian` role and database.
# Usage: export DATABASE_URL="$(scripts/ensure-postgres.sh)"
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# Only the URL goes to standard output (callers capture it); everything the tools below
# print goes to standard error. pg_ctlcluster, for one, writes to stdout when it starts a
# cluster, and that once ended up inside DATABASE_URL.
exec 3>&1 1>&2

reachable() { psql "$1" -XAtqc 'select 1' >/dev/null 2>&1; }

if [ -n "${DATABASE_URL:-}" ]; then
  if reachable "$DATABASE_URL"; then echo "$DATABASE_URL" >&3; exit 0; fi
  say "DATABASE_URL is set but does not answer; using the local PostgreSQL server instead"
fi

cluster="$(pg_lsclusters --no-header 2>/dev/null | head -n 1 || true)"
if [ -z "$cluster" ]; then
  say "Creating a PostgreSQL cluster"
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  as_root pg_createcluster "$version" main >/dev/null
  cluster="$(pg_lsclusters --no-header | head -n 1)"
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  say "Starting PostgreSQL $version/$name on port $port"
  # 3>&-: the server must not inherit the pipe the caller is reading the URL from.
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start 3>&-
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done

pg() { as_root runuser -u postgres -- psql -p "$port" -XAtq "$@"; }
if [ "$(pg -c "select 1 from pg_roles where rolname = 'meridian'")" != "1" ]; then
  say "Creating the PostgreSQL role 'meridian'"
  # CREATEDB: #[sqlx::test] creates a fresh database per test.
  pg -c "create role meridian login createdb password 'meridian'"
fi
if [ "$(pg -c "select 1 from pg_database where datname = 'meridian'")" != "1" ]; then
  say "Creating the database 'meridian'"
  pg -c "create database meridian owner meridian"
fi
url="postgres://meridian:meridian@127.0.0.1:$port/meridian"
reachable "$url" || { say "PostgreSQL does not answer at $url"; exit 1; }
echo "$url" >&3
