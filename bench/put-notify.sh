#!/usr/bin/env bash
# What the near cache's change log costs a writer (issue 15: PUT with it >= 0.9x without; "notifications"
# in the output, as before V15, when the triggers called pg_notify), alone, in a few minutes: PUTs
# overwriting live keys of a strict namespace (each write an update that the trigger
# cache_entry_log_update writes to pgcache.cache_change_log), with the three change triggers
# enabled and disabled in turn on the same service and database, after a CHECKPOINT each, wrk
# bench/wrk/put.lua with 32 connections, medians of the rounds. Also the disk's flush time
# (pg_test_fsync, one 8 kB write), which bounds what a strict write waits for (docs/operations.md,
# "Durability levels").
#   bench/put-notify.sh            10,000 keys, 20 s warm-up, 3 alternating rounds of 15 s
#   bench/put-notify.sh --rounds N the same with N alternating rounds (the rounds vary by 10 % on a VM's disk)
#   bench/put-notify.sh --smoke    1,000 keys, 1 round of 2 s: checks the script works, measures nothing
# Run it while the machine is otherwise quiet.
source "$(dirname "$0")/lib.sh"
entries=10000; warmup=20; rounds=3; seconds=15
[ "${1:-}" = "--smoke" ] && { entries=1000; warmup=1; rounds=1; seconds=2; }
[ "${1:-}" = "--rounds" ] && rounds="${2:?--rounds takes a number}"
need wrk wrk
triggers="cache_entry_log_update cache_entry_log_delete cache_entry_log_truncate"
set_triggers() { # set_triggers "ENABLE ALWAYS"|DISABLE: ALWAYS, as migration V8 sets them
  local list="" t
  for t in $triggers; do list="$list${list:+, }$1 TRIGGER $t"; done
  psql -d "$BENCH_DB" -qc "ALTER TABLE pgcache.cache_entry $list"
}
cleanup() { [ -z "${BENCH_DB:-}" ] || set_triggers "ENABLE ALWAYS" 2>/dev/null || true; stop_service; }
trap cleanup EXIT
build_service
start_service pgcache_bench_put_notify -Dpgcache.purge.enabled=false
put_bench_entries "$BASE_URL" "$BENCH_AUTH" "$entries"
export BENCH_LUA_DIR="$ROOT/bench/wrk" BENCH_ENTRIES="$entries"
put_round() { # put_round SECONDS: "req/s p99"
  wrk -t2 -c32 -d"$1"s --latency -s "$ROOT/bench/wrk/put.lua" "$BASE_URL" | awk '/Requests\/sec/ {r = $2} / 99%/ {p = $2} END {print r, p}'
}
put_round "$warmup" >/dev/null
declare -A rps p99
for r in $(seq 1 "$rounds"); do
  for mode in on off; do
    if [ "$mode" = on ]; then set_triggers "ENABLE ALWAYS"; else set_triggers DISABLE; fi
    psql -d "$BENCH_DB" -qc CHECKPOINT
    read -r rate tail <<<"$(put_round "$seconds")"
    rps[$mode]="${rps[$mode]:-} $rate"; p99[$mode]="${p99[$mode]:-} $tail"
    echo "  round $r: notifications $mode: $rate req/s, p99 $tail"
  done
done
set_triggers "ENABLE ALWAYS"
fsync="$(cd /tmp && "$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)/pg_test_fsync" -s 1 -f "/tmp/pgcache-fsync-$$" 2>/dev/null \
  | awk '/fdatasync/ && /usecs/ {print $(NF-1); exit}')" || true
rm -f "/tmp/pgcache-fsync-$$"
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
on="$(median <<<"${rps[on]}")"; off="$(median <<<"${rps[off]}")"
echo "PUT over $entries live keys, strict namespace, 32 connections, $rounds alternating rounds of $seconds s after $warmup s of warm-up"
echo "| variant | req/s (median) | rounds req/s | rounds p99 |"
echo "|---|---|---|---|"
echo "| pgcache: PUT, notifications on | $on |${rps[on]} |${p99[on]} |"
echo "| pgcache: PUT, notifications off | $off |${rps[off]} |${p99[off]} |"
awk -v a="$on" -v b="$off" 'BEGIN { printf "notifications on / off: %.2fx (target >= 0.9)\n", a / b }'
echo "disk flush (pg_test_fsync, fdatasync of one 8 kB write): ${fsync:-?} us"
