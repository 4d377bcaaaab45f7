#!/usr/bin/env bash
# Stampede on read-through: N concurrent callers GET one cold key of a namespace whose upstream
# (a small local server counting its calls) answers after a delay. Reports, per scenario, callers,
# upstream calls and latency percentiles. All traffic stays on 127.0.0.1.
# Usage: bench/stampede.sh [--smoke]     (default: 200 callers, 5 rounds, 200 ms upstream delay)
source "$(dirname "$0")/lib.sh"
callers=200; rounds=5; delay_ms=200
[ "${1:-}" = "--smoke" ] && { callers=20; rounds=1; }
build_service
upstream_port="$(free_port)"
python3 "$ROOT/bench/stampede.py" upstream "$upstream_port" "$delay_ms" &
UPSTREAM_PID=$!
trap 'kill "$UPSTREAM_PID" 2>/dev/null || true; stop_service' EXIT
start_service pgcache_bench_stampede -Dpgcache.purge.enabled=false \
  -Dpgcache.namespaces.stampede.ttl=1h -Dpgcache.namespaces.stampede.stale=1h \
  "-Dpgcache.namespaces.stampede.upstream.url=http://127.0.0.1:$upstream_port/values/{key}"
python3 "$ROOT/bench/stampede.py" run "$BASE_URL" "http://127.0.0.1:$upstream_port" "$callers" "$rounds" "$BENCH_DB" "$delay_ms"
