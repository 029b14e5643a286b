#!/usr/bin/env bash
# The press desk with 100,000 requests in the database: the press officer's list with
# filters and working-day clocks (latency at a few concurrent staff), and the permit
# verification page at the gate side by side with the same server's /healthz (rate).
#   bash bench/press_desk.sh [DURATION_SECONDS] [REQUESTS]
# keng release build, SQLite, demo province plus REQUESTS generated requests (inserted
# with SQL: every kind, state and clock). Writes bench/results/press_desk-<date>.md and
# prints it. Needs wrk and sqlite3 (apt-get install wrk sqlite3).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-20}"
N="${2:-100000}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }

cargo build --release --quiet
WORK=$(mktemp -d)
trap 'kill $KENG_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
BASE=http://127.0.0.1:18090
target/release/keng --data-dir "$WORK/data" serve --demo --listen 127.0.0.1:18090 >"$WORK/keng.log" 2>&1 &
KENG_PID=$!
for _ in $(seq 1 150); do curl -sf $BASE/healthz >/dev/null && break; sleep 0.2; done

DB="$WORK/data/keng.sqlite3"
NOW=$(($(date +%s) * 1000))
SEED_START=$(date +%s.%N)
sqlite3 "$DB" >/dev/null <<SQL
PRAGMA busy_timeout = 10000;
CREATE TEMP TABLE j AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, agency_id FROM users WHERE role = 'journalist' AND status = 'active';
CREATE TEMP TABLE u AS SELECT row_number() OVER (ORDER BY code) - 1 AS k, id FROM units;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO press_requests (id, kind, state, journalist_id, agency_id, topic, questions, unit_id, due_at, refusal_ground, answered_at, created_at, updated_at)
SELECT printf('%08x-0000-7000-8000-%012x', i, i),
  CASE i % 5 WHEN 0 THEN 'information' WHEN 1 THEN 'interview' WHEN 2 THEN 'field_work' WHEN 3 THEN 'operation' ELSE 'documents' END,
  CASE i % 8 WHEN 0 THEN 'submitted' WHEN 1 THEN 'assigned' WHEN 2 THEN 'needs_details' WHEN 3 THEN 'scheduled' WHEN 4 THEN 'answered' WHEN 5 THEN 'refused' WHEN 6 THEN 'closed' ELSE 'withdrawn' END,
  j.id, j.agency_id,
  'Yêu cầu cung cấp thông tin về vụ việc số ' || i, 'Đề nghị cho biết diễn biến, kết quả xử lý vụ việc số ' || i || '.',
  u.id,
  $NOW + ((i % 30) - 8) * 86400000,
  CASE WHEN i % 8 = 5 THEN (CASE i % 3 WHEN 0 THEN 'under_investigation' WHEN 1 THEN 'private_life' ELSE 'state_secret' END) END,
  CASE WHEN i % 8 IN (4, 5) THEN $NOW - (i % 300) * 86400000 END,
  $NOW - i * 300000, $NOW - i * 300000
FROM n
JOIN j ON j.k = i % (SELECT COUNT(*) FROM j)
JOIN u ON u.k = i % (SELECT COUNT(*) FROM u);
SQL
SEED_END=$(date +%s.%N)
ROWS=$(sqlite3 "$DB" "SELECT COUNT(*) FROM press_requests")

# The press officer signs in (cookie session), and a permit's token from the demo.
JAR="$WORK/jar"
CSRF=$(curl -s -c "$JAR" -b "$JAR" $BASE/login | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"//')
curl -s -c "$JAR" -b "$JAR" -o /dev/null -d "_csrf=$CSRF&username=tuyentruyen&password=kengdemo2025" $BASE/login
SESSION=$(awk '$6=="keng_session" {print $7}' "$JAR")
PERMIT=$(sqlite3 "$DB" "SELECT id FROM press_permits LIMIT 1")
TOKEN_URL=$(curl -s -b "$JAR" "$BASE/press/permits/$PERMIT" | sed 's|&#x2f;|/|g' | grep -o "$BASE/xac-minh/[A-Za-z0-9._-]*" | head -1)
[ -n "$TOKEN_URL" ] || { echo "no permit token found" >&2; exit 1; }
curl -s "$TOKEN_URL" | grep -q 'data-status="' || { echo "the verification page did not answer" >&2; exit 1; }

run() { # name connections url [cookie]
  local out
  if [ -n "${4:-}" ]; then
    out=$(wrk -t2 -c"$2" -d"${DUR}s" --latency -H "Cookie: keng_session=$4" "$3" 2>&1)
  else
    out=$(wrk -t2 -c"$2" -d"${DUR}s" --latency "$3" 2>&1)
  fi
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  echo "| $1 | $2 | $rps | $p50 | $p99 | ${errors:-none} |"
}

DATE=$(date -u +%Y-%m-%dT%H:%MZ)
OUT="bench/results/press_desk-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
{
  echo "## Press desk with $ROWS requests — $DATE"
  echo
  echo "keng release build on SQLite; the demo province plus $N generated requests (every kind and state, time limits from 8 days overdue to 3 weeks ahead), inserted in $(echo "$SEED_END - $SEED_START" | bc | cut -c1-5) s. wrk -t2 -d${DUR}s --latency on loopback, one target after the other in the same run."
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); shared and noisy."
  echo
  echo "| target | connections | requests/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|---|"
  run "press officer: /press-desk (open first, clocks, counts, refusal report)" 4 "$BASE/press-desk" "$SESSION"
  run "press officer: /press-desk?state=assigned&kind=interview" 4 "$BASE/press-desk?state=assigned&kind=interview" "$SESSION"
  run "press officer: /press-desk?overdue=1&page=20" 4 "$BASE/press-desk?overdue=1&page=20" "$SESSION"
  run "gate: /xac-minh/{token}" 64 "$TOKEN_URL"
  run "same server: /healthz" 64 "$BASE/healthz"
  echo
} | tee "$OUT"
