#!/usr/bin/env bash
# Public read path under load: the home page, a bulletin page, /feeds/bulletins.atom, a
# warning's CAP document and the CAP index /feeds/warnings.atom from `keng serve`
# (SQLite, demo data, page cache on) side by side with nginx serving the same bytes as
# static files, in the same run on the same machine, with wrk on loopback.
#   bash bench/public_read.sh [DURATION_SECONDS] [CONNECTIONS]
# Writes bench/results/public_read-<date>.md and prints it. Needs wrk and nginx
# (apt-get install wrk nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-30}"
CONN="${2:-256}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "needs nginx (apt-get install nginx-light)" >&2; exit 1; }

cargo build --release --quiet
WORK=$(mktemp -d)
trap 'kill $KENG_PID $NGINX_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

target/release/keng --data-dir "$WORK/data" serve --demo --listen 127.0.0.1:18080 >"$WORK/keng.log" 2>&1 &
KENG_PID=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.2; done
ID=$(curl -s http://127.0.0.1:18080/tin | grep -o 'href="/tin/[0-9a-f-]*"' | head -1 | sed 's|href="/tin/||; s|"||')
WID=$(curl -s http://127.0.0.1:18080/api/v1/warnings | grep -o '"id":"[0-9a-f-]*"' | head -1 | sed 's|"id":"||; s|"||')
mkdir -p "$WORK/www/tin" "$WORK/www/feeds" "$WORK/www/cap"
curl -s "http://127.0.0.1:18080/cap/$WID.xml" >"$WORK/www/cap/$WID.xml"
curl -s "http://127.0.0.1:18080/feeds/warnings.atom" >"$WORK/www/feeds/warnings.atom"
curl -s "http://127.0.0.1:18080/tin/$ID" >"$WORK/www/tin/$ID"
curl -s "http://127.0.0.1:18080/feeds/bulletins.atom" >"$WORK/www/feeds/bulletins.atom"
curl -s "http://127.0.0.1:18080/" >"$WORK/www/index.html"

chmod -R a+rX "$WORK" # nginx workers run unprivileged
cat >"$WORK/nginx.conf" <<NGX
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/html;
  types { application/atom+xml atom; application/cap+xml xml; }
  server { listen 127.0.0.1:18081; root $WORK/www; }
}
NGX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
sleep 1

run() { # name url
  local out
  out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency "$2" 2>&1)
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  echo "| $1 | $rps | $p50 | $p99 | ${errors:-none} |"
}

HOME_BYTES=$(wc -c <"$WORK/www/index.html")
PAGE_BYTES=$(wc -c <"$WORK/www/tin/$ID")
FEED_BYTES=$(wc -c <"$WORK/www/feeds/bulletins.atom")
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
OUT="bench/results/public_read-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
{
  echo "## Public read path — $DATE"
  echo
  echo "wrk -t2 -c$CONN -d${DUR}s on loopback; keng release build on SQLite with the demo province; nginx serving the same bytes as static files. Same machine, same run, one after the other."
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); shared and noisy."
  echo
  echo "| target | requests/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|"
  run "keng / (home)" "http://127.0.0.1:18080/"
  run "nginx same home" "http://127.0.0.1:18081/"
  run "keng /tin/{id}" "http://127.0.0.1:18080/tin/$ID"
  run "nginx same page" "http://127.0.0.1:18081/tin/$ID"
  run "keng /feeds/bulletins.atom" "http://127.0.0.1:18080/feeds/bulletins.atom"
  run "nginx same feed" "http://127.0.0.1:18081/feeds/bulletins.atom"
  run "keng /cap/{id}.xml" "http://127.0.0.1:18080/cap/$WID.xml"
  run "nginx same CAP" "http://127.0.0.1:18081/cap/$WID.xml"
  run "keng /feeds/warnings.atom" "http://127.0.0.1:18080/feeds/warnings.atom"
  run "nginx same CAP index" "http://127.0.0.1:18081/feeds/warnings.atom"
  echo
  echo "Home $HOME_BYTES bytes, page $PAGE_BYTES bytes, feed $FEED_BYTES bytes, CAP $(wc -c <"$WORK/www/cap/$WID.xml") bytes, CAP index $(wc -c <"$WORK/www/feeds/warnings.atom") bytes."
} | tee "$OUT"
