#!/usr/bin/env bash
# Property-based API conformance: schemathesis against the demo province, once per role
# (anonymous, then a token of each demo account), checking that no request gets a 5xx and
# that every status code the API answers is documented in /api/openapi.json.
# Usage: bash scripts/schemathesis.sh [MAX_EXAMPLES]   (builds the release binary, or
# takes KENG_BIN=path/to/keng). scripts/test runs it on the debug binary.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX=${1:-30}
python3 -c 'import schemathesis' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
if [ -z "${KENG_BIN:-}" ]; then
  cargo build --release --locked --bin keng
  KENG_BIN=target/release/keng
fi
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$KENG_BIN" --data-dir "$WORK" serve --demo --listen "127.0.0.1:$PORT" >"$WORK/keng.log" 2>&1 &
PID=$!
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.2
done
status=0
for who in anonymous quantri giamdoc phatngon tuyentruyen capx.hacthanh pv.baothanhhoa btv.ptth; do
  auth=()
  if [ "$who" != anonymous ]; then
    token=$("$KENG_BIN" --data-dir "$WORK" token create --username "$who" --name schemathesis)
    auth=(-H "Authorization: Bearer $token")
  fi
  echo "== schemathesis as $who"
  if schemathesis run "http://127.0.0.1:$PORT/api/openapi.json" "${auth[@]}" \
    --checks not_a_server_error,status_code_conformance \
    --max-examples "$MAX" --no-color \
    --exclude-path /api/v1/stream \
    >"$WORK/st-$who.log" 2>&1; then
    grep -E "generated" "$WORK/st-$who.log" || true
  else
    status=1
    tail -n 80 "$WORK/st-$who.log"
  fi
done
if grep -q 'panicked' "$WORK/keng.log"; then
  echo "the server panicked:"
  grep -m5 -A5 'panicked' "$WORK/keng.log"
  status=1
fi
exit $status
