#!/usr/bin/env bash
# A longer crash run: KILLS SIGKILLs of the server under WRITERS concurrent writers, on SQLite
# and on Postgres, then the check that every acknowledged write exists exactly once.
#   KILLS=20 WRITERS=8 scripts/crash.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export HUB_TEST_POSTGRES_URL="${HUB_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export CRASH_KILLS="${KILLS:-20}" CRASH_WRITERS="${WRITERS:-8}"
cargo test --test api crash:: -- --nocapture --test-threads=1 2>&1 | grep -E "crash run|negative control|test result|panicked"
