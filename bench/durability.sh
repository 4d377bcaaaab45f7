#!/usr/bin/env bash
# PUT by durability level (issue 17): strict, relaxed and an unlogged table, each side by side
# with pgbench's upsert of the same statement (bench/durability.py says how). Target: relaxed PUT
# >= 1.5x strict PUT in the same run. Timing figures: run it on a quiet machine only.
#
#   bench/durability.sh            20 s warm-up per variant, 3 alternating rounds of 20 s, 100,000 keys, 32 connections
#   bench/durability.sh --smoke    2 s per variant, 1 round, 2,000 keys: proves the script works, measures nothing
#   options: --duration S  --rounds N  --entries N  --connections C
source "$(dirname "$0")/lib.sh"
duration=20; warmup=20; rounds=3; entries=100000; connections=32; mode=full
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) duration=2; warmup=1; rounds=1; entries=2000; mode=smoke ;;
    --duration) duration="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --entries) entries="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
need wrk wrk
need pgbench postgresql-client
build_service
trap stop_service EXIT
out="$(mktemp -d /tmp/pgcache-bench-durability-XXXX)"
common=(--entries "$entries" --duration "$duration" --warmup "$warmup" --rounds "$rounds" --connections "$connections")

start_service pgcache_bench_durability -Dpgcache.purge.enabled=false -Dpgcache.namespaces.bench-relaxed.durability=relaxed
python3 "$ROOT/bench/durability.py" --phase logged --base-url "$BASE_URL" --db "$BENCH_DB" "${common[@]}" --out "$out/logged.json"
# the same database again, the table made UNLOGGED by the service at start (a rewrite of the table)
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
BENCH_KEEP_DB=1 start_service pgcache_bench_durability -Dpgcache.purge.enabled=false -Dpgcache.storage.unlogged=true
[ "$(psql -d "$BENCH_DB" -Atc "SELECT relpersistence FROM pg_class WHERE oid = 'pgcache.cache_entry'::regclass")" = u ] \
  || { echo "the table is not unlogged" >&2; exit 1; }
python3 "$ROOT/bench/durability.py" --phase unlogged --base-url "$BASE_URL" --db "$BENCH_DB" "${common[@]}" --out "$out/unlogged.json"

echo "PUT by durability level ($mode: $entries keys, $connections connections, ${rounds}x${duration}s after ${warmup}s warm-up)"
python3 "$ROOT/bench/durability.py" --table "$out/logged.json" "$out/unlogged.json"
