#!/usr/bin/env bash
# Issue 15's hot-read targets alone (bench/hot_get.py says what and how), ~4 minutes:
#   bench/hot-get.sh            10,000 hot keys, 20 s warm-up, 3 alternating rounds of 15 s
#   bench/hot-get.sh --smoke    1,000 keys, 1 round of 2 s: checks the script works, measures nothing
# Run it while the machine is otherwise quiet. Redis is started on 127.0.0.1:6379 when none answers.
source "$(dirname "$0")/lib.sh"
opts=()
[ "${1:-}" = "--smoke" ] && opts=(--hot-keys 1000 --rounds 1 --seconds 2 --warmup 1)
need wrk wrk
need pgbench postgresql-client
need redis-benchmark redis-tools
redis_started=""
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  need redis-server redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  redis_started=1
fi
cleanup() { stop_service; [ -z "$redis_started" ] || redis-cli -h 127.0.0.1 shutdown nosave >/dev/null 2>&1 || true; }
trap cleanup EXIT
build_service
start_service pgcache_bench_hot -Dpgcache.purge.enabled=false
PGDATABASE=pgcache_bench_hot python3 "$ROOT/bench/hot_get.py" --base-url "$BASE_URL" --db pgcache_bench_hot "${opts[@]}"
