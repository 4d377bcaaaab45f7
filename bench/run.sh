#!/usr/bin/env bash
# The performance benchmark (issue 8): pgcache side by side with pgbench on the same SQL and
# with redis-benchmark on values of the same size, each scenario for a fixed time after a
# warm-up, on one machine. Writes the table into docs/benchmarks.md and the chart of its ratios
# (bench/chart.py) next to it.
#
#   bench/run.sh            full run: GET on 100,000 vs 10,000,000 rows, the read-through stampede,
#                           the near cache's cross-replica lag (1,000 samples), then 1,000,000
#                           entries with 30 s per scenario and the near-cache scenarios (3
#                           alternating rounds of 15 s per variant) (takes ~36 min: ~27 before issue 17, whose durability phase adds ~9; ~20 before issue 15)
#   bench/run.sh --smoke    every scenario script below for a few seconds on small data, so none
#                           can rot unseen (CI runs it after the tests, ~6 min). It measures
#                           nothing: its table and chart go to bench/out/benchmarks-smoke.md and
#                           .png (not under git), never into docs/.
#   options: --entries N  --duration S  --connections C  --scale-rows SMALL LARGE
#            --hot-keys N (the near cache's hot set)  --rounds N  --lag-samples N
#
# The near cache (issue 15): the main phase's service has default settings (near cache on, 16M);
# a second replica on the same database runs with -Dpgcache.near-cache.enabled=false, and
# bench/bench.py alternates between them: GET hits on a hot set that fits in the near cache and
# on all entries, and PUTs over live keys with the change triggers on (replica with the near
# cache) and off (the triggers disabled, the replica without it; enabled again whatever happens).
# The lag phase runs bench/lag.py against two replicas with the near cache on, on a database of
# its own.
#
# Every scenario, all of them starting the service through bench/lib.sh (bin/jvm-options, a key
# made for the run, 127.0.0.1 only); the figures and their commands are in docs/benchmarks.md:
#
#   script                          what                                          full run        --smoke
#   bench/run.sh (bench/bench.py)   pgcache vs pgbench vs Redis, scale, purge     this script     yes
#   bench/stampede.sh               read-through: many callers of one cold key    run by this     yes
#   bench/lag.py                    near cache: write on one replica, new value   run by this     yes
#                                   on the other (two replicas started here)
#   bench/batch-vs-single.sh        one batch-put against single PUTs             by hand         yes
#   bench/purge-at-scale.sh         purge of 1 M gone rows among 5 M, churn       by hand (15 min) yes
#   bench/durability.sh             PUT strict / relaxed / unlogged table, with   this script      yes
#                                   pgbench's upsert of the same statement
#   bench/eviction.sh               hit ratio: second-chance, oldest-first and    by hand (~25 min) yes
#                                   an exact LRU on one Zipf trace, cap 10 %
#   bench/churn-cap.sh              table size under a writer that never stops,   by hand (10 min) yes
#                                   only the table's cap set
#   bench/hot-get.sh                near-cache GET hit vs pgbench vs Redis only   by hand (4 min) yes
#   bench/put-notify.sh             PUT with the near cache's change triggers on  by hand (3 min) yes
#                                   and off, and the disk's flush time
#   bench/trigger-cost.sh           pgbench upserts at 16 clients: change         by hand (2 min) yes
#                                   triggers off, with pg_notify, with the log
#   bench/rolling-upgrade.sh OLD    a replica of OLD and one of this tree on one  by hand (2 min) yes, this tree's
#                                   database: stale reads while this tree migrates as both sides
#   bench/rpc-logs.sh               eth_getLogs through the JSON-RPC proxy,       by hand         yes
#                                   block-range chunks on and off, on Anvil
#   bench/ab.sh OLD [NEW]           two commits side by side (GET hit, PUT)       by hand         yes, this tree's
#                                                                                                 jar on both sides
#   bench/pgbench/generate.py       the pgbench scripts, from entry/*Statements' SQL after SQL edits --check
source "$(dirname "$0")/lib.sh"

entries=1000000; duration=30; warmup=20; connections=32; mode=full; scale_small=100000; scale_large=10000000
hot_keys=10000; rounds=3; lag_samples=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) entries=5000; duration=3; warmup=1; mode=smoke; scale_small=2000; scale_large=20000
             hot_keys=1000; rounds=1; lag_samples=100 ;;
    --hot-keys) hot_keys="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --lag-samples) lag_samples="$2"; shift ;;
    --scale-rows) scale_small="$2"; scale_large="$3"; shift 2 ;;
    --entries) entries="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
smoke_flag=(); [ "$mode" = smoke ] && smoke_flag=(--smoke)

echo "check: bench/pgbench/*.sql against the SQL of entry/*Statements.java"
python3 "$ROOT/bench/pgbench/generate.py" --check

need wrk wrk
need pgbench postgresql-client
need redis-benchmark redis-tools
need gnuplot gnuplot-nox
need jq jq
need bc bc
redis_started=""
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  need redis-server redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  redis_started=1
fi

build_service
results="$(mktemp -d /tmp/pgcache-bench-results-XXXX)"
finish() {
  # the near-cache scenarios disable the change triggers for a while (bench/bench.py enables them
  # again itself); whatever stopped the run, they are on again before the database goes
  [ -z "${BENCH_DB:-}" ] || psql -q -d "$BENCH_DB" -c "ALTER TABLE pgcache.cache_entry ENABLE ALWAYS TRIGGER cache_entry_log_update,
    ENABLE ALWAYS TRIGGER cache_entry_log_delete, ENABLE ALWAYS TRIGGER cache_entry_log_truncate" >/dev/null 2>&1 || true
  stop_service
  # a Redis this run started, and only that one
  [ -z "$redis_started" ] || redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true
}
trap finish EXIT
if [ "$mode" = smoke ]; then
  mkdir -p "$ROOT/bench/out"
  doc="$ROOT/bench/out/benchmarks-smoke.md"; chart="$ROOT/bench/out/benchmarks-smoke.png"
else
  doc="$ROOT/docs/benchmarks.md"; chart="$ROOT/docs/benchmarks-full.png"
fi
common=(--entries "$entries" --duration "$duration" --warmup "$warmup" --connections "$connections" --mode "$mode")
near=(--hot-keys "$hot_keys" --rounds "$rounds")

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
BENCH_SKIP_BUILD=1 "$ROOT/bench/stampede.sh" "${smoke_flag[@]}" | tee "$results/stampede.txt"

echo "durability: PUT for strict, relaxed and an unlogged table, next to pgbench's upsert"
BENCH_SKIP_BUILD=1 "$ROOT/bench/durability.sh" "${smoke_flag[@]}" | tee "$results/durability.txt"
# its table is not part of the main table (a phase of its own, two service starts on one database):
# copy it into docs/benchmarks.md, "Storage policies (issue 17)", from here
cp "$results/durability.txt" "${TMPDIR:-/tmp}/pgcache-bench-durability-$mode.txt"

echo "near cache: cross-replica lag, two replicas on one database"
start_service pgcache_bench_lag -Dpgcache.purge.enabled=false
writer="$BASE_URL"
keep_service
BENCH_KEEP_DB=1 BENCH_KEEP_KEY=1 start_service pgcache_bench_lag -Dpgcache.purge.enabled=false
python3 "$ROOT/bench/lag.py" --writer "$writer" --prober "$BASE_URL" --samples "$lag_samples" --warmup "$warmup" --out "$results/lag.json"
stop_service

# the purge scenario triggers purges itself; the 60 s scheduled purge would empty the gone rows early
start_service pgcache_bench_run -Dpgcache.purge.enabled=false
main_url="$BASE_URL"; main_pid="$SERVICE_PID"; main_log="$SERVICE_LOG"; main_ready="$READY_SECONDS"
keep_service
# replica C of the near-cache scenarios: the same database and key, the near cache off; without
# its own scan of the whole table every minute for the pgcache_table_* gauges (A's is enough), so
# that while it waits for its rounds it adds nothing to the figures of the other scenarios
BENCH_KEEP_DB=1 BENCH_KEEP_KEY=1 start_service pgcache_bench_run -Dpgcache.purge.enabled=false -Dpgcache.near-cache.enabled=false \
  -Dpgcache.table-stats.enabled=false
READY_SECONDS="$main_ready" python3 "$ROOT/bench/bench.py" --base-url "$main_url" --db "$BENCH_DB" --pid "$main_pid" --log "$main_log" \
  "${common[@]}" "${near[@]}" --near-off-url "$BASE_URL" --near-off-pid "$SERVICE_PID" --lag-results "$results/lag.json" \
  --doc "$doc" --chart "$chart" --scale-results "$results/scale.json" --stampede-results "$results/stampede.txt"
stop_service

if [ "$mode" = smoke ]; then
  # the scenario scripts that the full run leaves to be run by hand: each once, on tiny settings
  for scenario in batch-vs-single.sh purge-at-scale.sh ab.sh eviction.sh churn-cap.sh hot-get.sh put-notify.sh trigger-cost.sh rolling-upgrade.sh rpc-logs.sh; do
    echo "smoke: bench/$scenario --smoke"
    BENCH_SKIP_BUILD=1 "$ROOT/bench/$scenario" --smoke
  done
  echo "smoke run done: every scenario script ran; table and chart in $doc and $chart"
fi
