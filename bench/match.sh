#!/usr/bin/env bash
# Matching press articles to bulletins (keng-match, issue 13): N synthetic bulletins and
# M articles (rewrites, briefs, other news) matched on one thread — articles per second,
# per-article p50/p99, precision and recall against what each article was made from —
# beside the naive scan (every bulletin in the window scored, no index) in the same run.
#   bash bench/match.sh [BULLETINS] [ARTICLES]     (default 100000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
M="${2:-10000}"
cargo build --release --quiet -p keng-match --example speed
out="bench/results/match-$(date -u +%Y%m%d-%H%M).md"
{
  echo "# keng-match: $N bulletins, $M articles ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo
  echo '```'
  taskset -c 0 ./target/release/examples/speed "$N" "$M" 2>&1 || ./target/release/examples/speed "$N" "$M"
  echo '```'
} | tee "$out"
echo "bench/match.sh: wrote $out"
