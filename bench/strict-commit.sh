#!/usr/bin/env bash
# How a strict write should wait for its flush, in the database alone (issue 17; docs/benchmarks.md,
# "PUT by durability level"): pgbench, 32 clients, the service's single-row upsert three ways,
# alternating rounds, a CHECKPOINT before each:
#   barrier   bench/pgbench/upsert.sql as the service sends it: the write committed without waiting
#             (synchronous_commit off), then FLUSH_BARRIER in its own transaction
#   sync      the same write committed with synchronous_commit on, and no barrier
#   relaxed   bench/pgbench/upsert-relaxed.sql: the write committed without waiting, no barrier
# The barrier was chosen while the change triggers called pg_notify, whose server-wide lock a
# commit holds through its flush; since V15 they write a change log instead.
#   bench/strict-commit.sh            100,000 rows, 20 s warm-up each, 3 alternating rounds of 20 s
#   bench/strict-commit.sh --smoke    1,000 rows, 1 round of 2 s: checks the script works, measures nothing
source "$(dirname "$0")/lib.sh"
entries=100000; warmup=20; rounds=3; seconds=20
[ "${1:-}" = "--smoke" ] && { entries=1000; warmup=1; rounds=1; seconds=2; }
need pgbench postgresql-client
db=pgcache_bench_strict_commit
work="$(mktemp -d)"
trap 'stop_service; rm -rf "$work"' EXIT

build_service
start_service "$db" -Dpgcache.purge.enabled=false   # migrates the database; the service is not used further
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""
psql -q -d "$db" -c "INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, expires_at, version, size_bytes, tags)
  SELECT 'bench', 'k' || i, '{\"a\":1}', now(), now() + interval '1 hour', nextval('pgcache.cache_entry_version_seq'), 7, '{}'
  FROM generate_series(0, $entries - 1) i"
cp "$ROOT/bench/pgbench/upsert.sql" "$work/barrier.sql"
cp "$ROOT/bench/pgbench/upsert-relaxed.sql" "$work/relaxed.sql"
sed "s/set_config('synchronous_commit', 'off', true)/set_config('synchronous_commit', 'on', true)/; /pg_logical_emit_message/d" \
  "$ROOT/bench/pgbench/upsert.sql" >"$work/sync.sql"
grep -q "'synchronous_commit', 'on'" "$work/sync.sql" && ! grep -q pg_logical_emit_message "$work/sync.sql" \
  || { echo "bench/strict-commit.sh: upsert.sql no longer has the shape this script rewrites" >&2; exit 1; }

run() { # run VARIANT SECONDS -> tps
  psql -q -d "$db" -c CHECKPOINT
  PGOPTIONS="-c search_path=pgcache" pgbench -n -M prepared -c 32 -j 2 -T "$2" -D entries="$entries" -f "$work/$1.sql" "$db" 2>/dev/null \
    | awk '/^tps/ {print int($3)}'
}
variants="barrier sync relaxed"
for v in $variants; do run "$v" "$warmup" >/dev/null; done
declare -A tps
for r in $(seq 1 "$rounds"); do
  for v in $variants; do
    t="$(run "$v" "$seconds")"; tps[$v]+="$t "
    echo "  round $r: $v $t tps"
  done
done
echo "pgbench, 32 clients, $entries rows, $rounds alternating rounds of $seconds s after $warmup s of warm-up each"
python3 - "${tps[barrier]}" "${tps[sync]}" "${tps[relaxed]}" <<'PY'
import statistics, sys
names = ("barrier (the service's strict write)", "sync (synchronous commit, no barrier)", "relaxed")
medians = []
for name, rounds in zip(names, sys.argv[1:]):
    values = [int(x) for x in rounds.split()]
    medians.append(statistics.median(values))
    print(f"{name:40s} median {medians[-1]:8.0f} tps  rounds {values}")
print(f"sync / barrier {medians[1] / medians[0]:.2f}; relaxed / barrier {medians[2] / medians[0]:.2f}; relaxed / sync {medians[2] / medians[1]:.2f}")
PY
