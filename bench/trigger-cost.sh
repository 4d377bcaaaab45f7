#!/usr/bin/env bash
# What the near cache's change trigger costs the database itself, without the service: pgbench
# runs the service's single-row upsert committed without waiting for its flush (bench/pgbench/upsert-relaxed.sql) at
# many clients against a table of 10,000 live keys, with the change triggers
#   off      disabled
#   notify   the trigger function writing each payload with pg_notify, as before migration V15
#            (made from the current function by swapping its INSERT INTO cache_change_log for
#            PERFORM pg_notify('pgcache_changes', ...))
#   log      the current function (V15): each payload appended to pgcache.cache_change_log
# alternating, after a CHECKPOINT each. A notifying commit takes PostgreSQL's server-wide notify
# lock and holds it through its commit, so notifying writers queue; a change log has no such lock.
#   bench/trigger-cost.sh            16 clients, 3 alternating rounds of 10 s after 10 s of warm-up
#   CLIENTS=N ROUNDS=N ROUND_SECONDS=N bench/trigger-cost.sh
#   bench/trigger-cost.sh --smoke    2 clients, 1 round of 2 s: checks the script works, measures nothing
# Run it while the machine is otherwise quiet.
source "$(dirname "$0")/lib.sh"
clients="${CLIENTS:-16}"; rounds="${ROUNDS:-3}"; seconds="${ROUND_SECONDS:-10}"; warmup=10
[ "${1:-}" = "--smoke" ] && { clients=2; rounds=1; seconds=2; warmup=1; }
need pgbench postgresql-client
build_service
start_service pgcache_bench_trigger_cost -Dpgcache.purge.enabled=false -Dpgcache.near-cache.enabled=false
put_bench_entries "$BASE_URL" "$BENCH_AUTH" 10000
db="$BENCH_DB"
# the service only made the schema and the rows; pgbench alone writes from here
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""; BENCH_DB=""
trap 'dropdb --if-exists --force "$db" >/dev/null 2>&1 || true; rm -f "$script"' EXIT
script="$(mktemp --suffix=.sql)"
cp "$ROOT/bench/pgbench/upsert-relaxed.sql" "$script" # no flush in the way of what the triggers cost
log_def="$(psql -d "$db" -XAtc "SELECT pg_get_functiondef('pgcache.notify_cache_changes'::regproc)")"
notify_def="$(sed -E "s/INSERT INTO pgcache\.cache_change_log \(payload\) VALUES \(([^)]*)\)/PERFORM pg_notify('pgcache_changes', \1)/" <<<"$log_def")"
[ "$(grep -c pg_notify <<<"$notify_def")" -ge 2 ] || { echo "could not make the pg_notify variant of the trigger function" >&2; exit 1; }
triggers() { psql -d "$db" -qc "ALTER TABLE pgcache.cache_entry $1 TRIGGER cache_entry_log_update, $1 TRIGGER cache_entry_log_delete"; }
run() { # run SECONDS: statements per second
  PGOPTIONS="-c search_path=pgcache" pgbench -h 127.0.0.1 -n -M prepared -c"$clients" -j2 -T"$1" -D entries=10000 \
    --max-tries=10 -f "$script" "$db" 2>/dev/null | awk '/tps = .*without initial/ {print $3}'
}
run "$warmup" >/dev/null
declare -A tps
for r in $(seq 1 "$rounds"); do
  for v in off notify log; do
    case $v in
      off) triggers DISABLE ;;
      notify) psql -d "$db" -q <<<"$notify_def"; triggers "ENABLE ALWAYS" ;;
      log) psql -d "$db" -q <<<"$log_def"; triggers "ENABLE ALWAYS" ;;
    esac
    psql -d "$db" -qc "TRUNCATE pgcache.cache_change_log; CHECKPOINT"
    t="$(run "$seconds")"
    tps[$v]="${tps[$v]:-} $t"
    echo "  round $r: $v: $t statements/s"
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
off="$(median <<<"${tps[off]}")"; notify="$(median <<<"${tps[notify]}")"; log="$(median <<<"${tps[log]}")"
echo "single-row upserts of live keys committed without waiting for the flush, $clients clients, $rounds alternating rounds of $seconds s"
echo "| change trigger | statements/s (median) | rounds |"
echo "|---|---|---|"
echo "| off | $off |${tps[off]} |"
echo "| pg_notify (before V15) | $notify |${tps[notify]} |"
echo "| change log (V15) | $log |${tps[log]} |"
awk -v o="$off" -v n="$notify" -v l="$log" 'BEGIN { printf "pg_notify / off: %.2fx; change log / off: %.2fx; change log / pg_notify: %.2fx\n", n / o, l / o, l / n }'
