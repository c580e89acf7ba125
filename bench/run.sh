#!/usr/bin/env bash
# The benchmark harness of consultation-hub (see bench/README.md).
#
#   bench/run.sh                        10k contributions, SQLite and Postgres, every scenario
#   SIZES="10000 100000" bench/run.sh   more sizes (each seeded into a fresh database)
#   SMOKE=1 bench/run.sh                200 contributions, 2 s per scenario, no pgbench: fails on any error
#
# For each backend and size: seed a fresh database with `consultation-hub bench-seed`, start
# `consultation-hub serve`, then for each scenario run wrk against the service and, on Postgres,
# pgbench with the same SQL (and the peers, when their URLs are given) one after the other.
# Raw outputs go to bench/out/<stamp>/; a non-smoke run rewrites bench/RESULTS.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")

# ---- the exact command: the knobs given in the environment (secrets masked) -------------------
KNOBS="SMOKE SIZES BACKENDS SCENARIOS DUR WARM ROUNDS PGB_DUR THREADS CONNS PGB_CONNS PGB_THREADS ORGS PGBENCH
HUB_WORKERS HUB_DB_POOL_SIZE MALLOC_ARENA_MAX PG_DB SQLITE_DB KEEP_DB PREPARE_ONLY HUB_BIN CARGO_TARGET_DIR
DIRECTUS_URL DIRECTUS_SQLITE_URL POSTGRAPHILE_URL PGHOST PGPORT PGUSER"
COMMAND=""
for k in $KNOBS; do
  if [ -n "${!k+x}" ]; then COMMAND+="$k=$(printf '%q' "${!k}") "; fi
done
for k in DIRECTUS_TOKEN POSTGRAPHILE_TOKEN; do
  if [ -n "${!k+x}" ]; then COMMAND+="$k=*** "; fi
done
COMMAND+="bench/run.sh"

# ---- knobs ----------------------------------------------------------------------------------
SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
  # pgbench runs 1 s per file: not a comparison, just so that its SQL files cannot rot either.
  SIZES=${SIZES:-200}; DUR=${DUR:-2}; WARM=${WARM:-0}; PGB_DUR=${PGB_DUR:-1}; ROUNDS=${ROUNDS:-1}
fi
SIZES=${SIZES:-10000}
BACKENDS=${BACKENDS:-sqlite postgres}
DUR=${DUR:-10}                  # seconds per measured run
WARM=${WARM:-2}                 # seconds of warm-up before each wrk run (0: none)
THREADS=${THREADS:-2}           # wrk threads
CONNS=${CONNS:-32}              # wrk connections
PGB_CONNS=${PGB_CONNS:-10}      # pgbench clients
PGB_THREADS=${PGB_THREADS:-2}   # pgbench threads
ORGS=${ORGS:-200}               # organisations generated
PGBENCH=${PGBENCH:-1}           # run the pgbench references (Postgres only)
PGB_DUR=${PGB_DUR:-$DUR}        # seconds per pgbench run
ROUNDS=${ROUNDS:-2}             # alternations of service / pgbench / peers per scenario (rates: mean)
FEED_LIMIT=${FEED_LIMIT:-1000}  # changes per feed page
KEEP_DB=${KEEP_DB:-0}           # keep the databases the run made
PREPARE_ONLY=${PREPARE_ONLY:-0} # seed (and keep) the databases, print their URLs, stop
ALL_SCENARIOS="rest_list_p1 rest_list_deep rest_search rest_by_id gql_nested feed_catchup rest_create token"
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
[ "$PREPARE_ONLY" = 1 ] && KEEP_DB=1

for s in $SCENARIOS; do
  case " $ALL_SCENARIOS " in *" $s "*) ;; *) echo "unknown scenario $s (known: $ALL_SCENARIOS)" >&2; exit 2;; esac
done
for b in $BACKENDS; do
  case $b in sqlite|postgres) ;; *) echo "unknown backend $b (sqlite, postgres)" >&2; exit 2;; esac
done
if { [[ -n "${PG_DB:-}" && "$PG_DB" != *'{size}'* ]] || [[ -n "${SQLITE_DB:-}" && "$SQLITE_DB" != *'{size}'* ]]; } \
    && [ "$(wc -w <<<"$SIZES")" -gt 1 ]; then
  echo "PG_DB / SQLITE_DB name one database: give a single size in SIZES, or put {size} in the name" >&2; exit 2
fi

STAMP=$(date -u +%Y%m%d-%H%M%S)
[ "$SMOKE" = 1 ] && STAMP="smoke-$STAMP"
OUT=$BENCH_DIR/out/$STAMP
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: > "$RESULTS"
exec > >(tee -a "$OUT/run.log") 2>&1
RUN_STARTED=$(date +%s)
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
log "command: $COMMAND"
log "output: $OUT"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hub-bench.XXXXXX")
SERVER_PID=""
CREATED_PG_DBS=()
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$KEEP_DB" != 1 ]; then
    for db in "${CREATED_PG_DBS[@]}"; do dropdb --if-exists "$db" 2>/dev/null || true; done
    rm -rf "$TMP"
  else
    log "kept: $TMP ${CREATED_PG_DBS[*]}"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tools ----------------------------------------------------------------------------------
need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk; then
  log "installing wrk (Debian package)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk; }
fi
need wrk || { echo "wrk is missing and could not be installed" >&2; exit 1; }
need curl || { echo "curl is needed" >&2; exit 1; }
need python3 || { echo "python3 is needed" >&2; exit 1; }
case " $BACKENDS " in *" postgres "*)
  for t in psql createdb dropdb pgbench pg_isready; do
    need "$t" || { echo "$t is needed for the postgres backend (Debian: postgresql-client)" >&2; exit 1; }
  done
  pg_isready -q -h "$PGHOST" -p "$PGPORT" || { echo "PostgreSQL is not reachable at $PGHOST:$PGPORT" >&2; exit 1; }
  ;;
esac

# ---- build ----------------------------------------------------------------------------------
if [ -z "${HUB_BIN:-}" ]; then
  TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
  case $TARGET_DIR in /*) ;; *) TARGET_DIR=$REPO/$TARGET_DIR;; esac
  log "building (cargo build --release, target dir $TARGET_DIR)"
  build_started=$(date +%s)
  (cd "$REPO" && CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --locked --quiet --bin consultation-hub)
  BUILD_SECONDS=$(( $(date +%s) - build_started ))
  log "build took $BUILD_SECONDS s"
  HUB_BIN=$TARGET_DIR/release/consultation-hub
fi
[ -x "$HUB_BIN" ] || { echo "no binary at $HUB_BIN" >&2; exit 1; }
# What the binary was (most likely) built from: a digest of the sources right after the build.
SRC_DIGEST=$(cd "$REPO" && find src migrations Cargo.toml Cargo.lock -type f -print0 2>/dev/null | sort -z \
  | xargs -0 sha256sum | sha256sum | cut -c1-12)

# ---- helpers --------------------------------------------------------------------------------
# record key=value ... : one JSON line in results.jsonl (numbers stay numbers)
record() {
  python3 - "$@" >> "$RESULTS" <<'PY'
import json, re, sys
out = {}
TEXT = {"commit", "stamp", "raw", "date", "ref", "command", "http", "loadavg", "sizes", "backends", "postgres",
        "workers", "pool", "wrk", "kernel", "cpu", "malloc_arena_max", "src_digest"}
for arg in sys.argv[1:]:
    k, _, v = arg.partition("=")
    out[k] = v if k in TEXT else float(v) if re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", v) else v
print(json.dumps(out, ensure_ascii=False))
PY
}
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
CLK_TCK=$(getconf CLK_TCK)
export BENCH_WRK_DIR=$BENCH_DIR/wrk
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Peak RSS since the last reset (writing 5 to clear_refs resets VmHWM, Linux >= 4.0).
reset_hwm() { echo 5 > "/proc/$1/clear_refs" 2>/dev/null || true; }
rss_mib() { awk '/^VmRSS:/{printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || true; }
vm_hwm_kib() { awk '/^VmHWM:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
pid_on_port() {  # the process listening on 127.0.0.1:PORT (for the peers' CPU and RSS), if ss can tell
  need ss || return 0
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2
}
# settle PID: wait until the work left by a load run is done (requests wrk abandoned at its end keep
# running in the server: their database calls cannot be cancelled). Done = the process uses less
# than 10% of a core over half a second and, on Postgres, no query of the benchmark database is
# active. At most 90 s.
settle() {
  local pid=$1 t0 t1 n=0 busy
  if [ -z "$pid" ]; then sleep 2; return 0; fi
  t0=$(cpu_ticks "$pid")
  while [ $n -lt 180 ]; do
    sleep 0.5
    t1=$(cpu_ticks "$pid")
    busy=0
    if [ "$BACKEND" = postgres ] && [ -n "${PG_DBNAME:-}" ]; then
      busy=$(psql -X -tAc "SELECT count(*) FROM pg_stat_activity WHERE datname = '$PG_DBNAME' AND state = 'active' AND pid <> pg_backend_pid()" -d postgres 2>/dev/null || echo 0)
    fi
    if [ $((t1 - t0)) -le $((CLK_TCK / 20)) ] && [ "${busy:-0}" = 0 ]; then
      [ $n -ge 4 ] && log "settled after $((n / 2)) s"
      return 0
    fi
    t0=$t1; n=$((n + 1))
  done
  log "still busy 90 s after the load stopped (pid $pid)"
}
log_warnings() {  # WARN/ERROR lines in the server log so far
  if [ -f "$DIR/server.log" ]; then grep -cE '"level":"(WARN|ERROR)"' "$DIR/server.log" || true; else echo 0; fi
}
port_of() { python3 -c 'import sys, urllib.parse; u = urllib.parse.urlparse(sys.argv[1]); print(u.port or 80)' "$1"; }
# wrk prints latencies as 1.23ms / 456.00us / 1.02s / 1.5m
to_ms() {
  awk -v v="$1" 'BEGIN{ if (v == "") { print ""; exit }
    if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
    else if (v ~ /m$/) { sub(/m$/, "", v); print v * 60000 } else { sub(/s$/, "", v); print v * 1000 } }'
}

# sql BACKEND DB QUERY : rows as tab-separated lines
sql() {
  if [ "$1" = postgres ]; then
    psql -X -q -t -A -F $'\t' -v ON_ERROR_STOP=1 -d "$2" -c "$3"
  else
    python3 - "$2" "$3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
for row in db.execute(sys.argv[2]):
    print("\t".join("" if v is None else str(v) for v in row))
PY
  fi
}

# check SYSTEM SCENARIO SAMPLE_FILE -- curl args : one request, 2xx and no GraphQL errors
check() {
  local system=$1 scenario=$2 sample=$3; shift 4
  local code
  code=$(curl -s -g -o "$sample" -w '%{http_code}' --max-time 60 "$@" || echo 000)
  if [ "${code:0:1}" != 2 ] || grep -q '"errors"' "$sample"; then
    log "CHECK FAILED $system $scenario: HTTP $code $(head -c 400 "$sample" 2>/dev/null)"
    record kind=check system="$system" backend="$BACKEND" size="$SIZE" scenario="$scenario" errors=1 http="$code"
    return 1
  fi
  # The answer has the scenario's shape: a page of published rows, one published row, nested organisations.
  local rows="" what
  case $scenario in rest_list_p1|gql_nested) rows=$PAGE_ROWS;; rest_list_deep) rows=$DEEP_ROWS;; rest_by_id) rows=1;; esac
  [ -n "$rows" ] || return 0
  if ! what=$(python3 "$BENCH_DIR/lib/shape.py" "$scenario" "$sample" "$rows" 2>&1); then
    log "CHECK FAILED $system $scenario: $(tail -n 1 <<<"$what" | head -c 400)"
    record kind=check system="$system" backend="$BACKEND" size="$SIZE" scenario="$scenario" errors=1 http="$code"
    return 1
  fi
  log "check $system $what"
  return 0
}

# wrkrun SYSTEM SCENARIO PID URL LUA AUTH : warm-up, then a measured run; CPU and peak RSS of PID.
# The Lua script's inputs come from the environment (exported by the caller).
wrkrun() {
  local system=$1 scenario=$2 pid=$3 url=$4 lua=$5 auth=$6
  local args=(-t"$THREADS" -c"$CONNS" --timeout 10s)
  [ -n "$auth" ] && args+=(-H "Authorization: $auth")
  [ -n "$lua" ] && args+=(-s "$BENCH_DIR/wrk/$lua")
  local base=$DIR/$system.$scenario
  export KEY_PREFIX="$STAMP-$BACKEND-$SIZE-$system-warm"
  local round=${ROUND:-1} warns0=0
  [ "$round" -gt 1 ] && base=$base.round$round
  if [ "$WARM" != 0 ] && [ "$round" = 1 ]; then
    timeout $((WARM + 30)) wrk "${args[@]}" -d"${WARM}s" "$url" > "$base.warm.wrk" 2>&1 || true
  fi
  settle "$pid"
  [ "$system" = service ] && warns0=$(log_warnings)
  export KEY_PREFIX="$STAMP-$BACKEND-$SIZE-$system-r$round"   # Idempotency-Keys and ids: new each run
  local cpu0=0 cpu1=0 hwm=0 rss0=""
  if [ -n "$pid" ]; then cpu0=$(cpu_ticks "$pid"); reset_hwm "$pid"; rss0=$(rss_mib "$pid"); fi
  timeout $((DUR + 60)) wrk "${args[@]}" -d"${DUR}s" --latency "$url" > "$base.wrk" 2>&1 || true
  # The requests wrk abandoned at the end still run: count their CPU and memory too.
  settle "$pid"
  if [ -n "$pid" ]; then cpu1=$(cpu_ticks "$pid"); hwm=$(vm_hwm_kib "$pid"); fi
  local warns=""
  [ "$system" = service ] && warns=$(( $(log_warnings) - warns0 ))
  local f=$base.wrk rps reqs p50 p99 non2 serr
  rps=$(awk '/^Requests\/sec/{print $2}' "$f"); rps=${rps:-0}
  reqs=$(awk '/requests in/{print $1}' "$f"); reqs=${reqs:-0}
  p50=$(to_ms "$(awk '$1=="50%"{print $2}' "$f")")
  p99=$(to_ms "$(awk '$1=="99%"{print $2}' "$f")")
  non2=$(awk '/Non-2xx/{print $NF}' "$f"); non2=${non2:-0}
  serr=$(awk -F'[ ,]+' '/Socket errors/{print $4+$6+$8+$10}' "$f"); serr=${serr:-0}
  local cpu_k="" rss=""
  if [ -n "$pid" ] && [ "$reqs" != 0 ]; then
    cpu_k=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" -v n="$reqs" 'BEGIN{printf "%.4f", (b-a)/t/(n/1000)}')
    rss=$(awk -v k="$hwm" 'BEGIN{printf "%.1f", k/1024}')
  fi
  record kind=wrk system="$system" backend="$BACKEND" size="$SIZE" scenario="$scenario" rps="$rps" \
    requests="$reqs" p50_ms="${p50:-0}" p99_ms="${p99:-0}" non2xx="$non2" sock_errors="$serr" \
    cpu_s_per_1k="$cpu_k" rss_mib="$rss" rss_start_mib="$rss0" log_warnings="$warns" round="$round" \
    loadavg="$(cut -d' ' -f1 /proc/loadavg)" raw="$(basename "$f")"
  log "$(printf '%-13s %-15s %9s req/s  p50 %8s ms  p99 %8s ms  non2xx %s  sockerr %s  cpu/1k %s  rss %s MiB  log warnings %s' \
    "$system" "$scenario" "$rps" "${p50:-?}" "${p99:-?}" "$non2" "$serr" "${cpu_k:--}" "${rss:--}" "${warns:--}")"
}

# pgb SCENARIO SQLFILE CLIENTS THREADS -D... : pgbench with the same SQL against the same database
pgb() {
  local scenario=$1 file=$2 clients=$3 threads=$4; shift 4
  [ "$BACKEND" = postgres ] && [ "$PGBENCH" = 1 ] || return 0
  local src=$BENCH_DIR/sql/$file dst=$DIR/sql/$file
  mkdir -p "$DIR/sql"
  sed -e "s/@ORG_IDS@/$ORG_IDS_SQL/g" -e "s/@PAGE_IDS@/$SEARCH_PAGE_IDS_SQL/g" "$src" > "$dst"
  local f=$DIR/pgbench.$scenario.${file%.sql}.txt
  [ "${ROUND:-1}" -gt 1 ] && f=${f%.txt}.round$ROUND.txt
  timeout $((PGB_DUR + 60)) pgbench -n -M prepared -c "$clients" -j "$threads" -T "$PGB_DUR" \
    -D org="$ORG" "$@" -f "$dst" "$PG_DBNAME" > "$f" 2>&1 || true
  local tps lat failed
  tps=$(awk '/^tps = /{print $3}' "$f" | tail -n 1); tps=${tps:-0}
  lat=$(awk '/^latency average/{print $4}' "$f"); lat=${lat:-0}
  failed=$(awk '/^number of failed transactions/{print $5}' "$f"); failed=${failed:-0}
  if grep -qiE 'error|aborted' "$f"; then failed=$((failed + 1)); log "pgbench $file: $(grep -iE 'error|aborted' "$f" | head -n 3)"; fi
  record kind=pgbench system=pgbench backend="$BACKEND" size="$SIZE" scenario="$scenario" ref="${file%.sql}" \
    tps="$tps" latency_avg_ms="$lat" clients="$clients" errors="$failed" round="${ROUND:-1}" \
    loadavg="$(cut -d' ' -f1 /proc/loadavg)" raw="$(basename "$f")"
  log "$(printf '%-13s %-15s %9s tps    avg %8s ms  (%s, %s clients)' pgbench "$scenario" "$tps" "$lat" "$file" "$clients")"
}

token() {  # a fresh access token of the admin client
  curl -fsS --max-time 30 -d grant_type=client_credentials --data-urlencode "client_id=$CLIENT_ID" \
    --data-urlencode "client_secret=$CLIENT_SECRET" "$BASE/oauth/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# ---- one scenario on the service, its pgbench reference and the peers ------------------------
# Each scenario checks one request, then runs ROUNDS rounds of: the service, pgbench, each peer.
rounds() {  # rounds OK_FLAG FUNCTION : call FUNCTION for each round (OK_FLAG=0: the service's check failed)
  local ok=$1 fn=$2
  for ROUND in $(seq 1 "$ROUNDS"); do
    [ "$ROUNDS" -gt 1 ] && log "-- $fn, round $ROUND/$ROUNDS"
    SERVICE_OK=$ok "$fn"
  done
  ROUND=1
}

scenario_rest_list_p1() {
  local ok=1; TOK=$(token)
  URL="$BASE/api/v1/contributions?status=published&limit=50"
  check service rest_list_p1 "$DIR/service.rest_list_p1.sample" -- -H "Authorization: Bearer $TOK" "$URL" || ok=0
  rounds $ok round_rest_list_p1
}
round_rest_list_p1() {
  [ "$SERVICE_OK" = 1 ] && wrkrun service rest_list_p1 "$SERVER_PID" "$URL" "" "Bearer $TOK"
  pgb rest_list_p1 list_p1.sql "$PGB_CONNS" "$PGB_THREADS"
  peers rest_list_p1
}

scenario_rest_list_deep() {
  local ok=1; TOK=$(token)
  URL="$BASE/api/v1/contributions?status=published&limit=50&cursor=$DEEP_CURSOR"
  check service rest_list_deep "$DIR/service.rest_list_deep.sample" -- -H "Authorization: Bearer $TOK" "$URL" || ok=0
  rounds $ok round_rest_list_deep
}
round_rest_list_deep() {
  [ "$SERVICE_OK" = 1 ] && wrkrun service rest_list_deep "$SERVER_PID" "$URL" "" "Bearer $TOK"
  pgb rest_list_deep list_deep.sql "$PGB_CONNS" "$PGB_THREADS" -D cursor_id="$DEEP_ID"
  peers rest_list_deep
}

scenario_rest_search() {
  local ok=1; TOK=$(token)
  URL="$BASE/api/v1/contributions?q=migration&limit=50"
  if check service rest_search "$DIR/service.rest_search.sample" -- -H "Authorization: Bearer $TOK" "$URL"; then
    SEARCH_PAGE_IDS_SQL=$(python3 -c 'import json,sys; print(",".join("'"'"'%s'"'"'" % c["id"] for c in json.load(open(sys.argv[1]))["data"]) or "NULL")' "$DIR/service.rest_search.sample")
  else
    ok=0
  fi
  rounds $ok round_rest_search
}
round_rest_search() {
  [ "$SERVICE_OK" = 1 ] && wrkrun service rest_search "$SERVER_PID" "$URL" "" "Bearer $TOK"
  pgb rest_search search.sql "$PGB_CONNS" "$PGB_THREADS"
  pgb rest_search search_service.sql "$PGB_CONNS" "$PGB_THREADS"
}

scenario_rest_by_id() {
  local ok=1; TOK=$(token)
  check service rest_by_id "$DIR/service.rest_by_id.sample" -- -H "Authorization: Bearer $TOK" \
    "$BASE/api/v1/contributions/$(head -n 1 "$BYID_FILE")" || ok=0
  rounds $ok round_rest_by_id
}
round_rest_by_id() {
  [ "$SERVICE_OK" = 1 ] && IDS_FILE=$BYID_FILE PATH_PREFIX=/api/v1/contributions/ PATH_SUFFIX="" \
    wrkrun service rest_by_id "$SERVER_PID" "$BASE/" by_id.lua "Bearer $TOK"
  pgb rest_by_id by_id.sql "$PGB_CONNS" "$PGB_THREADS" -D nids="$NIDS"
  peers rest_by_id
}

scenario_gql_nested() {
  local ok=1; TOK=$(token)
  BODY=$DIR/service.gql_nested.json
  printf '%s' '{"query":"{ contributions(first: 50, filter: {status: PUBLISHED}) { totalCount edges { node { id title organisation { id name kind } questions { id text } } } } }"}' > "$BODY"
  check service gql_nested "$DIR/service.gql_nested.sample" -- -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/json' --data-binary @"$BODY" "$BASE/graphql" || ok=0
  rounds $ok round_gql_nested
}
round_gql_nested() {
  [ "$SERVICE_OK" = 1 ] && BODY_FILE=$BODY CONTENT_TYPE=application/json \
    wrkrun service gql_nested "$SERVER_PID" "$BASE/graphql" post_file.lua "Bearer $TOK"
  pgb gql_nested gql_nested.sql "$PGB_CONNS" "$PGB_THREADS"
  peers gql_nested
}

scenario_feed_catchup() {
  TOK=$(token)
  rounds 1 round_feed_catchup
}
round_feed_catchup() {
  local cpu0 cpu1 f=$DIR/service.feed_catchup.json
  [ "${ROUND:-1}" -gt 1 ] && f=${f%.json}.round$ROUND.json
  settle "$SERVER_PID"
  cpu0=$(cpu_ticks "$SERVER_PID"); reset_hwm "$SERVER_PID"
  local rss0; rss0=$(rss_mib "$SERVER_PID")
  python3 "$BENCH_DIR/lib/feed.py" 127.0.0.1 "$PORT" "$TOK" "$FEED_LIMIT" "${FEED_MAX_SECONDS:-1800}" > "$f" || true
  cpu1=$(cpu_ticks "$SERVER_PID")
  local hwm; hwm=$(vm_hwm_kib "$SERVER_PID")
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" 2>/dev/null; then
    echo '{"seconds":0,"pages":0,"changes":0,"p50_ms":0,"p99_ms":0,"errors":1,"error":"feed.py failed"}' > "$f"
  fi
  local secs pages changes p50 p99 errs
  secs=$(jget "$f" seconds); pages=$(jget "$f" pages); changes=$(jget "$f" changes)
  p50=$(jget "$f" p50_ms); p99=$(jget "$f" p99_ms); errs=$(jget "$f" errors)
  local rps cpu_k rss
  rps=$(awk -v p="$pages" -v s="$secs" 'BEGIN{ printf "%.2f", (s > 0 ? p / s : 0) }')
  cpu_k=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" -v n="$pages" 'BEGIN{ if (n > 0) printf "%.4f", (b-a)/t/(n/1000) }')
  rss=$(awk -v k="$hwm" 'BEGIN{printf "%.1f", k/1024}')
  record kind=feed system=service backend="$BACKEND" size="$SIZE" scenario=feed_catchup seconds="$secs" \
    pages="$pages" changes="$changes" rps="$rps" requests="$pages" p50_ms="$p50" p99_ms="$p99" non2xx="$errs" \
    sock_errors=0 cpu_s_per_1k="$cpu_k" cpu_s="$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" 'BEGIN{printf "%.2f", (b-a)/t}')" \
    rss_mib="$rss" rss_start_mib="$rss0" feed_rows="$FEED_ROWS" round="${ROUND:-1}" \
    loadavg="$(cut -d' ' -f1 /proc/loadavg)" raw="$(basename "$f")"
  log "$(printf '%-13s %-15s %s changes in %s pages, %s s (page p50 %s ms, p99 %s ms), errors %s' \
    service feed_catchup "$changes" "$pages" "$secs" "$p50" "$p99" "$errs")"
  pgb feed_catchup feed_page.sql 1 1 -D npos="$NPOS"
}

scenario_rest_create() {
  local ok=1; TOK=$(token)
  check service rest_create "$DIR/service.rest_create.sample" -- -H "Authorization: Bearer $TOK" \
    -H "Idempotency-Key: check-$STAMP-$BACKEND-$SIZE" -H 'Content-Type: application/json' \
    -d '{"kind":"recommendation","title":"Benchmark check","body":"A contribution on migration governance.","language":"en"}' \
    "$BASE/api/v1/contributions" || ok=0
  rounds $ok round_rest_create
}
round_rest_create() {
  [ "$SERVICE_OK" = 1 ] && CREATE_MODE=service \
    wrkrun service rest_create "$SERVER_PID" "$BASE/api/v1/contributions" create.lua "Bearer $TOK"
  pgb rest_create create.sql "$PGB_CONNS" "$PGB_THREADS" -D template_id="$TEMPLATE_ID"
  peers rest_create
}

scenario_token() {
  local ok=1
  BODY=$DIR/service.token.form
  python3 -c 'import sys, urllib.parse; sys.stdout.write(urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": sys.argv[1], "client_secret": sys.argv[2]}))' \
    "$CLIENT_ID" "$CLIENT_SECRET" > "$BODY"
  check service token "$DIR/service.token.sample" -- -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary @"$BODY" "$BASE/oauth/token" || ok=0
  rounds $ok round_token
}
round_token() {
  [ "$SERVICE_OK" = 1 ] && BODY_FILE=$BODY CONTENT_TYPE=application/x-www-form-urlencoded \
    wrkrun service token "$SERVER_PID" "$BASE/oauth/token" post_file.lua ""
  return 0
}

# ---- the peers (Directus, PostGraphile), when their URLs are given ---------------------------
DCOLS="id,consultation,session,segment,group_id,kind,practice_category,title,summary,body,language,scope,replicable,replicability_notes,external_ref,status,version,organisation_id,org_kind,created_by,endorsement_count,progress_status,question_ids,regions,themes,links,created_at,updated_at,submitted_at,published_at"
PGCOLS="rowId consultation session segment groupId kind practiceCategory title summary body language scope replicable replicabilityNotes externalRef status version organisationId orgKind createdBy endorsementCount progressStatus questionIds regions themes links createdAt updatedAt submittedAt publishedAt"
PEERS_READY=""
peers_prepare() {
  PEERS_READY=""
  local du
  du=$( [ "$BACKEND" = postgres ] && echo "${DIRECTUS_URL:-}" || echo "${DIRECTUS_SQLITE_URL:-}" )
  if [ -n "$du" ]; then
    if curl -fsS --max-time 5 "$du/server/ping" >/dev/null 2>&1; then
      # Directus needs the many-to-one relation registered to nest organisation_id (what its UI does).
      curl -fsS --max-time 10 -H "Authorization: Bearer ${DIRECTUS_TOKEN:-}" "$du/relations/contributions/organisation_id" >/dev/null 2>&1 \
        || curl -fsS --max-time 30 -X POST -H "Authorization: Bearer ${DIRECTUS_TOKEN:-}" -H 'Content-Type: application/json' \
             -d '{"collection":"contributions","field":"organisation_id","related_collection":"organisations"}' \
             "$du/relations" >/dev/null 2>&1 || log "directus: could not register contributions.organisation_id -> organisations"
      PEERS_READY+=" directus"; DIRECTUS_BASE=$du
    else
      log "directus at $du is not answering: skipped"
    fi
  fi
  if [ "$BACKEND" = postgres ] && [ -n "${POSTGRAPHILE_URL:-}" ]; then
    if curl -fsS --max-time 5 -H 'Content-Type: application/json' -d '{"query":"{ __typename }"}' "$POSTGRAPHILE_URL" >/dev/null 2>&1; then
      PEERS_READY+=" postgraphile"
      local off=$(( DEEP_POS > 0 ? DEEP_POS - 1 : 0 ))
      PG_DEEP_CURSOR=$(curl -fsS --max-time 60 -H 'Content-Type: application/json' \
        -d "{\"query\":\"{ allContributions(first: 1, offset: $off, condition: {status: \\\"published\\\"}, orderBy: PRIMARY_KEY_DESC) { pageInfo { endCursor } } }\"}" \
        "$POSTGRAPHILE_URL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["allContributions"]["pageInfo"]["endCursor"])' 2>/dev/null || true)
    else
      log "postgraphile at $POSTGRAPHILE_URL is not answering: skipped"
    fi
  fi
}
peers() {
  local sc=$1
  case " $PEERS_READY " in *" directus "*) peer_directus "$sc";; esac
  case " $PEERS_READY " in *" postgraphile "*) peer_postgraphile "$sc";; esac
}
peer_directus() {
  local sc=$1 du=$DIRECTUS_BASE auth="Bearer ${DIRECTUS_TOKEN:-}" pid url body
  pid=$(pid_on_port "$(port_of "$du")")
  local sys=directus
  case $sc in
    rest_list_p1) url="$du/items/contributions?filter[status][_eq]=published&sort=-id&limit=50&fields=$DCOLS" ;;
    rest_list_deep) url="$du/items/contributions?filter[status][_eq]=published&filter[id][_lt]=$DEEP_ID&sort=-id&limit=50&fields=$DCOLS" ;;
    rest_by_id)
      check $sys "$sc" "$DIR/$sys.$sc.sample" -- -H "Authorization: $auth" "$du/items/contributions/$(head -n 1 "$BYID_FILE")?fields=$DCOLS" \
        && IDS_FILE=$BYID_FILE PATH_PREFIX=/items/contributions/ PATH_SUFFIX="?fields=$DCOLS" \
           wrkrun $sys "$sc" "$pid" "$du/" by_id.lua "$auth"
      return 0 ;;
    gql_nested)
      body=$DIR/$sys.gql_nested.json
      printf '%s' '{"query":"{ contributions(limit: 50, filter: {status: {_eq: \"published\"}}, sort: [\"-id\"]) { id title organisation_id { id name kind } } contributions_aggregated(filter: {status: {_eq: \"published\"}}) { count { id } } }"}' > "$body"
      check $sys "$sc" "$DIR/$sys.$sc.sample" -- -H "Authorization: $auth" -H 'Content-Type: application/json' --data-binary @"$body" "$du/graphql" \
        && BODY_FILE=$body CONTENT_TYPE=application/json wrkrun $sys "$sc" "$pid" "$du/graphql" post_file.lua "$auth"
      return 0 ;;
    rest_create)
      check $sys "$sc" "$DIR/$sys.$sc.sample" -- -X POST -H "Authorization: $auth" -H 'Content-Type: application/json' \
          -d "{\"id\":\"check-$STAMP-directus-$ROUND\",\"consultation\":\"grcp-7\",\"kind\":\"gap\",\"title\":\"check\",\"body\":\"check\",\"language\":\"en\",\"status\":\"draft\",\"version\":1,\"organisation_id\":\"$ORG\",\"org_kind\":\"$ORG_KIND\",\"created_by\":\"bench\",\"endorsement_count\":0,\"question_ids\":\"[]\",\"regions\":\"[]\",\"themes\":\"[]\",\"links\":\"[]\",\"search_terms\":\"check\",\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}" \
          "$du/items/contributions" \
        && CREATE_MODE=directus ORG_ID=$ORG ORG_KIND=$ORG_KIND wrkrun $sys "$sc" "$pid" "$du/items/contributions" create.lua "$auth"
      return 0 ;;
    *) return 0 ;;
  esac
  check $sys "$sc" "$DIR/$sys.$sc.sample" -- -H "Authorization: $auth" "$url" \
    && wrkrun $sys "$sc" "$pid" "$url" "" "$auth"
}
peer_postgraphile() {
  local sc=$1 pu=$POSTGRAPHILE_URL auth="" pid body q
  [ -n "${POSTGRAPHILE_TOKEN:-}" ] && auth="Bearer $POSTGRAPHILE_TOKEN"
  pid=$(pid_on_port "$(port_of "$pu")")
  local sys=postgraphile
  local hdr=(-H 'Content-Type: application/json'); [ -n "$auth" ] && hdr+=(-H "Authorization: $auth")
  body=$DIR/$sys.$sc.json
  case $sc in
    rest_list_p1) q="{ allContributions(first: 50, condition: {status: \\\"published\\\"}, orderBy: PRIMARY_KEY_DESC) { nodes { $PGCOLS } } }" ;;
    rest_list_deep)
      [ -n "${PG_DEEP_CURSOR:-}" ] || { log "postgraphile: no deep cursor, skipped"; return 0; }
      q="{ allContributions(first: 50, after: \\\"$PG_DEEP_CURSOR\\\", condition: {status: \\\"published\\\"}, orderBy: PRIMARY_KEY_DESC) { nodes { $PGCOLS } } }" ;;
    gql_nested) q="{ allContributions(first: 50, condition: {status: \\\"published\\\"}, orderBy: PRIMARY_KEY_DESC) { totalCount nodes { rowId title organisationByOrganisationId { rowId name kind } } } }" ;;
    rest_by_id)
      local tpl="{\"query\":\"{ contributionByRowId(rowId: \\\"ID_HERE\\\") { $PGCOLS } }\"}"
      check $sys "$sc" "$DIR/$sys.$sc.sample" -- "${hdr[@]}" --data-binary "${tpl/ID_HERE/$(head -n 1 "$BYID_FILE")}" "$pu" \
        && IDS_FILE=$BYID_FILE GQL_TEMPLATE=$tpl wrkrun $sys "$sc" "$pid" "$pu" by_id.lua "$auth"
      return 0 ;;
    rest_create)
      check $sys "$sc" "$DIR/$sys.$sc.sample" -- "${hdr[@]}" \
          -d "{\"query\":\"mutation(\$c: ContributionInput!){ createContribution(input:{contribution:\$c}){ contribution { rowId } } }\",\"variables\":{\"c\":{\"rowId\":\"check-$STAMP-postgraphile-$ROUND\",\"consultation\":\"grcp-7\",\"kind\":\"gap\",\"title\":\"check\",\"body\":\"check\",\"language\":\"en\",\"status\":\"draft\",\"version\":1,\"organisationId\":\"$ORG\",\"orgKind\":\"$ORG_KIND\",\"createdBy\":\"bench\",\"endorsementCount\":0,\"questionIds\":\"[]\",\"regions\":\"[]\",\"themes\":\"[]\",\"links\":\"[]\",\"searchTerms\":\"check\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"2026-01-01T00:00:00Z\"}}}" \
          "$pu" \
        && CREATE_MODE=postgraphile ORG_ID=$ORG ORG_KIND=$ORG_KIND wrkrun $sys "$sc" "$pid" "$pu" create.lua "$auth"
      return 0 ;;
    *) return 0 ;;
  esac
  printf '{"query":"%s"}' "$q" > "$body"
  check $sys "$sc" "$DIR/$sys.$sc.sample" -- "${hdr[@]}" --data-binary @"$body" "$pu" \
    && BODY_FILE=$body CONTENT_TYPE=application/json wrkrun $sys "$sc" "$pid" "$pu" post_file.lua "$auth"
}

# ---- one backend at one size ----------------------------------------------------------------
run_one() {
  BACKEND=$1 SIZE=$2
  DIR=$OUT/$BACKEND-$SIZE
  mkdir -p "$DIR"
  log "== $BACKEND, $SIZE contributions"
  local dburl
  if [ "$BACKEND" = postgres ]; then
    PG_DBNAME=${PG_DB:-hub_bench_$$_$SIZE}
    PG_DBNAME=${PG_DBNAME//\{size\}/$SIZE}
    if ! psql -X -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DBNAME'" -d postgres | grep -q 1; then
      createdb "$PG_DBNAME"
      [ -z "${PG_DB:-}" ] && CREATED_PG_DBS+=("$PG_DBNAME")
    fi
    dburl="postgres://$PGUSER@$PGHOST:$PGPORT/$PG_DBNAME"
    DB_REF=$PG_DBNAME
  else
    DB_REF=${SQLITE_DB:-$TMP/hub-$SIZE.db}
    DB_REF=${DB_REF//\{size\}/$SIZE}
    case $DB_REF in /*) ;; *) DB_REF=$PWD/$DB_REF;; esac
    dburl="sqlite://$DB_REF"
  fi
  export HUB_DATABASE_URL=$dburl HUB_LOG=${HUB_LOG:-warn}

  # Seed, unless the database given already holds the data.
  local have=0
  have=$(sql "$BACKEND" "$DB_REF" "SELECT count(*) FROM contributions" 2>/dev/null || echo 0)
  have=${have:-0}
  if [ "$have" -ge "$SIZE" ]; then
    log "database already holds $have contributions: not seeding"
  else
    [ "$have" -gt 0 ] && { echo "$DB_REF holds $have contributions, fewer than $SIZE: use a new database" >&2; exit 1; }
    local t0; t0=$(date +%s.%N)
    "$HUB_BIN" bench-seed --contributions "$SIZE" --organisations "$ORGS" > "$DIR/seed.json" 2> "$DIR/seed.log"
    local secs; secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    local dbsize
    if [ "$BACKEND" = postgres ]; then
      sql postgres "$DB_REF" "VACUUM ANALYZE" >/dev/null
      dbsize=$(sql postgres "$DB_REF" "SELECT round(pg_database_size(current_database()) / 1048576.0, 1)")
    else
      dbsize=$(du -cm "$DB_REF"* | tail -n 1 | cut -f1)
    fi
    record kind=seed backend="$BACKEND" size="$SIZE" seconds="$secs" db_mib="$dbsize"
    log "seeded $SIZE contributions in $secs s ($(cat "$DIR/seed.json")), database $dbsize MiB"
  fi
  "$HUB_BIN" admin bootstrap > "$DIR/admin.json" 2> "$DIR/admin.log"
  ORG=$(jget "$DIR/admin.json" organisation_id)
  CLIENT_ID=$(jget "$DIR/admin.json" client_id)
  CLIENT_SECRET=$(jget "$DIR/admin.json" client_secret)
  ORG_KIND=$(sql "$BACKEND" "$DB_REF" "SELECT kind FROM organisations WHERE id = '$ORG'")
  if [ "$PREPARE_ONLY" = 1 ]; then
    log "prepared: HUB_DATABASE_URL=$dburl"
    return 0
  fi

  # What the scenarios need: published ids, a cursor 90% of the way, the first page's organisations.
  sql "$BACKEND" "$DB_REF" "SELECT id FROM contributions WHERE status = 'published' ORDER BY id DESC" > "$DIR/published_ids.txt"
  local npub; npub=$(wc -l < "$DIR/published_ids.txt")
  [ "$npub" -ge 10 ] || { echo "only $npub published contributions: the data set is too small" >&2; exit 1; }
  DEEP_POS=$(( npub * 9 / 10 ))
  DEEP_ID=$(sed -n "${DEEP_POS}p" "$DIR/published_ids.txt")
  PAGE_ROWS=$(( npub < 50 ? npub : 50 ))
  DEEP_ROWS=$(( npub - DEEP_POS < 50 ? npub - DEEP_POS : 50 ))
  DEEP_CURSOR=$(python3 -c 'import base64, json, sys; print(base64.urlsafe_b64encode(json.dumps([sys.argv[1]], separators=(",", ":")).encode()).decode().rstrip("="))' "$DEEP_ID")
  TEMPLATE_ID=$(head -n 1 "$DIR/published_ids.txt")
  BYID_FILE=$DIR/by_id_ids.txt
  shuf -n 50000 "$DIR/published_ids.txt" > "$BYID_FILE" 2>/dev/null || cp "$DIR/published_ids.txt" "$BYID_FILE"
  NIDS=$(wc -l < "$BYID_FILE")
  ORG_IDS_SQL=$(head -n 50 "$DIR/published_ids.txt" | sed "s/.*/'&'/" | paste -sd, -)
  ORG_IDS_SQL=$(sql "$BACKEND" "$DB_REF" "SELECT DISTINCT organisation_id FROM contributions WHERE id IN ($ORG_IDS_SQL)" | sed "s/.*/'&'/" | paste -sd, -)
  SEARCH_PAGE_IDS_SQL="'$TEMPLATE_ID'"
  FEED_ROWS=$(sql "$BACKEND" "$DB_REF" "SELECT count(*) FROM changes")
  NPOS=0
  if [ "$BACKEND" = postgres ]; then
    # Helper objects for pgbench (the service never reads them).
    psql -X -q -v ON_ERROR_STOP=1 -d "$DB_REF" <<SQL
DROP TABLE IF EXISTS bench_ids, bench_feed_pos;
DROP SEQUENCE IF EXISTS bench_seq;
CREATE SEQUENCE bench_seq;
-- past the ids of an earlier run on the same database (PG_DB)
SELECT setval('bench_seq', coalesce((SELECT substr(max(id), 11)::bigint FROM contributions WHERE id LIKE 'zzpgbench-%'), 0) + 1, false) \g /dev/null
CREATE TABLE bench_ids (n serial PRIMARY KEY, id text NOT NULL);
\copy bench_ids (id) FROM '$BYID_FILE'
CREATE TABLE bench_feed_pos (n serial PRIMARY KEY, txid bigint NOT NULL, seq bigint NOT NULL);
INSERT INTO bench_feed_pos (txid, seq) VALUES (0, 0);
INSERT INTO bench_feed_pos (txid, seq)
  SELECT txid, seq FROM (SELECT txid, seq, row_number() OVER (ORDER BY txid, seq) AS rn FROM changes) s
  WHERE rn % 1000 = 0 AND rn <= (SELECT count(*) FROM changes) - 1000 ORDER BY rn;
ANALYZE bench_ids; ANALYZE bench_feed_pos;
SQL
    NPOS=$(sql postgres "$DB_REF" "SELECT count(*) FROM bench_feed_pos")
  fi

  # Serve.
  PORT=$(free_port)
  BASE=http://127.0.0.1:$PORT
  # Without RUST_BACKTRACE (as in production): with it, every anyhow error captures a backtrace.
  env -u RUST_BACKTRACE -u RUST_LIB_BACKTRACE HUB_BIND=127.0.0.1:$PORT HUB_RATE_LIMIT=100000000 HUB_LOG_FORMAT=json \
    "$HUB_BIN" serve > "$DIR/server.log" 2>&1 &
  SERVER_PID=$!
  local up=0
  for _ in $(seq 1 120); do
    if curl -fsS --max-time 2 "$BASE/readyz" >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
  done
  [ "$up" = 1 ] || { echo "the server did not come up; see $DIR/server.log" >&2; tail -n 20 "$DIR/server.log" >&2; exit 1; }
  log "serving on $BASE (pid $SERVER_PID, idle RSS $(awk '/^VmRSS:/{print $2}' "/proc/$SERVER_PID/status") KiB)"
  record kind=server backend="$BACKEND" size="$SIZE" idle_rss_mib="$(awk '/^VmRSS:/{printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status")"

  peers_prepare
  for sc in $SCENARIOS; do "scenario_$sc" || log "scenario $sc stopped early"; done

  record kind=server_end backend="$BACKEND" size="$SIZE" peak_rss_mib="$(awk '/^VmHWM:/{printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status")"
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  local waited=0
  while kill -0 "$SERVER_PID" 2>/dev/null && [ $waited -lt 30 ]; do sleep 1; waited=$((waited + 1)); done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  local warns; warns=$(log_warnings)
  if [ "$warns" != 0 ]; then
    log "server log: $warns WARN/ERROR lines; most frequent messages:"
    python3 - "$DIR/server.log" <<'PY' | tee "$DIR/server.warnings.txt"
import collections, json, sys
seen = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("level") in ("WARN", "ERROR"):
        error = " ".join(str(r.get("error", "")).split("Stack backtrace:")[0].split())
        seen[("%s %s: %s %s" % (r.get("level"), r.get("target"), r.get("message"), error))[:200]] += 1
for msg, n in seen.most_common(5):
    print("%6d  %s" % (n, msg))
PY
  fi
  record kind=server_log backend="$BACKEND" size="$SIZE" warnings="$warns"
  if [ "$KEEP_DB" != 1 ]; then
    if [ "$BACKEND" = postgres ] && [ -z "${PG_DB:-}" ]; then dropdb --if-exists "$PG_DBNAME" || true; fi
    if [ "$BACKEND" = sqlite ] && [ -z "${SQLITE_DB:-}" ]; then rm -f "$DB_REF" "$DB_REF-wal" "$DB_REF-shm"; fi
  fi
  unset HUB_DATABASE_URL
}

# ---- the machine, then every backend and size ------------------------------------------------
commit() {  # the checked-out commit, read from .git without running git
  local g=$REPO/.git head
  [ -f "$g/HEAD" ] || { echo unknown; return; }
  head=$(cat "$g/HEAD")
  case $head in
    "ref: "*) local ref=${head#ref: }
      if [ -f "$g/$ref" ]; then cut -c1-12 "$g/$ref"; else awk -v r="$ref" '$2==r{print substr($1,1,12)}' "$g/packed-refs" 2>/dev/null || echo unknown; fi ;;
    *) echo "${head:0:12}" ;;
  esac
}
pgversion=""
case " $BACKENDS " in *" postgres "*) pgversion=$(psql -X -tAc "SHOW server_version" -d postgres 2>/dev/null | awk '{print $1}');; esac
record kind=meta stamp="$STAMP" date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" command="$COMMAND" smoke="$SMOKE" \
  nproc="$(nproc)" mem_gib="$(awk '/^MemTotal:/{printf "%.1f", $2/1048576}' /proc/meminfo)" \
  cpu="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)" kernel="$(uname -r)" \
  postgres="$pgversion" wrk="$(wrk -v 2>&1 | awk 'NR==1{print $2}')" commit="$(commit)" src_digest="$SRC_DIGEST" \
  dur="$DUR" rounds="$ROUNDS" malloc_arena_max="${MALLOC_ARENA_MAX:-}" pgb_dur="$PGB_DUR" pgbench="$PGBENCH" warm="$WARM" threads="$THREADS" conns="$CONNS" pgb_conns="$PGB_CONNS" pgb_threads="$PGB_THREADS" \
  workers="${HUB_WORKERS:-default}" pool="${HUB_DB_POOL_SIZE:-10}" orgs="$ORGS" sizes="$SIZES" backends="$BACKENDS" \
  loadavg="$(cut -d' ' -f1-3 /proc/loadavg)"

for size in $SIZES; do
  for backend in $BACKENDS; do
    run_one "$backend" "$size"
  done
done

elapsed=$(( $(date +%s) - RUN_STARTED ))
record kind=end elapsed_s="$((elapsed - ${BUILD_SECONDS:-0}))" build_s="${BUILD_SECONDS:-0}"
[ "$PREPARE_ONLY" = 1 ] && { log "databases prepared (kept)"; exit 0; }

status=0
python3 "$BENCH_DIR/lib/report.py" "$RESULTS" "$OUT/results.md" \
  $( [ "$SMOKE" = 1 ] || echo "--results-md $BENCH_DIR/RESULTS.md --out-rel bench/out/$STAMP" ) || status=$?
cat "$OUT/results.md"
log "done in ${elapsed} s; raw outputs in $OUT"
if ! python3 "$BENCH_DIR/lib/report.py" --check "$RESULTS"; then
  log "FAILED: some scenario had errors (see above)"
  exit 1
fi
exit $status
