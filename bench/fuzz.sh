#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of every normaliser of
# keng-indicators: phone numbers, links, typed values, whole messages. Each target
# runs SECONDS (default 600 = the 10 minutes a clean run needs); a crash stops the run,
# its input is kept under crates/keng-indicators/fuzz/artifacts/ and becomes a
# regression test. On this stable toolchain cargo-fuzz needs RUSTC_BOOTSTRAP=1 and
# --sanitizer none. The test command runs it for a few seconds a target.
#   bash bench/fuzz.sh [SECONDS=600] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/../crates/keng-indicators/fuzz"
SECS="${1:-600}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(phone link value message)
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "bench/fuzz.sh: installing cargo-fuzz" >&2
  cargo install --quiet --locked cargo-fuzz
fi
export RUSTC_BOOTSTRAP=1
# A target that does not build is a failure, never a clean run.
if ! cargo fuzz build --sanitizer none --release >"${TMPDIR:-/tmp}/keng-fuzz-build.log" 2>&1; then
  cat "${TMPDIR:-/tmp}/keng-fuzz-build.log" >&2
  echo "fuzz: the targets do not build" >&2
  exit 1
fi
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t"
  echo "fuzz: $t for ${SECS} s"
  log="${TMPDIR:-/tmp}/keng-fuzz-$t.log"
  status=0
  cargo fuzz run --sanitizer none --release "$t" "corpus/$t" -- \
    -max_total_time="$SECS" -max_len=4096 -timeout=10 -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)" "$log" || true
  if [ "$status" -ne 0 ] || ls "artifacts/$t"/crash-* >/dev/null 2>&1; then
    grep -E "panicked|ERROR|SUMMARY" "$log" >&2 || tail -20 "$log" >&2
    echo "fuzz: $t failed (exit $status); inputs in $(pwd)/artifacts/$t" >&2
    exit 1
  fi
done
echo "fuzz: every target ran ${SECS} s clean"
