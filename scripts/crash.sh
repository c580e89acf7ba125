#!/usr/bin/env bash
# A longer crash run, then the check that every acknowledged write exists exactly once.
#
#   KILLS=20 WRITERS=8 scripts/crash.sh
#       KILLS SIGKILLs of the server under WRITERS concurrent writers, on SQLite and on the
#       Postgres server of HUB_TEST_POSTGRES_URL (default: the local one on port 5432).
#
#   KILLS=20 WRITERS=8 scripts/crash.sh pg-immediate
#       The database itself is stopped with `pg_ctl -m immediate` KILLS times (and started
#       again) while the server and the writers keep going. This runs on a private, throwaway
#       cluster made with initdb under /tmp on PG_PORT (default 5499), never on a shared one;
#       the cluster is removed afterwards. PG_BIN names the PostgreSQL binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
export CRASH_KILLS="${KILLS:-20}" CRASH_WRITERS="${WRITERS:-8}"
filter='crash run|negative control|test result|panicked'

if [ "${1:-}" != "pg-immediate" ]; then
  export HUB_TEST_POSTGRES_URL="${HUB_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  set +e
  cargo test --test api crash:: -- --nocapture --test-threads=1 2>&1 | grep -E "$filter"
  exit "${PIPESTATUS[0]}"
fi

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
PG_PORT="${PG_PORT:-5499}"
[ -x "$PG_BIN/pg_ctl" ] || { echo "pg_ctl not found; set PG_BIN" >&2; exit 1; }
if pg_isready -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; then
  echo "something already listens on port $PG_PORT; choose another PG_PORT" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
dir=$(mktemp -d /tmp/hub-crash-pg.XXXXXX)
chmod 755 "$dir"
[ ${#as_pg[@]} -eq 0 ] || chown postgres "$dir"
data="$dir/data"
cleanup() {
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$PG_BIN/initdb" -D "$data" -U postgres -A trust >/dev/null
# Durable as shipped (fsync, synchronous_commit and full_page_writes stay on).
ctl=("${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1")
"${ctl[@]}" -w start >/dev/null

export HUB_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
ctl_line=$(printf '%q ' "${ctl[@]}")
export CRASH_DB_STOP="$ctl_line -m immediate stop >/dev/null"
export CRASH_DB_START="$ctl_line -w -t 60 start >/dev/null"
set +e
cargo test --test api postgres::crash::pg_immediate -- --nocapture --test-threads=1 2>&1 | grep -E "$filter"
status="${PIPESTATUS[0]}"
echo "database log: $(grep -c 'automatic recovery in progress' "$dir/server.log") crash recoveries"
exit "$status"
