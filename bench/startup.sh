#!/usr/bin/env bash
# Start-up (issue 14): seconds from running bin/run to the first 200 from /q/health/ready, on a
# restart against an existing database (schema migrated, Flyway and Hibernate validate it), as a
# user restarts the service. One start on a fresh database migrates it (not counted), then N
# restarts; prints each and the median, with the machine's load average before and after, and the
# CPU seconds the JVM used until ready (all threads, and its main thread: less disturbed by a busy
# machine than the wall clock, so two builds can be compared on one).
#
#   bench/startup.sh              5 restarts (the figure in docs/benchmarks.md)
#   bench/startup.sh --rounds N
#   bench/startup.sh --steps      also the median time of each start-up step over the restarts
#                                 (Quarkus' -Dquarkus.debug.print-startup-times, the JVM's own
#                                 creation from -Xlog:startuptime); the logging costs a little
#   PGCACHE_AOT_TRAINING=0 bench/startup.sh              only the cache the build wrote
#   PGCACHE_AOT_TRAINING=0 PGCACHE_JAVA_OPTS=-XX:AOTMode=off bench/startup.sh    no cache at all
#   BENCH_SKIP_BUILD=1 bench/startup.sh    use the build in target/ as it is
# Extra JVM options for every start: PGCACHE_JAVA_OPTS (bin/jvm-options appends them).
source "$(dirname "$0")/lib.sh"

rounds=5; steps=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --steps) steps=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

build_service
trap stop_service EXIT
db=pgcache_bench_startup
# the service logs at INFO, as bin/run does, so Quarkus' own "started in" is there to compare
opts=(-Dpgcache.purge.enabled=false -Dquarkus.log.level=INFO)
step_log="$(mktemp /tmp/pgcache-startup-steps-XXXX.txt)"
if [ -n "$steps" ]; then
  opts+=(-Dquarkus.debug.print-startup-times=true)
  export PGCACHE_JAVA_OPTS="${PGCACHE_JAVA_OPTS:-} -Xlog:startuptime"
fi
echo "JVM options: $("$ROOT/bin/jvm-options")"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_service "$db" "${opts[@]}"
echo "first start, on a new database (migrations run; the first start after a build also trains the start-up cache): ready in $READY_SECONDS s"
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
times=(); cpus=(); mains=()
for i in $(seq 1 "$rounds"); do
  BENCH_KEEP_DB=1 start_service "$db" "${opts[@]}"
  started_in="$(grep -o 'started in [0-9.]*s' "$SERVICE_LOG" | head -n1 || true)"
  echo "restart $i: ready in $READY_SECONDS s (Quarkus: ${started_in:-?}; JVM CPU $READY_CPU s, main thread $READY_MAIN_CPU s; load $(cut -d' ' -f1 /proc/loadavg))"
  times+=("$READY_SECONDS"); cpus+=("$READY_CPU"); mains+=("$READY_MAIN_CPU")
  if [ -n "$steps" ]; then
    sed -n 's/.*Build step \(.*\) completed in: \([0-9]*\)ms.*/\1 \2/p' "$SERVICE_LOG" >>"$step_log"
    sed -n 's/.*\[startuptime\] Create VM, \([0-9.]*\) secs.*/JVM:create-VM \1/p' "$SERVICE_LOG" |
      awk '{printf "%s %d\n", $1, $2 * 1000}' >>"$step_log"
  fi
  kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
  rm -f "$SERVICE_LOG"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "median of $rounds restarts: $(median "${times[@]}") s (min $(printf '%s\n' "${times[@]}" | sort -n | head -n1), max $(printf '%s\n' "${times[@]}" | sort -n | tail -n1)); JVM CPU until ready $(median "${cpus[@]}") s, its main thread $(median "${mains[@]}") s"
if [ -n "$steps" ]; then
  echo "median ms per step over the $rounds restarts (steps of 15 ms or more):"
  python3 - "$step_log" <<'PY'
import collections, statistics, sys
ms = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, value = line.rsplit(' ', 1)
    ms[name].append(int(value))
for name, values in sorted(ms.items(), key=lambda kv: -statistics.median(kv[1])):
    if statistics.median(values) >= 15:
        print(f"  {statistics.median(values):6.0f}  {name}")
PY
fi
rm -f "$step_log"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
