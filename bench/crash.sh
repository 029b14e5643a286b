#!/usr/bin/env bash
# Crash safety (issue 14): a mixed write load at concurrency — bulletins, their edits
# (versions), attachments (the blob store), scam indicators — while the server is killed
# with SIGKILL at random moments, KILLS times, on SQLite and on PostgreSQL; after the
# last restart every acknowledged write is checked (record, audit row, event, the bytes
# of each file, SQLite's integrity check). See bench/crash.py.
#   bash bench/crash.sh [KILLS=50] [POSTGRES_URL=postgres://postgres@127.0.0.1:5432]
# Writes bench/results/crash-<date>.md; exits 1 if any acknowledged write was lost.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS="${1:-50}"
PG="${2:-postgres://postgres@127.0.0.1:5432}"
cargo build --release --quiet --bin keng
OUT="bench/results/crash-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
DB="keng_crash_$(date +%s)"
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
trap 'psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
status=0
{
  echo "## Crash safety — $(date -u +%Y-%m-%dT%H:%MZ), $KILLS SIGKILLs per backend"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); shared and noisy."
  echo
  python3 bench/crash.py --keng target/release/keng --kills "$KILLS" || status=1
  echo
  python3 bench/crash.py --keng target/release/keng --kills "$KILLS" --database-url "$PG/$DB" || status=1
} | tee "$OUT"
echo "written: $OUT"
exit $status
