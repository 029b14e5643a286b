#!/usr/bin/env bash
# The scam check at scale, side by side in one run on this machine:
#  1. in process (examples/scamcheck_bench): N indicators in a node's set — memory per
#     indicator, lookup and whole-check latency, the analyzer's messages/s on one core
#     with a 5,000-phrase lexicon over 1 KB messages;
#  2. the server: N indicators imported with `keng import indicators` (time), start-up
#     until the check answers (time, resident memory), then `GET /api/v1/check` and
#     `/healthz` of the same server under wrk at 256 connections, one after the other.
#   bash bench/scamcheck.sh [N=10000000] [SECONDS=10]
# Needs wrk (apt install wrk). Writes bench/results/scamcheck-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000000}"
SECS="${2:-10}"
command -v wrk >/dev/null || { echo "bench/scamcheck.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --quiet --bin keng --example scamcheck_bench
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
OUT="bench/results/scamcheck-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
{
  echo "## Scam check — $(date -u +%Y-%m-%dT%H:%MZ), $N indicators"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); shared and noisy."
  echo
  echo "| In process | |"
  echo "|---|---|"
  target/release/examples/scamcheck_bench "$N" 5000 crates/keng/tests/fixtures/scam-messages.tsv
  echo
  # A host list of N lines (half .top, half .xyz), imported into an empty SQLite file.
  python3 - "$N" >"$WORK/hosts.txt" <<'PY'
import sys
n = int(sys.argv[1])
w = sys.stdout.write
for i in range(n):
    w("scam-%x.%s\n" % (i, "top" if i % 2 else "xyz"))
PY
  DATA="$WORK/data"
  mkdir -p "$DATA"
  target/release/keng --data-dir "$DATA" migrate >/dev/null
  t0=$(date +%s.%N)
  target/release/keng --data-dir "$DATA" import indicators "$WORK/hosts.txt" --source bench >/dev/null 2>"$WORK/import.err" || { cat "$WORK/import.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "| The server (SQLite) | |"
  echo "|---|---|"
  echo "| \`keng import indicators\` of $N hosts (one transaction) | $(python3 -c "print(f'{$t1-$t0:.1f} s ({$N/($t1-$t0)/1000:.0f} k rows/s)')") |"
  echo "| Database file | $(du -h "$DATA/keng.sqlite3" | cut -f1) |"
  PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  t0=$(date +%s.%N)
  target/release/keng --data-dir "$DATA" serve --listen 127.0.0.1:$PORT >"$WORK/serve.log" 2>&1 &
  PID=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/check?value=scam-1.top")" = 200 ]; do sleep 0.2; done
  t1=$(date +%s.%N)
  RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
  echo "| Start-up until the check answers (the set loaded) | $(python3 -c "print(f'{$t1-$t0:.1f} s')") |"
  echo "| Server resident memory with the set loaded | $((RSS / 1024)) MiB ($(python3 -c "print(f'{$RSS*1024/$N:.0f}')") bytes per indicator, everything included) |"
  curl -s "http://127.0.0.1:$PORT/api/v1/check?value=scam-1.top" >"$WORK/answer.json"
  python3 -c "import json,sys; a=json.load(open('$WORK/answer.json')); assert a['verdict']=='verified', a" 
  wrk -t2 -c256 -d"${SECS}s" --latency "http://127.0.0.1:$PORT/api/v1/check?value=scam-2b.top" >"$WORK/check.txt"
  wrk -t2 -c256 -d"${SECS}s" --latency "http://127.0.0.1:$PORT/healthz" >"$WORK/health.txt"
  rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
  p99() { awk '/ 99%/ {print $2}' "$1"; }
  C=$(rps "$WORK/check.txt"); H=$(rps "$WORK/health.txt")
  echo "| \`GET /api/v1/check?value=…\` (wrk, 256 connections, ${SECS} s) | $C req/s, p99 $(p99 "$WORK/check.txt") |"
  echo "| \`GET /healthz\` of the same server, same settings, right after | $H req/s, p99 $(p99 "$WORK/health.txt") |"
  echo "| Check ÷ healthz | $(python3 -c "print(f'{$C/$H:.2f}')") (target ≥ 0.5) |"
  grep -E "Non-2xx|Socket errors" "$WORK/check.txt" "$WORK/health.txt" | sed 's/^/    /' || true
  # This block runs in a subshell (it is piped to tee): stop the server here.
  kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true
} | tee "$OUT"
