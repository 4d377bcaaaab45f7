# Shared by every bench script: build the service, give it a fresh database, start it the way
# bin/run does (the JVM options of bin/jvm-options, the AOT cache of bin/aot-cache) with an API
# key made for the run, on 127.0.0.1 only, and stop it. Source it; it defines build_service,
# start_service, stop_service, api and need, and sets BASE_URL, BENCH_AUTH, SERVICE_PID, SERVICE_LOG.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="$("$ROOT/bin/java-home")"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

build_service() { # BENCH_SKIP_BUILD=1: the caller has just built it (0 or unset: build)
  [ "${BENCH_SKIP_BUILD:-0}" != 0 ] || (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
}

need() { # need COMMAND DEBIAN-PACKAGE: installs what a scenario needs when it is missing
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "installing $2 (for $1)"
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# api METHOD PATH [curl options...]: a request to the started service with the run's key; fails on an error status
api() {
  local method="$1" path="$2"; shift 2
  curl -sSf -X "$method" -H "Authorization: $BENCH_AUTH" "$@" "$BASE_URL$path"
}

# start_service DBNAME [extra -D options...]: fresh database DBNAME, service on a free port of
# 127.0.0.1, with a fresh full-rights API key for this run only; BENCH_AUTH holds its
# Authorization header. BENCH_JAR runs another build's jar (bench/ab.sh), without an AOT cache.
# A second replica on the same database: keep_service, then BENCH_KEEP_DB=1 BENCH_KEEP_KEY=1
# start_service with the same DBNAME (the same key works on both; stop_service stops both).
start_service() {
  local db="$1"; shift
  BENCH_DB="$db"
  # BENCH_KEEP_KEY=1: the key of the service started before (a second replica answers the same key)
  [ -n "${BENCH_KEEP_KEY:-}" ] && [ -n "${BENCH_SECRET:-}" ] || BENCH_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  local secret="$BENCH_SECRET"
  export BENCH_AUTH="Bearer $secret"
  # BENCH_KEEP_DB=1: a restart against the database as it is (schema migrated, rows kept)
  [ -n "${BENCH_KEEP_DB:-}" ] || { dropdb --if-exists --force "$db" && createdb "$db"; }
  local port; port="$(free_port)"
  BASE_URL="http://127.0.0.1:$port"
  SERVICE_LOG="$(mktemp /tmp/pgcache-bench-XXXX.log)"
  local options=(-Dquarkus.http.host=127.0.0.1
    -Dquarkus.datasource.jdbc.url="jdbc:postgresql://$PGHOST:$PGPORT/$db"
    -Dquarkus.datasource.username="$PGUSER"
    -Dquarkus.log.level=WARN
    -Dpgcache.auth.keys.bench.secret-sha256="$(printf %s "$secret" | sha256sum | cut -d' ' -f1)"
    -Dpgcache.auth.keys.bench.scopes=read,write,admin
    -Dpgcache.auth.keys.bench.namespaces='*'
    "$@")
  local started="$EPOCHREALTIME"
  if [ -n "${BENCH_JAR:-}" ]; then
    # another build's jar (bench/ab.sh): the JVM options for its app directory, no AOT cache, so
    # both sides of a comparison start alike
    # shellcheck disable=SC2046
    "$JAVA_HOME/bin/java" $("$ROOT/bin/jvm-options" "$(dirname "$BENCH_JAR")") -Dquarkus.http.port="$port" \
      "${options[@]}" -jar "$BENCH_JAR" >"$SERVICE_LOG" 2>&1 &
  else
    # through bin/run, the command a user types: its JVM options and ahead-of-time cache, and its
    # own few shell steps, are part of what is measured (it execs the JVM, so SERVICE_PID is the JVM)
    "$ROOT/bin/run" -Dquarkus.http.port="$port" "${options[@]}" >"$SERVICE_LOG" 2>&1 &
  fi
  SERVICE_PID=$!
  # Polled every 0.02 s without starting a process: on 2 cores, a curl and a sleep 50 times a second
  # took ~0.3 s of CPU a second from the starting JVM (6 ms of CPU per curl), and the JVM wants both
  # cores while it starts (its JIT compilers use more CPU than its main thread). The nap is a read
  # that times out on a pipe nobody writes to.
  local nap; exec {nap}<> <(:)
  # up to 5 minutes: the first start after a build trains the start-up cache first (bin/aot-cache),
  # which takes minutes on a busy machine
  for _ in $(seq 1 15000); do
    if ready_answer "$port"; then
      # seconds from running bin/run to the first ready answer
      local ready="$EPOCHREALTIME"
      export READY_SECONDS; READY_SECONDS="$(awk -v a="$started" -v b="$ready" 'BEGIN { printf "%.2f", b - a }')"
      # CPU seconds the JVM used until then: all its threads, and its main thread alone (the rest is
      # mostly the JIT compilers): figures that a busy machine disturbs less than the wall clock
      export READY_CPU READY_MAIN_CPU
      READY_CPU="$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SERVICE_PID/stat" 2>/dev/null || echo "?")"
      READY_MAIN_CPU="$(main_thread_cpu "$SERVICE_PID")"
      exec {nap}>&-
      return 0
    fi
    kill -0 "$SERVICE_PID" 2>/dev/null || break
    read -r -t 0.02 -u "$nap" || true
  done
  exec {nap}>&-
  echo "the service did not become ready; log: $SERVICE_LOG" >&2
  return 1
}

# ready_answer PORT: whether GET /q/health/ready on 127.0.0.1:PORT answers 200, through bash's own
# /dev/tcp (no process started, so polling costs the machine next to nothing)
ready_answer() {
  local fd line=""
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /q/health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&"$fd" 2>/dev/null || true
  IFS= read -r -t 5 line <&"$fd" || true
  exec {fd}>&-
  [[ "$line" == "HTTP/1."?" 200"* ]]
}

# main_thread_cpu PID: CPU seconds of the JVM's busiest thread, its "main" (the launcher's primordial
# thread only waits for it)
main_thread_cpu() {
  local hz; hz="$(getconf CLK_TCK)"
  for t in /proc/"$1"/task/*; do
    if [ "$(cat "$t/comm" 2>/dev/null)" = java ]; then awk -v hz="$hz" '{ printf "%.2f\n", ($14 + $15) / hz }' "$t/stat" 2>/dev/null || true; fi
  done | sort -n | tail -n1
}

# put_bench_entries BASE_URL AUTH N: keys k0..k<N-1> in namespace bench (ttl 1 h), block-like values
# of about 800 bytes (the value of bench/wrk/common.lua), through batch-put in batches of 1000
put_bench_entries() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys, urllib.request
base, auth, entries = sys.argv[1], sys.argv[2], int(sys.argv[3])
value = {"number": "0x121eac0", "hash": "0x" + "ab" * 32, "transactions": ["0x" + "cd" * 32], "pad": "x" * 600}
for start in range(0, entries, 1000):
    body = json.dumps({"entries": [{"key": f"k{i}", "value": value, "ttl": "1h"} for i in range(start, min(entries, start + 1000))]}).encode()
    req = urllib.request.Request(base + "/v1/cache/bench/batch-put", body, {"Authorization": auth, "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
PY
}

# keep_service: the service start_service started last stays up while the next one starts (a second
# replica on the same database); stop_service stops it with the last one
KEPT_PIDS=()
keep_service() {
  KEPT_PIDS+=("$SERVICE_PID"); SERVICE_PID=""
}

stop_service() { # stops the service start_service started last (and those kept) and drops its database; safe to call twice
  local pid
  for pid in "${KEPT_PIDS[@]}" ${SERVICE_PID:-}; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  [ -n "${BENCH_DB:-}" ] && dropdb --if-exists --force "$BENCH_DB" || true
  SERVICE_PID=""; BENCH_DB=""; KEPT_PIDS=()
}
