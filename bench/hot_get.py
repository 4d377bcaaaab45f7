"""Issue 15's hot-read targets alone, in a few minutes: a near-cache GET hit over HTTP against
pgbench's prepared SELECT of the same rows and redis-benchmark's GET of values of the same size,
in alternating rounds after a warm-up, on a service started by bench/hot-get.sh. Targets (each a
ratio within this run): near-cache GET hit >= 2x pgbench, >= 0.5x redis-benchmark GET.
The same measurement as bench/run.sh's near-cache rows, without its other 30 minutes. Standard
library only; the helpers come from bench/bench.py."""
import argparse
import statistics
import sys

import bench


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--hot-keys", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    service = bench.Service(args.base_url)
    print(f"loading {args.hot_keys} entries ...", flush=True)
    bench.load(service, args.hot_keys)
    size = int(bench.psql(args.db, "SELECT avg(size_bytes)::int FROM pgcache.cache_entry WHERE namespace = 'bench'"))
    bench.psql(args.db, "VACUUM ANALYZE pgcache.cache_entry")
    requests = max(20_000, args.seconds * 40_000)
    variants = {
        "pgcache: GET hit, near cache": lambda s: bench.wrk(args.base_url, "get-hit.lua", s, args.connections, args.hot_keys),
        "pgbench: GET statement, same rows": lambda s: bench.pgbench(args.db, "get.sql", s, args.connections, args.hot_keys),
        "redis-benchmark: GET, same size": lambda s: bench.redis_benchmark("get", size, args.hot_keys, args.connections, requests),
    }
    bench.redis_benchmark("set", size, args.hot_keys, args.connections, max(20_000, args.hot_keys * 2))  # keys for GET to find
    print(f"warm-up: {args.warmup} s each", flush=True)
    for name, run in variants.items():
        run(args.warmup)
    rounds = {name: [] for name in variants}
    for r in range(args.rounds):
        for name, run in variants.items():
            bench.settle(args.db)
            rounds[name].append(run(args.seconds)["rps"])
            print(f"  round {r + 1}: {name}: {rounds[name][-1]:.0f}/s", flush=True)
    median = {name: statistics.median(v) for name, v in rounds.items()}
    print(f"\nvalues of {size} bytes, {args.hot_keys} keys, {args.connections} connections, {args.rounds} alternating rounds of "
          f"{args.seconds} s after {args.warmup} s of warm-up each (redis-benchmark: {requests} requests a round)")
    for name, value in median.items():
        print(f"{name:40s} median {value:9.0f}/s  rounds {', '.join(f'{x:.0f}' for x in rounds[name])}")
    near = median["pgcache: GET hit, near cache"]
    pg, redis = median["pgbench: GET statement, same rows"], median["redis-benchmark: GET, same size"]
    print(f"near cache / pgbench {near / pg:.2f} (target >= 2.0); near cache / redis {near / redis:.2f} (target >= 0.5)")


if __name__ == "__main__":
    sys.exit(main())
