#!/usr/bin/env bash
# Publish → delivered: N SSE subscribers and M webhook receivers on loopback, against a
# release `keng serve` on SQLite with the demo province.
#   bash bench/delivery.sh [SSE=10000] [HOOKS=200]
set -euo pipefail
cd "$(dirname "$0")/.."
SSE="${1:-10000}"
HOOKS="${2:-200}"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
cargo build --release --quiet --bin keng --example delivery_bench
WORK=$(mktemp -d)
trap 'kill $KENG_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
# The receivers are on loopback: allow it (webhooks refuse internal addresses otherwise).
printf '[webhooks]\nallow_private = ["127.0.0.1/8"]\n' >"$WORK/keng.toml"
target/release/keng --data-dir "$WORK" serve --demo --listen 127.0.0.1:18090 >"$WORK/keng.log" 2>&1 &
KENG_PID=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18090/healthz >/dev/null && break; sleep 0.2; done
tok() { target/release/keng --data-dir "$WORK" token create --username "$1" --name bench; }
ADMIN=$(tok quantri); OFFICER=$(tok tuyentruyen); LEADER=$(tok giamdoc); JOURNALIST=$(tok pv.ttxvn)
OUT="bench/results/delivery-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
{
  echo "## Publish → delivered — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); server, $SSE SSE clients and $HOOKS webhook receivers all on this machine; times from the publish call's response."
  echo
  target/release/examples/delivery_bench http://127.0.0.1:18090 "$ADMIN" "$OFFICER" "$LEADER" "$JOURNALIST" "$SSE" "$HOOKS"
} | tee "$OUT"
