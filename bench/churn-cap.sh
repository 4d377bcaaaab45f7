#!/usr/bin/env bash
# A table nobody watches (issue 17): only the cap on the whole table is set
# (pgcache.storage.max-bytes), and a writer PUTs values under ever new keys without end. Every
# sample shows the live rows' bytes (sum of size_bytes, what the cap bounds) and the heap and
# total size on disk (dead rows until autovacuum reclaims them): with the purge timer running,
# both must stop growing. Reports counts and sizes, not speed. Where the server runs with
# autovacuum off (the shared test server does), a VACUUM of the table after each sample stands in
# for it, and the output says so: no setting of pgcache keeps a heap bounded without vacuum.
#
#   bench/churn-cap.sh            10 minutes, cap 20 MB, a purge every 10 s, a sample every 30 s
#   bench/churn-cap.sh --smoke    40 s, cap 2 MB, a purge every 2 s, a sample every 5 s
#   options: --seconds S  --cap-mb M  --purge-interval S  --sample-every S
source "$(dirname "$0")/lib.sh"
seconds=600; cap_mb=20; purge_interval=10; sample_every=30; mode=full
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) seconds=40; cap_mb=2; purge_interval=2; sample_every=5; mode=smoke ;;
    --seconds) seconds="$2"; shift ;;
    --cap-mb) cap_mb="$2"; shift ;;
    --purge-interval) purge_interval="$2"; shift ;;
    --sample-every) sample_every="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
need wrk wrk
build_service
trap stop_service EXIT
cap=$((cap_mb * 1024 * 1024))
start_service pgcache_bench_churn -Dpgcache.storage.max-bytes="$cap" -Dpgcache.purge.interval="${purge_interval}s"
# keys drawn from 100 times the rows the cap holds (values of ~700 bytes): nearly every PUT a new key
keys=$((cap / 700 * 100))
BENCH_ENTRIES="$keys" BENCH_LUA_DIR="$ROOT/bench/wrk" BENCH_NS=churn \
  wrk -t1 -c4 -d"${seconds}s" --timeout 10s -s "$ROOT/bench/wrk/put.lua" "$BASE_URL" > /tmp/pgcache-churn-wrk.txt &
writer=$!
samples="$(mktemp /tmp/pgcache-churn-XXXX.tsv)"
echo "churn ($mode): cap $cap bytes, purge every ${purge_interval}s, ${seconds}s of PUTs of new keys"
printf "%8s %10s %12s %12s %12s\n" "seconds" "rows" "live bytes" "heap bytes" "total bytes"
vacuum=""
if [ "$(psql -d "$BENCH_DB" -Atc "SHOW autovacuum")" != on ]; then
  vacuum=1; echo "autovacuum is off on this server: a VACUUM of the table after each sample stands in for it"
fi
start=$SECONDS
while kill -0 "$writer" 2>/dev/null; do
  sleep "$sample_every"
  row="$(psql -d "$BENCH_DB" -Atc "SELECT count(*), coalesce(sum(size_bytes), 0), pg_relation_size('pgcache.cache_entry'),
    pg_total_relation_size('pgcache.cache_entry') FROM pgcache.cache_entry" | tr '|' ' ')"
  echo "$((SECONDS - start)) $row" >> "$samples"
  # shellcheck disable=SC2086
  printf "%8s %10s %12s %12s %12s\n" $((SECONDS - start)) $row
  [ -z "$vacuum" ] || psql -q -d "$BENCH_DB" -c "VACUUM pgcache.cache_entry"
done
wait "$writer" || true
grep -E "Requests/sec|Non-2xx" /tmp/pgcache-churn-wrk.txt || true
python3 - "$samples" "$cap" <<'PY'
import sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
cap = int(sys.argv[2])
half = rows[len(rows) // 2:]
print(f"live bytes, second half of the run: max {max(r[2] for r in half)} (cap {cap}; over it between two purges by at most one interval's writes)")
print(f"heap bytes: max in the first half {max(r[3] for r in rows[:len(rows) // 2] or rows)}, in the second half {max(r[3] for r in half)}")
print(f"total bytes on disk: max in the first half {max(r[4] for r in rows[:len(rows) // 2] or rows)}, in the second half {max(r[4] for r in half)}")
PY
