#!/usr/bin/env bash
# Search over N generated Vietnamese bulletins: Kẻng's tantivy index side by side with
# PostgreSQL full-text search (unaccent + simple), same corpus, same queries, one run.
#   bash bench/search.sh [N] [POSTGRES_URL]
# Needs ../shared/tools/gen-bulletins.py (or GEN=path) and a reachable PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
PG="${2:-postgres://postgres@127.0.0.1:5432/test}"
GEN="${GEN:-../shared/tools/gen-bulletins.py}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 "$GEN" "$N" --seed 1 >"$WORK/corpus.jsonl"
python3 "$GEN" --queries >"$WORK/queries.txt"
cargo build --release --quiet --example search_bench
OUT="bench/results/search-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
{
  echo "## Search — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); PostgreSQL $(psql --version | awk '{print $3}') on the same machine; shared and noisy."
  echo
  target/release/examples/search_bench "$WORK/corpus.jsonl" "$WORK/queries.txt" "$PG"
} | tee "$OUT"
