#!/usr/bin/env bash
# Share cards: how long a card takes to draw, and what a cached card costs to serve.
#  1. In-process: `keng-share`'s example renders the sample card N times per shape
#     (layout, resvg, PNG encoding) and prints p50, p99 and the slowest.
#  2. Through the server (release, SQLite, demo province): the first request for each
#     public warning's card in both shapes (a render) and the second (from the card
#     cache), timed by curl; then wrk on one cached card side by side with nginx serving
#     the same PNG from disk.
#   bash bench/share_cards.sh [RENDERS] [DURATION_SECONDS] [CONNECTIONS]
# Writes bench/results/share_cards-<date>.md and prints it. Needs wrk and nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-50}"
DUR="${2:-10}"
CONN="${3:-64}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "needs nginx (apt-get install nginx-light)" >&2; exit 1; }

cargo build --release --quiet
cargo build --release --quiet -p keng-share --example card
WORK=$(mktemp -d)
trap 'kill $KENG_PID $NGINX_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
KENG_PID=""
NGINX_PID=""

INPROC=$(target/release/examples/card "$WORK/cards" "$N")

target/release/keng --data-dir "$WORK/data" serve --demo --listen 127.0.0.1:18090 >"$WORK/keng.log" 2>&1 &
KENG_PID=$!
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:18090/healthz >/dev/null && break; sleep 0.2; done
IDS=$(curl -s http://127.0.0.1:18090/api/v1/warnings | grep -o '"id":"[0-9a-f-]*"' | sed 's|"id":"||; s|"||')
: >"$WORK/cold"
: >"$WORK/warm"
for id in $IDS; do
  for shape in wide square; do
    url="http://127.0.0.1:18090/chia-se/canh-bao/$id/$shape.png"
    curl -s -o /dev/null -w '%{time_total}\n' "$url" >>"$WORK/cold"
    curl -s -o /dev/null -w '%{time_total}\n' "$url" >>"$WORK/warm"
  done
done
stats() { # file -> "n, p50 ms, max ms"
  sort -n "$1" | awk '{v[NR]=$1*1000} END {printf "%d cards, p50 %.1f ms, slowest %.1f ms", NR, v[int((NR+1)/2)], v[NR]}'
}
WID=$(echo "$IDS" | head -1)
mkdir -p "$WORK/www"
curl -s "http://127.0.0.1:18090/chia-se/canh-bao/$WID/wide.png" >"$WORK/www/wide.png"
chmod -R a+rX "$WORK"
cat >"$WORK/nginx.conf" <<NGX
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  types { image/png png; }
  server { listen 127.0.0.1:18091; root $WORK/www; }
}
NGX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
sleep 1
run() { # name url
  local out rps p50 p99
  out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency "$2" 2>&1)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "| $1 | $rps | $p50 | $p99 |"
}
OUT="bench/results/share_cards-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
{
  echo "## Share cards — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); shared and noisy."
  echo
  echo "In-process render (layout + resvg + PNG), $N renders per shape:"
  echo
  echo '```'
  echo "$INPROC"
  echo '```'
  echo
  echo "Through the server, every public demo warning in both shapes (curl, loopback):"
  echo
  echo "- first request (drawn): $(stats "$WORK/cold")"
  echo "- second request (card cache): $(stats "$WORK/warm")"
  echo
  echo "One cached card ($(wc -c <"$WORK/www/wide.png") bytes), wrk -t2 -c$CONN -d${DUR}s:"
  echo
  echo "| target | requests/s | p50 | p99 |"
  echo "|---|---|---|---|"
  run "keng /chia-se/canh-bao/{id}/wide.png" "http://127.0.0.1:18090/chia-se/canh-bao/$WID/wide.png"
  run "nginx same PNG" "http://127.0.0.1:18091/wide.png"
} | tee "$OUT"
