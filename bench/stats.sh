#!/usr/bin/env bash
# Figures at scale (issue 12): UNITS × MEASURES × YEARS of daily figures on SQLite and on
# PostgreSQL, the province's "so với cùng kỳ" report and a unit × measure breakdown for
# random 58-day periods around Tết, side by side with DuckDB computing the same
# aggregates over the same rows (and every answer checked against DuckDB's).
#   bash bench/stats.sh [UNITS=300] [MEASURES=60] [YEARS=5] [REQUESTS=100] [PG_URL]
# Needs psql for PostgreSQL; installs duckdb from PyPI. Writes bench/results/stats-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
UNITS="${1:-300}"
MEASURES="${2:-60}"
YEARS="${3:-5}"
REQUESTS="${4:-100}"
PG="${5:-postgres://postgres@127.0.0.1:5432}"
python3 -c "import duckdb" 2>/dev/null || python3 -m pip install --quiet duckdb
cargo build --release --quiet --bin keng
OUT="bench/results/stats-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
{
  python3 bench/stats.py --binary target/release/keng --units "$UNITS" --measures "$MEASURES" \
    --years "$YEARS" --requests "$REQUESTS" --pg "$PG"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); shared and noisy."
} | tee "$OUT"
