#!/usr/bin/env bash
# A rolling upgrade under writes: does a replica of the old build serve a value older than its
# staleness bound while a replica of the new build migrates the database and writes, and the other
# way round? Both replicas share one database, as during a rolling upgrade (docs/operations.md,
# "Upgrades"). Not a benchmark: a check, for any change that touches the near cache's triggers,
# the change log or the schema the replicas share.
#
#   bench/rolling-upgrade.sh OLD_COMMIT [NEW_COMMIT]   NEW defaults to this tree's build (target/quarkus-app)
#   bench/rolling-upgrade.sh --smoke                   this tree's build as both sides: checks the script
#
# Steps: the old build starts on a new database (migrating it to its schema) and loads 200 keys,
# and reads them twice so that its near cache holds them; the new build starts on the same database
# (migrating it further) while the old one runs; then, for each key, a PUT on one replica and GETs on
# the other until the new value shows (the reader having read the key just before), both ways, 200
# keys each. Reported: how long each reader
# took to see each write (p50, p99, max); a read of the old value later than the bound
# (pgcache.near-cache.max-lag, 1 s, plus 0.5 s for the request itself) fails the check (exit 1).
# The old build is built in a temporary git worktree (removed at the end), with `./mvnw -o`.
source "$(dirname "$0")/lib.sh"
smoke=""
if [ "${1:-}" = "--smoke" ]; then
  smoke=1; old=HEAD; new=""
else
  old="${1:?usage: bench/rolling-upgrade.sh OLD_COMMIT [NEW_COMMIT] | --smoke}"; new="${2:-}"
fi
keys=200
work="$(mktemp -d)"
cleanup() {
  stop_service
  for v in old new; do git -C "$ROOT" worktree remove --force "$work/$v" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

jar_of() { # jar_of COMMIT SIDE: builds COMMIT in a worktree and prints its jar
  git -C "$ROOT" worktree add -q --detach "$work/$2" "$1"
  # offline first; an old commit's platform may no longer be in the local repository
  (cd "$work/$2" && { ./mvnw -B -q -o package -DskipTests >"$work/build-$2.log" 2>&1 \
    || ./mvnw -B -q package -DskipTests >"$work/build-$2.log" 2>&1; }) \
    || { echo "bench/rolling-upgrade.sh: cannot build $1:" >&2; tail -20 "$work/build-$2.log" >&2; exit 1; }
  echo "$work/$2/target/quarkus-app/quarkus-run.jar"
}

build_service
this_jar="$ROOT/target/quarkus-app/quarkus-run.jar"
if [ -n "$smoke" ]; then old_jar="$this_jar"; else old_jar="$(jar_of "$old" old)"; fi
if [ -n "$new" ]; then new_jar="$(jar_of "$new" new)"; else new_jar="$this_jar"; fi
db=pgcache_bench_upgrade

BENCH_JAR="$old_jar" start_service "$db" -Dpgcache.purge.enabled=false
old_url="$BASE_URL"; old_log="$SERVICE_LOG"; keep_service
put_bench_entries "$old_url" "$BENCH_AUTH" "$keys"
for _ in 1 2; do
  for ((i = 0; i < keys; i++)); do api GET "/v1/cache/bench/k$i" -o /dev/null; done
done
old_schema="$(psql -d "$db" -Atc "SELECT max(version::int) FROM pgcache.flyway_schema_history WHERE success")"

BENCH_KEEP_DB=1 BENCH_KEEP_KEY=1 BENCH_JAR="$new_jar" start_service "$db" -Dpgcache.purge.enabled=false
new_url="$BASE_URL"
new_schema="$(psql -d "$db" -Atc "SELECT max(version::int) FROM pgcache.flyway_schema_history WHERE success")"
old_name="$(git -C "$ROOT" rev-parse --short "$old")"; [ -z "$smoke" ] || old_name="this tree"
echo "old build $old_name (schema V$old_schema) and new build ${new:-this tree} (migrated to V$new_schema) on one database"

status=0
python3 - "$old_url" "$new_url" "$BENCH_AUTH" "$keys" <<'PY' || status=$?
import json, sys, time, urllib.request
old, new, auth, keys = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
BOUND = 1.5  # pgcache.near-cache.max-lag (1 s) and half a second for the request itself

def call(method, url, body=None):
    req = urllib.request.Request(url, body, {"Authorization": auth, "Content-Type": "application/json"}, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()

def lag(writer, reader, key, marker):
    call("GET", f"{reader}/v1/cache/bench/{key}")  # the reader holds the current value in its near cache, if it keeps one
    call("PUT", f"{writer}/v1/cache/bench/{key}", json.dumps({"marker": marker}).encode())
    written = time.monotonic()
    while True:
        seen = json.loads(call("GET", f"{reader}/v1/cache/bench/{key}"))
        waited = time.monotonic() - written
        if isinstance(seen, dict) and seen.get("marker") == marker:
            return waited, False
        if waited > BOUND:
            return waited, True

failed = False
for name, writer, reader in (("new writes, old reads", new, old), ("old writes, new reads", old, new)):
    lags, stale = [], 0
    for i in range(keys):
        waited, late = lag(writer, reader, f"k{i}", f"{name}-{i}")
        lags.append(waited * 1000)
        stale += late
    lags.sort()
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    print(f"{name}: {keys} writes, seen after p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {lags[-1]:.1f} ms; "
          f"old value still served past {BOUND} s: {stale}")
    failed |= stale > 0
sys.exit(1 if failed else 0)
PY
if grep -q "answering from the table" "$old_log"; then
  echo "the old replica's log: $(grep -m1 "answering from the table" "$old_log" | sed 's/^.*WARN/WARN/')"
fi
[ -z "$smoke" ] || echo "smoke: both sides are this tree's build; the figures check the script, they say nothing of an upgrade"
exit "$status"
