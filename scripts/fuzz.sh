#!/usr/bin/env bash
# Bounded cargo-fuzz runs of the parsers that face the network (see fuzz/ and docs/RELIABILITY.md):
#   cursor             list cursors (service::page::Cursor::decode / encode)
#   if_match           If-Match (http::etag::parse_if_match)
#   bearer_token       the Authorization header and access-token verification (auth::authenticate::bearer,
#                      auth::tokens::{header_kid, check}) against a fixed Ed25519 key
#   webhook_signature  Standard Webhooks signatures (domain::webhook::{sign, verify})
#
#   SECONDS_PER_TARGET=120 scripts/fuzz.sh              # every target
#   SECONDS_PER_TARGET=600 scripts/fuzz.sh if_match     # one target, longer
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The crate forbids
# unsafe code, so the targets are built without a sanitizer (`-s none`, many more executions
# per second) but with debug assertions and overflow checks. Findings land in
# fuzz/artifacts/<target>/ (replay one with `cargo +nightly fuzz run -s none <target> <file>`);
# the corpus grows in fuzz/corpus/<target>/ and is kept between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${SECONDS_PER_TARGET:-120}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(cursor if_match bearer_token webhook_signature)

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
# Build once, then run the binaries: `cargo fuzz run` would rebuild whenever a source file changed.
cargo +nightly fuzz build -s none
bin_dir="fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"

status=0
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  log="fuzz/artifacts/$target/last-run.log"
  set +e
  "$bin_dir/$target" "fuzz/corpus/$target" -artifact_prefix="fuzz/artifacts/$target/" \
    -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -n 1)
  crashes=$(find "fuzz/artifacts/$target" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  printf '%-18s %4ss  executions %12s  exit %s  findings %s\n' "$target" "$seconds" "${runs:-?}" "$rc" "$crashes"
  [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] || status=1
done
exit "$status"
