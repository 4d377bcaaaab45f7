#!/usr/bin/env bash
# Side by side: the service built from two commits, GET hit and PUT with wrk, alternating rounds.
# Both services run at once (each on its own database, with the same JVM options and key), so a
# round of one is followed by a round of the other under the same machine load; 20 s of warm-up
# each first. Prints the median of the rounds and the ratio new/old.
# Usage: bench/ab.sh OLD_COMMIT [NEW_COMMIT]   (NEW defaults to the working tree's HEAD)
#        BENCH_ROUNDS (5), BENCH_SECONDS (15), BENCH_WARMUP (20), BENCH_CONNECTIONS (32)
# All traffic stays on 127.0.0.1.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
old="${1:?usage: bench/ab.sh OLD_COMMIT [NEW_COMMIT]}"; new="${2:-HEAD}"
rounds="${BENCH_ROUNDS:-5}"; seconds="${BENCH_SECONDS:-15}"; warmup="${BENCH_WARMUP:-20}"; conns="${BENCH_CONNECTIONS:-32}"
export JAVA_HOME="${JAVA_HOME:-$("$ROOT/bin/java-home")}"
secret="ab-bench-secret"; sha="$(printf %s "$secret" | sha256sum | cut -d' ' -f1)"
work="$(mktemp -d)"; pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for v in old new; do dropdb --if-exists --force -h 127.0.0.1 -U postgres "pgcache_ab_$v" >/dev/null 2>&1 || true; done; for v in old new; do git -C "$ROOT" worktree remove --force "$work/$v" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT

declare -A port
for v in old new; do
  commit="$old"; [ "$v" = new ] && commit="$new"
  git -C "$ROOT" worktree add -q --detach "$work/$v" "$commit"
  (cd "$work/$v" && ./mvnw -B -q -o package -DskipTests >/dev/null)
  dropdb --if-exists --force -h 127.0.0.1 -U postgres "pgcache_ab_$v" >/dev/null 2>&1; createdb -h 127.0.0.1 -U postgres "pgcache_ab_$v"
  port[$v]="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  # shellcheck disable=SC2046
  "$JAVA_HOME/bin/java" $("$ROOT/bin/jvm-options" "$work/$v/target/quarkus-app") -Dquarkus.http.port="${port[$v]}" -Dquarkus.log.level=WARN \
    -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:5432/pgcache_ab_$v" \
    -Dpgcache.auth.keys.ab.secret-sha256="$sha" -Dpgcache.auth.keys.ab.scopes=read,write -Dpgcache.auth.keys.ab.namespaces='*' \
    -jar "$work/$v/target/quarkus-app/quarkus-run.jar" >"$work/$v.log" 2>&1 &
  pids+=($!)
done
for v in old new; do
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:${port[$v]}/q/health/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  python3 - "http://127.0.0.1:${port[$v]}" "$secret" <<'PY'
import json, sys, urllib.request
base, secret = sys.argv[1], sys.argv[2]
value = {"number": "0x121eac0", "hash": "0x" + "ab" * 32, "transactions": ["0x" + "cd" * 32], "pad": "x" * 600}
for start in range(0, 10000, 1000):
    body = json.dumps({"entries": [{"key": f"k{i}", "value": value, "ttl": "1h"} for i in range(start, start + 1000)]}).encode()
    req = urllib.request.Request(base + "/v1/cache/bench/batch-put", body, {"Authorization": "Bearer " + secret, "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
PY
done

run() { # variant script seconds -> req/s
  BENCH_LUA_DIR="$ROOT/bench/wrk" BENCH_AUTH="Bearer $secret" BENCH_ENTRIES=10000 BENCH_NS=bench \
    wrk -t2 -c"$conns" -d"${3}s" -s "$ROOT/bench/wrk/$2.lua" "http://127.0.0.1:${port[$1]}" | awk '/Requests\/sec/ {print $2}'
}
for v in old new; do run "$v" get-hit "$warmup" >/dev/null; run "$v" put "$warmup" >/dev/null; done
declare -A results
for scenario in get-hit put; do
  for r in $(seq 1 "$rounds"); do
    for v in old new; do results[$scenario.$v]+="$(run "$v" "$scenario" "$seconds") "; done
  done
done
echo "commits: old $(git -C "$ROOT" rev-parse --short "$old"), new $(git -C "$ROOT" rev-parse --short "$new"); $rounds alternating rounds of $seconds s after ${warmup} s warm-up, $conns connections"
for scenario in get-hit put; do
  python3 - "$scenario" "${results[$scenario.old]}" "${results[$scenario.new]}" <<'PY'
import statistics, sys
name, old, new = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
mo, mn = statistics.median(old), statistics.median(new)
print(f"{name:8s} old median {mo:9.0f} req/s {old}   new median {mn:9.0f} req/s {new}   new/old {mn / mo:.3f}")
PY
done
