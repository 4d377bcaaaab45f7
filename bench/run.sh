#!/usr/bin/env bash
# The performance benchmark (issue 8): pgcache side by side with pgbench on the same SQL and
# with redis-benchmark on values of the same size, each scenario for a fixed time after a
# warm-up, on one machine. Writes the table into docs/benchmarks.md and a chart next to it.
#
#   bench/run.sh            full run: 1,000,000 entries, 30 s per scenario, then GET on 100,000
#                           vs 10,000,000 rows and the read-through stampede (takes ~20 min)
#   bench/run.sh --smoke    every scenario for a few seconds on small data (for CI, ~2 min)
#   options: --entries N  --duration S  --connections C  --scale-rows SMALL LARGE
source "$(dirname "$0")/lib.sh"

entries=1000000; duration=30; warmup=10; connections=32; mode=full; scale_small=100000; scale_large=10000000
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) entries=5000; duration=3; warmup=1; mode=smoke; scale_small=2000; scale_large=20000 ;;
    --scale-rows) scale_small="$2"; scale_large="$3"; shift 2 ;;
    --entries) entries="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

need() { # need COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "installing $2 (for $1)"
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need wrk wrk
need pgbench postgresql-client
need redis-benchmark redis-tools
need gnuplot gnuplot-nox
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
fi

build_service
trap stop_service EXIT
results="$(mktemp -d /tmp/pgcache-bench-results-XXXX)"
common=(--entries "$entries" --duration "$duration" --warmup "$warmup" --connections "$connections" --mode "$mode" --out "$ROOT/docs")

echo "scale: GET hits with $scale_small rows, then with $scale_large rows"
start_service pgcache_bench_scale -Dpgcache.purge.enabled=false
# time to ready on a restart while the machine is quiet (the main phase measures it on a new database,
# migrations included): stop the service that just migrated the schema, start it again
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
BENCH_KEEP_DB=1 start_service pgcache_bench_scale -Dpgcache.purge.enabled=false
quiet_restart="$READY_SECONDS"
python3 "$ROOT/bench/bench.py" --phase scale --base-url "$BASE_URL" --db "$BENCH_DB" --pid "$SERVICE_PID" --log "$SERVICE_LOG" \
  "${common[@]}" --scale-rows "$scale_small" "$scale_large" --scale-results "$results/scale.json"
# and again right after the 10 M rows were written (after a checkpoint and 10 s), against the 16 GB table
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
psql -q -d pgcache_bench_scale -c CHECKPOINT
[ "$mode" = smoke ] || sleep 10
BENCH_KEEP_DB=1 start_service pgcache_bench_scale -Dpgcache.purge.enabled=false
echo "$quiet_restart s at the start of the run, $READY_SECONDS s right after the scale table was written" > "$results/restart-ready.txt"
stop_service

echo "read-through stampede"
BENCH_SKIP_BUILD=1 "$ROOT/bench/stampede.sh" $([ "$mode" = smoke ] && echo --smoke) | tee "$results/stampede.txt"

# the purge scenario triggers purges itself; the 60 s scheduled purge would empty the gone rows early
start_service pgcache_bench_run -Dpgcache.purge.enabled=false
python3 "$ROOT/bench/bench.py" --base-url "$BASE_URL" --db "$BENCH_DB" --pid "$SERVICE_PID" --log "$SERVICE_LOG" \
  "${common[@]}" --scale-results "$results/scale.json" --stampede-results "$results/stampede.txt"
