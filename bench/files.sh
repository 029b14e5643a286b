#!/usr/bin/env bash
# Files from each blob store backend, side by side in one run:
#  1. a public 10 MB PDF under wrk — keng with the local store (SQLite), the database
#     store (PostgreSQL) and the S3 store (moto's S3 server on loopback) — against nginx
#     serving the same file;
#  2. 100 photos uploaded one by one through the API (each gets its renditions: a
#     thumbnail and a medium size), per backend.
#   bash bench/files.sh [DURATION_SECONDS] [CONNECTIONS]
# Needs wrk, nginx (apt-get install wrk nginx-light), PostgreSQL on 127.0.0.1:5432 and
# moto (pip install 'moto[server]'). Writes bench/results/files-<date>.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-10}"
CONN="${2:-16}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "needs nginx (apt-get install nginx-light)" >&2; exit 1; }
python3 -c 'import moto.server' 2>/dev/null || { echo "needs moto (pip install 'moto[server]')" >&2; exit 1; }
PG_ADMIN="${KENG_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo build --release --quiet
WORK=$(mktemp -d)
PGDB="keng_bench_files_$$"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The S3 server and its bucket.
python3 -m moto.server -H 127.0.0.1 -p 18199 >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf -X PUT http://127.0.0.1:18199/keng >/dev/null && break; sleep 0.1; done

psql -q "$PG_ADMIN" -c "CREATE DATABASE $PGDB" >/dev/null
PG_URL="${PG_ADMIN%/*}/$PGDB"

# Three nodes: local store on SQLite, database store on PostgreSQL, S3 store on SQLite.
start() { # name port store [database-url]
  local dir="$WORK/$1"
  mkdir -p "$dir"
  case "$3" in
    s3) printf '[files]\nstore = "s3"\n[files.s3]\nbucket = "keng"\nendpoint = "http://127.0.0.1:18199"\nregion = "us-east-1"\naccess_key_id = "bench"\nsecret_access_key = "bench"\n' >"$dir/keng.toml" ;;
    *) printf '[files]\nstore = "%s"\n' "$3" >"$dir/keng.toml" ;;
  esac
  local args=(--data-dir "$dir")
  [ -n "${4:-}" ] && args+=(--database-url "$4")
  KENG_LOG=warn target/release/keng "${args[@]}" serve --demo --listen "127.0.0.1:$2" >"$dir/keng.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && break; sleep 0.2; done
}
start local 18101 local
start database 18102 database "$PG_URL"
start s3 18103 s3

token() { # name user
  local args=(--data-dir "$WORK/$1")
  [ "$1" = database ] && args+=(--database-url "$PG_URL")
  target/release/keng "${args[@]}" token create --username "$2" --name bench 2>/dev/null
}

# The 10 MB PDF (incompressible after its header) and 100 photos.
python3 - "$WORK" <<'PY'
import os, struct, sys, zlib
work = sys.argv[1]
with open(f"{work}/big.pdf", "wb") as f:
    f.write(b"%PDF-1.4\n")
    f.write(os.urandom(10 * 1024 * 1024 - 9))
def png(w, h, seed):
    rows = b"".join(b"\x00" + bytes(((x * 7 + y * 3 + seed) % 256 for x in range(w * 3))) for y in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))
os.makedirs(f"{work}/photos", exist_ok=True)
for i in range(100):
    with open(f"{work}/photos/{i:03}.png", "wb") as f:
        f.write(png(1600, 1200, i))
PY
PHOTO_KB=$(( $(du -sk "$WORK/photos" | cut -f1) / 100 ))

# Per backend: a published public bulletin with the PDF; then 100 photos on a draft.
declare -A FILE_URL UPLOAD
for name in local database s3; do
  case $name in local) port=18101 ;; database) port=18102 ;; s3) port=18103 ;; esac
  base="http://127.0.0.1:$port"
  officer=$(token "$name" tuyentruyen)
  leader=$(token "$name" giamdoc)
  id=$(curl -sf -H "Authorization: Bearer $officer" -H 'content-type: application/json' \
    -d '{"kind":"press_release","category":"khac","title":"Báo cáo tổng kết (PDF 10 MB)","summary":"s","body":"b","audience":"public"}' \
    "$base/api/v1/bulletins" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  sha=$(curl -sf -H "Authorization: Bearer $officer" -F "file=@$WORK/big.pdf;filename=bao-cao.pdf" \
    "$base/api/v1/bulletins/$id/attachments" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["sha256"])')
  curl -sf -o /dev/null -H "Authorization: Bearer $officer" -H 'content-type: application/json' -d '{}' "$base/api/v1/bulletins/$id/submit"
  curl -sf -o /dev/null -H "Authorization: Bearer $leader" -H 'content-type: application/json' -d '{}' "$base/api/v1/bulletins/$id/approve"
  curl -sf -o /dev/null -H "Authorization: Bearer $officer" -H 'content-type: application/json' -d '{}' "$base/api/v1/bulletins/$id/publish"
  FILE_URL[$name]="$base/files/$sha"
  got=$(curl -sf "${FILE_URL[$name]}" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$sha" ] || { echo "$name: the public PDF did not come back whole" >&2; exit 1; }
  draft=$(curl -sf -H "Authorization: Bearer $officer" -H 'content-type: application/json' \
    -d '{"kind":"press_release","category":"khac","title":"Ảnh hiện trường","summary":"s","body":"b","audience":"public"}' \
    "$base/api/v1/bulletins" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  t0=$(date +%s.%N)
  for f in "$WORK"/photos/*.png; do
    curl -sf -o /dev/null -H "Authorization: Bearer $officer" -F "file=@$f;filename=anh.png" "$base/api/v1/bulletins/$draft/attachments"
  done
  t1=$(date +%s.%N)
  UPLOAD[$name]=$(echo "$t1 $t0" | awk '{printf "%.1f", $1 - $2}')
done

# nginx serving the same bytes.
mkdir -p "$WORK/www"
cp "$WORK/big.pdf" "$WORK/www/big.pdf"
chmod -R a+rX "$WORK"
cat >"$WORK/nginx.conf" <<NGX
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  types { application/pdf pdf; }
  server { listen 127.0.0.1:18181; root $WORK/www; }
}
NGX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
PIDS+=($!)
sleep 1

run() { # name url
  local out rps p50 p99 mbs errors
  out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency "$2" 2>&1)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  mbs=$(echo "$out" | awk '/Transfer\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  echo "| $1 | $rps | $mbs | $p50 | $p99 | ${errors:-none} |"
}

DATE=$(date -u +%Y-%m-%dT%H:%MZ)
OUT="bench/results/files-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
{
  echo "## Files by blob store backend — $DATE"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); keng release build."
  echo
  echo "### A public 10 MB PDF (\`GET /files/{sha}\`), wrk -t2 -c$CONN -d${DUR}s, one after the other"
  echo
  echo "| server | req/s | transfer/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|---|"
  run "nginx (sendfile)" "http://127.0.0.1:18181/big.pdf"
  run "keng, local store (SQLite)" "${FILE_URL[local]}"
  run "keng, database store (PostgreSQL)" "${FILE_URL[database]}"
  run "keng, S3 store (moto on loopback)" "${FILE_URL[s3]}"
  echo
  echo "### 100 photos (1600×1200 PNG, ~${PHOTO_KB} KB each) uploaded one by one, renditions made"
  echo
  echo "| backend | seconds | photos/s |"
  echo "|---|---|---|"
  for name in local database s3; do
    echo "| $name | ${UPLOAD[$name]} | $(echo "${UPLOAD[$name]}" | awk '{printf "%.1f", 100 / $1}') |"
  done
} | tee "$OUT"
