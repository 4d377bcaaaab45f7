#!/usr/bin/env bash
# Purge at scale: GET latency without and with a purge of 1,000,000 gone rows among 5,000,000,
# (in alternating windows, since other work on a shared machine can land in any phase),
# then a churn run (rewrites + short-lived writes + purge) with the table's size on disk.
#
# Everything runs on this machine: a fresh database pgcache_bench on the local PostgreSQL
# (dropped at the end), the service started by bench/lib.sh (its JVM options, an API key made for
# the run, a free port of 127.0.0.1), wrk against it.
# Usage: bench/purge-at-scale.sh            (about 15 minutes on 2 cores)
#        bench/purge-at-scale.sh --smoke    (20,000 rows, one churn round of each kind, 1 s windows:
#                                            checks the script works, in well under a minute)
# Knobs (environment): ROWS (5000000), GONE is ROWS/5, WINDOW_SECONDS (10), WRK_CONNECTIONS (8),
#   CHURN_UNVACUUMED_ROUNDS (4, churn rounds without any VACUUM at the end),
#   PACE_MS (2: each connection waits 2 ms between requests, a steady load well below
#   saturation; 0 = closed loop, which on 2 cores measures CPU contention more than anything), CHURN_ROUNDS (6), CHURN_REWRITES (200000), CHURN_INSERTS (300000),
#   SERVICE_OPTS (extra -D settings for the service, e.g. -Dpgcache.purge.batch-pause=0),
#   PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres), KEEP_DB=1 to keep the database,
#   BENCH_SKIP_BUILD=1 when the jar was just built.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if [ "${1:-}" = "--smoke" ]; then
  ROWS=${ROWS:-20000}; WINDOW_SECONDS=${WINDOW_SECONDS:-1}; WARMUP_SECONDS=${WARMUP_SECONDS:-1}
  CHURN_ROUNDS=${CHURN_ROUNDS:-1}; CHURN_REWRITES=${CHURN_REWRITES:-2000}; CHURN_INSERTS=${CHURN_INSERTS:-3000}
  CHURN_UNVACUUMED_ROUNDS=${CHURN_UNVACUUMED_ROUNDS:-1}
fi
ROWS=${ROWS:-5000000}
WINDOW_SECONDS=${WINDOW_SECONDS:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-15}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-8}
PACE_MS=${PACE_MS:-2}
CHURN_ROUNDS=${CHURN_ROUNDS:-6}
CHURN_REWRITES=${CHURN_REWRITES:-200000}
CHURN_INSERTS=${CHURN_INSERTS:-300000}
CHURN_UNVACUUMED_ROUNDS=${CHURN_UNVACUUMED_ROUNDS:-4}
DB=pgcache_bench
OUT=bench/out
mkdir -p "$OUT"

need wrk wrk
need jq jq
need bc bc

log() { printf '%s [load %s] %s\n' "$(date +%H:%M:%S)" "$(cut -d' ' -f1 /proc/loadavg)" "$*" | tee -a "$OUT/summary.txt"; }
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
scalar() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
size() { scalar "SELECT pg_size_pretty(pg_total_relation_size('pgcache.cache_entry')) || ' (heap ' || pg_size_pretty(pg_relation_size('pgcache.cache_entry')) || ', indexes ' || pg_size_pretty(pg_indexes_size('pgcache.cache_entry')) || ')'"; }
purge() { api POST /v1/admin/purge; }
# wrk on random live keys of the loaded table, with the run's key
live_gets() { ROWS=$ROWS PACE_MS=$PACE_MS wrk -t2 -c"$WRK_CONNECTIONS" "$@" -s bench/wrk/get-random-live.lua "$BASE_URL"; }

WRK_PID=""
cleanup() {
  [ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null || true
  [ -z "${KEEP_DB:-}" ] || BENCH_DB=""  # stop_service drops BENCH_DB
  stop_service
}
trap cleanup EXIT

: > "$OUT/summary.txt"; : > "$OUT/purge-runs.jsonl"
log "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB memory; $(psql -X -qAt -d postgres -c 'SELECT version()' | cut -d' ' -f1-2)"
log "server settings: autovacuum=$(psql -X -qAt -d postgres -c 'SHOW autovacuum'), shared_buffers=$(psql -X -qAt -d postgres -c 'SHOW shared_buffers')"

build_service
# Scheduled purge off (the benchmark triggers runs itself) and no table-stats scans, so the
# only background work during the measurements is the hit flush every 5 s, as in production.
# shellcheck disable=SC2086
start_service "$DB" -Dpgcache.purge.enabled=false -Dpgcache.table-stats.enabled=false ${SERVICE_OPTS:-}
log "service up on $BASE_URL (schema migrated by Flyway; log $SERVICE_LOG)"

# --- load -----------------------------------------------------------------------------------
t0=$(date +%s)
step=1000000
for first in $(seq 1 $step "$ROWS"); do
  last=$(( first + step - 1 )); [ "$last" -gt "$ROWS" ] && last=$ROWS
  sql -v first="$first" -v last="$last" -f bench/sql/load.sql
done
# autovacuum would do this after a bulk insert (it is off on CI servers like this one)
sql -c "VACUUM (ANALYZE) pgcache.cache_entry"
log "loaded $ROWS rows in $(( $(date +%s) - t0 )) s; gone: $(scalar "SELECT count(*) FROM pgcache.cache_entry WHERE coalesce(stale_until, expires_at) <= now()"); table $(size)"

sql -f bench/sql/explain-purge.sql > "$OUT/explain-purge.txt" 2>&1
log "purge batch as shipped (generic plan): $(grep -E 'Index Scan|Seq Scan|Tid Scan' "$OUT/explain-purge.txt" | head -2 | sed 's/^ *//; s/ (actual.*//' | paste -sd ';'), $(grep 'Execution Time' "$OUT/explain-purge.txt" | sed -n 1p | sed 's/^ *//')"
log "purge batch joined back on the key, as before (generic plan): $(grep -E 'Hash Join|Seq Scan|Nested Loop' "$OUT/explain-purge.txt" | sed 's/^ *//; s/ (actual.*//' | paste -sd ';'), $(grep 'Execution Time' "$OUT/explain-purge.txt" | sed -n 2p | sed 's/^ *//')"

# --- GET latency without and with purge, in alternating windows ------------------------------
# The machine may be shared, and other work can land in any phase of a benchmark. So the two
# conditions alternate: a window of WINDOW_SECONDS without purge, then a window that lasts one
# purge run (POST /v1/admin/purge, which runs until its 10 s time budget), and so on until purge
# has removed every gone row, ending with a window without purge. Runs are back to back across
# the "with" windows' worth of time only; the latencies of all windows of one condition are
# merged into one distribution (bench/latency.py, from wrk's raw histograms).
window() { # $1 = histogram file, $2 = wrk duration
  LAT_OUT="$1" live_gets -d"$2" --timeout 5s --latency > "$1.wrk" 2>&1
}
rm -f "$OUT"/lat-*
live_gets -d"$WARMUP_SECONDS"s > "$OUT/wrk-warmup.txt" 2>&1
window "$OUT/lat-without-00" "${WINDOW_SECONDS}s"
runs=0; purged=0; batches=0; purge_secs=0
while :; do
  runs=$(( runs + 1 )); n=$(printf '%02d' "$runs")
  # wrk itself in the background (not live_gets, whose subshell would ignore the SIGINT that ends the window)
  LAT_OUT="$OUT/lat-with-$n" BENCH_AUTH="$BENCH_AUTH" ROWS=$ROWS PACE_MS=$PACE_MS wrk -t2 -c"$WRK_CONNECTIONS" -d600s --timeout 5s \
    --latency -s bench/wrk/get-random-live.lua "$BASE_URL" > "$OUT/lat-with-$n.wrk" 2>&1 &
  WRK_PID=$!
  sleep 0.3
  t0=$(date +%s.%N)
  r=$(purge)
  t1=$(date +%s.%N)
  kill -INT "$WRK_PID"; wait "$WRK_PID" || true; WRK_PID=""
  echo "$r" >> "$OUT/purge-runs.jsonl"
  purge_secs=$(echo "$purge_secs + $t1 - $t0" | bc -l)
  purged=$(( purged + $(jq .purged <<<"$r") ))
  batches=$(( batches + $(jq .batches <<<"$r") ))
  window "$OUT/lat-without-$n" "${WINDOW_SECONDS}s"
  [ "$(jq .complete <<<"$r")" = "true" ] && break
  [ "$runs" -ge 100 ] && { log "purge did not finish in 100 runs"; break; }
done
log "purge: $purged rows in $runs runs ($batches batches of up to 1000), $(printf '%.1f' "$purge_secs") s of purging, $(printf '%.0f' "$(echo "$purged / $purge_secs" | bc -l)") rows/s; runs took $(jq -s 'map(.durationMs) | map(tostring) | join(", ")' "$OUT/purge-runs.jsonl" | tr -d '"') ms"
python3 bench/latency.py "GET without purge ($WRK_CONNECTIONS connections, pace ${PACE_MS} ms)" "$OUT"/lat-without-?? \
  -- "GET during purge runs" "$OUT"/lat-with-?? | while read -r line; do log "$line"; done
log "p99 per window without purge: $(for f in "$OUT"/lat-without-??.wrk; do awk '$1 == "99%" {printf "%s ", $2}' "$f"; done)"
log "p99 per window during purge:  $(for f in "$OUT"/lat-with-??.wrk; do awk '$1 == "99%" {printf "%s ", $2}' "$f"; done)"
if grep -q 'Non-2xx\|Socket errors' "$OUT"/lat-*.wrk; then log "errors: $(grep -H 'Non-2xx\|Socket errors' "$OUT"/lat-*.wrk | tr -s ' ' | paste -sd ';')"; fi
log "table after purge: $(size); live rows $(scalar "SELECT count(*) FROM pgcache.cache_entry")"
# during the GET phases the only row updates were hit flushes: how many of them were HOT
log "row updates so far (hit flushes): $(scalar "SELECT n_tup_upd || ' updates, ' || n_tup_hot_upd || ' HOT (' || round(100.0 * n_tup_hot_upd / greatest(n_tup_upd, 1), 1) || ' %)' FROM pg_stat_user_tables WHERE relid = 'pgcache.cache_entry'::regclass"); hits flushed $(api GET /q/metrics | awk '/^pgcache_hits_flushed_total/ {print $2}'), flush max $(api GET /q/metrics | awk '/^pgcache_hits_flush_duration_seconds_max/ {print $2}') s"

# --- churn ----------------------------------------------------------------------------------
# Each round rewrites CHURN_REWRITES live keys and writes CHURN_INSERTS keys that are gone within
# a second, then purges until nothing is left. This server runs with autovacuum=off (a CI
# setting), so a plain VACUUM stands in for autovacuum after each round: with the table's
# autovacuum thresholds from V1 (2 % dead rows) autovacuum would start at least that often.
av=$(psql -X -qAt -d postgres -c 'SHOW autovacuum')
log "churn: $CHURN_ROUNDS rounds of $CHURN_REWRITES rewrites + $CHURN_INSERTS short-lived writes + purge$([ "$av" = off ] && echo ' + VACUUM (autovacuum is off on this server)')"
log "churn start: table $(size)"
for round in $(seq 1 "$CHURN_ROUNDS"); do
  sql -v round="$round" -v rows="$ROWS" -v rewrites="$CHURN_REWRITES" -v inserts="$CHURN_INSERTS" -f bench/sql/churn-round.sql
  sleep 1
  grown=$(size)
  cpurged=0; cruns=0
  while :; do
    r=$(purge); cruns=$(( cruns + 1 ))
    cpurged=$(( cpurged + $(jq .purged <<<"$r") ))
    [ "$(jq .complete <<<"$r")" = "true" ] && break
  done
  [ "$av" = off ] && sql -c "VACUUM pgcache.cache_entry"
  log "churn round $round: after writes $grown; purged $cpurged in $cruns runs; after purge$([ "$av" = off ] && echo ' + vacuum') $(size)"
done
log "churn end: table $(size); rows $(scalar "SELECT count(*) FROM pgcache.cache_entry")"
# The same rounds with no VACUUM at all: what a server with autovacuum off does to the table.
for extra in $(seq 1 "$CHURN_UNVACUUMED_ROUNDS"); do
  round=$(( CHURN_ROUNDS + extra ))
  sql -v round="$round" -v rows="$ROWS" -v rewrites="$CHURN_REWRITES" -v inserts="$CHURN_INSERTS" -f bench/sql/churn-round.sql
  sleep 1
  grown=$(size)
  while :; do
    r=$(purge)
    [ "$(jq .complete <<<"$r")" = "true" ] && break
  done
  log "churn round $round without any VACUUM: after writes $grown; after purge $(size); dead rows $(scalar "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'pgcache.cache_entry'::regclass")"
done
log "done; raw output in $OUT/"
