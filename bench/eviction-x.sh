#!/usr/bin/env bash
# Hit ratio by eviction policy (issue 17): a seeded Zipf trace replayed cache-aside against the
# service with the cap on the whole table (pgcache.storage.max-bytes) at 10% of the keys' bytes,
# once per eviction-policy (size-aware, second-chance, oldest-first), next to an exact LRU, GDSF
# and the service's size-aware policy simulated offline on the same trace (bench/eviction.py says
# how). Targets: the default policy (size-aware) >= oldest-first + 10 points, and within 3 points
# of exact LRU (or above). Hit ratios do not depend on the machine's speed, so this one may run on
# a busy machine; its duration does.
#
#   bench/eviction.sh            1,000,000 requests over 200,000 keys, exponent 0.9 (about 11 min per policy on 2 cores)
#   bench/eviction.sh --smoke    20,000 requests over 5,000 keys: proves the script works
#   options: --keys N  --requests N  --exponent X  --threads N  --purge-every N  --sample-one-in N (pgcache.hits.sample-one-in)
#            --policies "size-aware second-chance oldest-first" (the service's policies to replay; the default is all three)
source "$(dirname "$0")/lib.sh"
keys=200000; requests=1000000; exponent=0.9; threads=8; purge_every=500; sample=""; mode=full
policies="size-aware second-chance oldest-first"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) keys=5000; requests=20000; purge_every=200; mode=smoke ;;
    --keys) keys="$2"; shift ;;
    --requests) requests="$2"; shift ;;
    --exponent) exponent="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --purge-every) purge_every="$2"; shift ;;
    --sample-one-in) sample="$2"; shift ;;
    --policies) policies="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
build_service
trap stop_service EXIT
out="$(mktemp -d /tmp/pgcache-bench-eviction-XXXX)"
trace=(--keys "$keys" --requests "$requests" --exponent "$exponent")
cap="$(python3 "$ROOT/bench/eviction.py" "${trace[@]}" --cap)"
# the offline simulations run meanwhile (size-aware's takes minutes at full size); waited for below
sim_sample=(); [ -z "$sample" ] || sim_sample=(--sample-one-in "$sample")
(for sim in lru fifo clock gdsf size-aware; do
  python3 "$ROOT/bench/eviction.py" "${trace[@]}" --simulate "$sim" --purge-every "$purge_every" "${sim_sample[@]}" \
    --out "$out/offline-$sim.json" >/dev/null
done) &
sims=$!
extra=(); [ -z "$sample" ] || extra=(-Dpgcache.hits.sample-one-in="$sample")
for policy in $policies; do
  # purges come from the replay (every --purge-every requests); hits reach the table every second;
  # no near cache, so that every read is answered by the table as it is
  start_service pgcache_bench_eviction_full -Dpgcache.purge.enabled=false -Dpgcache.storage.max-bytes="$cap" \
    -Dpgcache.storage.eviction-policy="$policy" -Dpgcache.hits.flush-interval=1s -Dpgcache.near-cache.enabled=false "${extra[@]}"
  python3 "$ROOT/bench/eviction.py" "${trace[@]}" --base-url "$BASE_URL" --policy "$policy" --threads "$threads" \
    --purge-every "$purge_every" --out "$out/$policy.json" >/dev/null
  echo "$policy: table holds $(psql -d "$BENCH_DB" -Atc "SELECT count(*) || ' rows, ' || coalesce(sum(size_bytes), 0) || ' bytes' FROM pgcache.cache_entry") (cap $cap bytes)"
  stop_service
done
wait "$sims"

echo "hit ratio ($mode: $requests requests over $keys keys, Zipf exponent $exponent, cap $cap bytes = 10% of the keys' bytes,"
echo "  sample-one-in ${sample:-10 (default)}, $threads threads, a purge every $purge_every requests)"
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
r = {name: json.load(open(os.path.join(out, name + ".json")))
     for name in ("size-aware", "second-chance", "oldest-first", "offline-lru", "offline-fifo", "offline-clock", "offline-gdsf", "offline-size-aware")
     if os.path.exists(os.path.join(out, name + ".json"))}  # a service policy left out by --policies is not there
print("| policy | hit ratio | second half | byte hit ratio | errors |")
print("|---|---|---|---|---|")
for name, label in (("size-aware", "size-aware (service)"), ("second-chance", "second-chance (service)"), ("oldest-first", "oldest-first (service)"),
                    ("offline-lru", "exact LRU (offline)"), ("offline-size-aware", "size-aware as the service sees reads (offline)"),
                    ("offline-gdsf", "GDSF, exact (offline)"), ("offline-clock", "second chance, every read seen (offline)"),
                    ("offline-fifo", "oldest-first (offline)")):
    if name not in r:
        continue
    x = r[name]
    print(f"| {label} | {x['hit_ratio']:.4f} | {x['hit_ratio_second_half']:.4f} | {x['byte_hit_ratio']:.4f} | {x.get('errors', '-')} |")
for name, x in r.items():
    if "requeued" in x or "requeues" in x:
        print(f"{name}: {x.get('evicted', '-')} rows evicted, {x.get('requeued', x.get('requeues'))} requeued"
              + (f", windows of {x['mean_window_rows']} rows on average, {x['rows_at_end']} rows at the end" if "mean_window_rows" in x else ""))
ratio = {n: x["hit_ratio"] * 100 for n, x in r.items()}
print()
for policy in ("size-aware", "second-chance"):
    if policy in ratio and "oldest-first" in ratio:
        print(f"{policy} - oldest-first: {ratio[policy] - ratio['oldest-first']:+.1f} points (target >= +10)")
    if policy in ratio:
        print(f"{policy} - exact LRU: {ratio[policy] - ratio['offline-lru']:+.1f} points (target: within 3, or above)")
PY
