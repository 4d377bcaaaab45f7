#!/usr/bin/env bash
# Start-up (issue 14): seconds from running bin/run to the first 200 from /q/health/ready, on a
# restart against an existing database (schema migrated, Flyway and Hibernate validate it), as a
# user restarts the service. One start on a fresh database migrates it (not counted), then N
# restarts; prints each and the median, with the machine's load average before and after.
#
#   bench/startup.sh              5 restarts (the figure in docs/benchmarks.md)
#   bench/startup.sh --rounds N
#   BENCH_SKIP_BUILD=1 bench/startup.sh    use the build in target/ as it is
# Extra JVM options for every start: PGCACHE_JAVA_OPTS (bin/jvm-options appends them).
source "$(dirname "$0")/lib.sh"

rounds=5
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

build_service
trap stop_service EXIT
db=pgcache_bench_startup
# the service logs at INFO, as bin/run does, so Quarkus' own "started in" is there to compare
opts=(-Dpgcache.purge.enabled=false -Dquarkus.log.level=INFO)
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_service "$db" "${opts[@]}"
echo "new database (migrations run): ready in $READY_SECONDS s"
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
times=()
for i in $(seq 1 "$rounds"); do
  BENCH_KEEP_DB=1 start_service "$db" "${opts[@]}"
  started_in="$(grep -o 'started in [0-9.]*s' "$SERVICE_LOG" | head -n1 || true)"
  echo "restart $i: ready in $READY_SECONDS s (Quarkus: ${started_in:-?}; load $(cut -d' ' -f1 /proc/loadavg))"
  times+=("$READY_SECONDS")
  kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
  rm -f "$SERVICE_LOG"
done
echo "median of $rounds restarts: $(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}') s (min $(printf '%s\n' "${times[@]}" | sort -n | head -n1), max $(printf '%s\n' "${times[@]}" | sort -n | tail -n1))"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
