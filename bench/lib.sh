# Shared by the bench scripts: build the service, give it a fresh database, start and stop it.
# Source it; it defines start_service and stop_service and sets BASE_URL.
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

build_service() { # BENCH_SKIP_BUILD=1: the caller has just built it
  [ -n "${BENCH_SKIP_BUILD:-}" ] || (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
}

# start_service DBNAME [extra -D options...]: fresh database DBNAME, service on a free port,
# with a fresh full-rights API key for this run only; BENCH_AUTH holds its Authorization header.
start_service() {
  local db="$1"; shift
  BENCH_DB="$db"
  local secret; secret="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export BENCH_AUTH="Bearer $secret"
  # BENCH_KEEP_DB=1: a restart against the database as it is (schema migrated, rows kept)
  [ -n "${BENCH_KEEP_DB:-}" ] || { dropdb --if-exists --force "$db" && createdb "$db"; }
  local port; port="$(free_port)"
  BASE_URL="http://127.0.0.1:$port"
  SERVICE_LOG="$(mktemp /tmp/pgcache-bench-XXXX.log)"
  local options=(-Dquarkus.datasource.jdbc.url="jdbc:postgresql://$PGHOST:$PGPORT/$db"
    -Dquarkus.datasource.username="$PGUSER"
    -Dquarkus.log.level=WARN
    -Dpgcache.auth.keys.bench.secret-sha256="$(printf %s "$secret" | sha256sum | cut -d' ' -f1)"
    -Dpgcache.auth.keys.bench.scopes=read,write,admin
    -Dpgcache.auth.keys.bench.namespaces='*'
    "$@")
  # through bin/run, the command a user types: its JVM options and ahead-of-time cache, and its
  # own few shell steps, are part of what is measured (it execs the JVM, so SERVICE_PID is the JVM)
  local started; started="$(date +%s.%N)"
  "$ROOT/bin/run" -Dquarkus.http.port="$port" "${options[@]}" >"$SERVICE_LOG" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 3000); do
    if curl -fs "$BASE_URL/q/health/ready" >/dev/null 2>&1; then
      # seconds from running bin/run to the first ready answer (polled every 0.02 s)
      local ready; ready="$(date +%s.%N)"
      export READY_SECONDS; READY_SECONDS="$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" "$started" "$ready")"
      return 0
    fi
    kill -0 "$SERVICE_PID" 2>/dev/null || break
    sleep 0.02
  done
  echo "the service did not become ready; log: $SERVICE_LOG" >&2
  return 1
}

stop_service() {
  [ -n "${SERVICE_PID:-}" ] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null || true
  [ -n "${BENCH_DB:-}" ] && dropdb --if-exists --force "$BENCH_DB" || true
}
