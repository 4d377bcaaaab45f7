#!/usr/bin/env bash
# Side by side: the service built from two commits, GET hit and PUT with wrk, alternating rounds.
# Both services run at once (each on its own database, started by bench/lib.sh with the same JVM
# options and each with its own run key), so a round of one is followed by a round of the other
# under the same machine load; 20 s of warm-up each first. Prints the median of the rounds and
# the ratio new/old.
# Usage: bench/ab.sh OLD_COMMIT [NEW_COMMIT]   (NEW defaults to the working tree's HEAD)
#        bench/ab.sh --smoke                   the working tree's jar (already built) as both
#                                              sides, 1 round of 2 s on 1,000 entries: checks the
#                                              script works without building two worktrees
#        BENCH_ROUNDS (5), BENCH_SECONDS (15), BENCH_WARMUP (20), BENCH_CONNECTIONS (32), BENCH_ENTRIES (10000)
# Each commit is built in a temporary git worktree (removed at the end), with `./mvnw -o`.
# All traffic stays on 127.0.0.1.
source "$(dirname "$0")/lib.sh"
smoke=""
if [ "${1:-}" = "--smoke" ]; then
  smoke=1; old=HEAD; new=HEAD
  rounds=1; seconds=2; warmup=1; entries=1000
else
  old="${1:?usage: bench/ab.sh OLD_COMMIT [NEW_COMMIT] | --smoke}"; new="${2:-HEAD}"
fi
rounds="${BENCH_ROUNDS:-${rounds:-5}}"; seconds="${BENCH_SECONDS:-${seconds:-15}}"; warmup="${BENCH_WARMUP:-${warmup:-20}}"
conns="${BENCH_CONNECTIONS:-32}"; entries="${BENCH_ENTRIES:-${entries:-10000}}"
need wrk wrk
work="$(mktemp -d)"
declare -A pid url auth
cleanup() {
  for v in old new; do
    [ -n "${pid[$v]:-}" ] && kill "${pid[$v]}" 2>/dev/null && wait "${pid[$v]}" 2>/dev/null || true
    dropdb --if-exists --force "pgcache_ab_$v" >/dev/null 2>&1 || true
    [ -z "$smoke" ] && git -C "$ROOT" worktree remove --force "$work/$v" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

[ -z "$smoke" ] || build_service
for v in old new; do
  commit="$old"; [ "$v" = new ] && commit="$new"
  if [ -n "$smoke" ]; then
    jar="$ROOT/target/quarkus-app/quarkus-run.jar"
  else
    git -C "$ROOT" worktree add -q --detach "$work/$v" "$commit"
    # offline first; an old commit's platform may no longer be in the local repository
    (cd "$work/$v" && { ./mvnw -B -q -o package -DskipTests >"$work/build-$v.log" 2>&1 \
      || ./mvnw -B -q package -DskipTests >"$work/build-$v.log" 2>&1; }) \
      || { echo "bench/ab.sh: cannot build $commit:" >&2; tail -20 "$work/build-$v.log" >&2; exit 1; }
    jar="$work/$v/target/quarkus-app/quarkus-run.jar"
  fi
  # the same JVM options for both (this tree's bin/jvm-options), no AOT cache for either
  BENCH_JAR="$jar" start_service "pgcache_ab_$v" -Dpgcache.purge.enabled=false
  pid[$v]="$SERVICE_PID"; url[$v]="$BASE_URL"; auth[$v]="$BENCH_AUTH"
  SERVICE_PID=""; BENCH_DB=""  # both stay up until the end: cleanup stops them
  put_bench_entries "${url[$v]}" "${auth[$v]}" "$entries"
done

run() { # variant script seconds -> req/s
  BENCH_LUA_DIR="$ROOT/bench/wrk" BENCH_AUTH="${auth[$1]}" BENCH_ENTRIES="$entries" BENCH_NS=bench \
    wrk -t2 -c"$conns" -d"${3}s" -s "$ROOT/bench/wrk/$2.lua" "${url[$1]}" | awk '/Requests\/sec/ {print $2}'
}
for v in old new; do run "$v" get-hit "$warmup" >/dev/null; run "$v" put "$warmup" >/dev/null; done
declare -A results
for scenario in get-hit put; do
  for r in $(seq 1 "$rounds"); do
    for v in old new; do results[$scenario.$v]+="$(run "$v" "$scenario" "$seconds") "; done
  done
done
if [ -n "$smoke" ]; then
  echo "smoke: both sides are this tree's build (no worktrees built); the figures check the script, they measure nothing"
fi
echo "commits: old $(git -C "$ROOT" rev-parse --short "$old"), new $(git -C "$ROOT" rev-parse --short "$new"); $rounds alternating rounds of $seconds s after ${warmup} s warm-up, $conns connections, $entries entries"
for scenario in get-hit put; do
  python3 - "$scenario" "${results[$scenario.old]}" "${results[$scenario.new]}" <<'PY'
import statistics, sys
name, old, new = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
mo, mn = statistics.median(old), statistics.median(new)
print(f"{name:8s} old median {mo:9.0f} req/s {old}   new median {mn:9.0f} req/s {new}   new/old {mn / mo:.3f}")
PY
done
