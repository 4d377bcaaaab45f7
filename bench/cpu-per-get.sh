#!/usr/bin/env bash
# CPU time the service spends per GET hit answered from the near cache, for one or more builds side
# by side. CPU per request rather than requests per second: on a machine shared with other work
# the wall clock says more about the neighbours than about the service, while the CPU the service
# process itself used (utime + stime of /proc/PID/stat, all its threads) divided by the requests
# it answered moves little with the load around it.
#
# Usage: bench/cpu-per-get.sh [--smoke] JAR [JAR...]   (quarkus-run.jar of each build; copy
#        target/quarkus-app elsewhere to keep a build). Each JAR is started by bench/lib.sh (the JVM
#        options of bin/jvm-options, no AOT cache, a run key, purge off) on a database of its own,
#        gets BENCH_ENTRIES entries (10,000: all held by the near cache) and a warm-up of wrk at full
#        speed; then BENCH_ROUNDS rounds, each build in turn, of BENCH_SECONDS of GET hits offered
#        at a fixed rate (bench/wrk/get-rate.lua: BENCH_CONNECTIONS connections, each waiting
#        BENCH_DELAY_MS on average: 16 x 4 ms, about 4,000 req/s, well below saturation, so every
#        build answers about the same requests). Prints per round and build: requests, CPU ms,
#        µs of CPU per request, the share answered from memory, and the load average; then the
#        median µs per request of each build.
# All traffic stays on 127.0.0.1.
source "$(dirname "$0")/lib.sh"
rounds="${BENCH_ROUNDS:-3}"; seconds="${BENCH_SECONDS:-15}"; warmup="${BENCH_WARMUP:-20}"
conns="${BENCH_CONNECTIONS:-16}"; delay="${BENCH_DELAY_MS:-4}"; entries="${BENCH_ENTRIES:-10000}"
if [ "${1:-}" = "--smoke" ]; then
  shift; rounds=1; seconds=2; warmup=1; entries=1000; smoke=1
fi
[ $# -ge 1 ] || { echo "usage: bench/cpu-per-get.sh [--smoke] JAR [JAR...]" >&2; exit 2; }
need wrk wrk
hz="$(getconf CLK_TCK)"
declare -a pids urls auths dbs
cleanup() {
  for i in "${!pids[@]}"; do
    kill "${pids[$i]}" 2>/dev/null && wait "${pids[$i]}" 2>/dev/null || true
    dropdb --if-exists --force "${dbs[$i]}" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

jars=("$@")
for i in "${!jars[@]}"; do
  dbs[$i]="pgcache_cpu_$i"
  BENCH_JAR="${jars[$i]}" start_service "${dbs[$i]}" -Dpgcache.purge.enabled=false
  pids[$i]="$SERVICE_PID"; urls[$i]="$BASE_URL"; auths[$i]="$BENCH_AUTH"
  SERVICE_PID=""; BENCH_DB=""  # all stay up until the end: cleanup stops them
  put_bench_entries "${urls[$i]}" "${auths[$i]}" "$entries"
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# thread_ticks PID: CPU ticks per kind of thread (event loops, virtual threads' carriers, JIT, GC and
# other VM threads, the rest), as "kind ticks" lines
thread_ticks() {
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null)"
  done | awk -F'\t' '{ k = "other" }
    $1 ~ /^vert\.x-eventl/ { k = "eventloop" } $1 ~ /^ForkJoinPool/ { k = "carriers" }
    $1 ~ /^C[12] CompilerThre/ { k = "jit" } $1 ~ /^(VM Thread|GC |VM Periodic)/ { k = "vm-gc" }
    { sum[k] += $2 } END { for (k in sum) print k, sum[k] }' | sort
}
thread_delta() { # before after -> "kind ms, ..."
  join -a2 -e0 -o 0,1.2,2.2 <(echo "$1") <(echo "$2") | awk -v hz="$hz" '{ printf "%s %d ms  ", $1, ($3 - $2) * 1000 / hz }'
}
memory_hits() { # pgcache_near_cache_reads_total{result="hit"} of service i
  curl -sS -H "Authorization: ${auths[$1]}" "${urls[$1]}/q/metrics" | awk '/^pgcache_near_cache_reads_total\{.*result="hit"/ { print $2 }'
}
wrk_run() { # i lua seconds [delay] -> requests answered
  BENCH_LUA_DIR="$ROOT/bench/wrk" BENCH_AUTH="${auths[$1]}" BENCH_ENTRIES="$entries" BENCH_NS=bench BENCH_DELAY_MS="${4:-0}" \
    wrk -t2 -c"$conns" -d"${3}s" -s "$ROOT/bench/wrk/$2.lua" "${urls[$1]}" \
    | awk '/requests in/ { n = $1 } /Non-2xx/ { bad = $NF } END { if (bad) { print "non-2xx: " bad > "/dev/stderr"; exit 1 } print n }'
}
jit_share() { # before after -> percent of the CPU between them that the JIT compilers used
  join -a2 -e0 -o 0,1.2,2.2 <(echo "$1") <(echo "$2") | awk '{ d = $3 - $2; all += d; if ($1 == "jit") jit = d } END { print all ? int(jit * 100 / all) : 100 }'
}
# warm-up at full speed: BENCH_WARMUP seconds, then more chunks of 10 s (6 at most) while the JIT
# compilers still take over 5 % of the CPU (on a busy machine the first seconds answer few requests)
for i in "${!jars[@]}"; do
  wrk_run "$i" get-hit "$warmup" >/dev/null
  for _ in $([ -n "${smoke:-}" ] || echo 1 2 3 4 5 6); do
    w0="$(thread_ticks "${pids[$i]}")"; wrk_run "$i" get-hit 10 >/dev/null; w1="$(thread_ticks "${pids[$i]}")"
    share="$(jit_share "$w0" "$w1")"
    echo "build $i warm-up: JIT ${share} % of the CPU in the last 10 s"
    [ "$share" -gt 5 ] || break
  done
done

declare -A results results_nojit
for r in $(seq 1 "$rounds"); do
  for i in "${!jars[@]}"; do
    hits0="$(memory_hits "$i")"; t0="$(cpu_ticks "${pids[$i]}")"; k0="$(thread_ticks "${pids[$i]}")"
    if [ "$delay" = 0 ]; then n="$(wrk_run "$i" get-hit "$seconds")"; else n="$(wrk_run "$i" get-rate "$seconds" "$delay")"; fi
    t1="$(cpu_ticks "${pids[$i]}")"; k1="$(thread_ticks "${pids[$i]}")"; hits1="$(memory_hits "$i")"
    us="$(awk -v t="$((t1 - t0))" -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
    # the JIT compilers' share is warm-up, not the cost of a request: shown apart
    jit="$(join -a2 -e0 -o 0,1.2,2.2 <(echo "$k0") <(echo "$k1") | awk '$1 == "jit" { print $3 - $2 }')"
    us_nojit="$(awk -v t="$((t1 - t0 - ${jit:-0}))" -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
    results_nojit[$i]+="$us_nojit "
    results[$i]+="$us "
    printf 'round %d  build %d  %7d requests  %6d ms CPU  %6s µs/request (%s without the JIT)  from memory %5.1f %%  load %s\n' "$r" "$i" "$n" \
      "$(((t1 - t0) * 1000 / hz))" "$us" "$us_nojit" "$(awk -v a="$hits0" -v b="$hits1" -v n="$n" 'BEGIN { print (b - a) * 100 / n }')" \
      "$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "         by thread: $(thread_delta "$k0" "$k1")"
  done
done
[ "${rounds}" = 1 ] && [ "$seconds" = 2 ] && echo "smoke: 1 round of 2 s on 1,000 entries checks the script works; it measures nothing"
for i in "${!jars[@]}"; do
  python3 -c 'import statistics, sys; v = [float(x) for x in sys.argv[2].split()]; w = [float(x) for x in sys.argv[3].split()]; print(f"build {sys.argv[1]} ({sys.argv[4]}): median {statistics.median(v):.1f} µs of CPU per GET hit {v}; without the JIT {statistics.median(w):.1f} {w}")' \
    "$i" "${results[$i]}" "${results_nojit[$i]}" "${jars[$i]}"
done
